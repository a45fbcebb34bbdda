"""Graph warnings: caught from TensorFlow's logger and from Python warnings, charged to a target.

Real TensorFlow raises the retracing warning here (a tf.function called with a new Python int each
time); the tap charges it to the target whose graph form was running, or to the test otherwise.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from tracehybrid.measure.inrun import graph_warnings
from tracehybrid.measure.inrun.graph_warnings import WarningTap


def _tap() -> tuple[WarningTap, list[tuple[str, str, str]]]:
    charged: list[tuple[str, str, str]] = []
    tap = WarningTap(lambda *item: charged.append(item), lambda: "t.py::test")
    return tap, charged


@pytest.fixture
def tf_warnings(tf: Any) -> Iterator[None]:
    """TensorFlow with its logger at WARNING for the test: other test files in the same process
    (xdist puts several on one worker) set it to ERROR to silence the very warning checked here."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    yield
    logger.setLevel(level)


@pytest.mark.usefixtures("tf_warnings")
def test_tensorflow_retracing_warning_during_a_graph_call_is_the_targets_own(tf: Any) -> None:
    tap, charged = _tap()

    @tf.function
    def retraced(n: int) -> Any:
        return tf.constant(n) * 2

    tap.install()
    try:
        graph_warnings.entering("key-of-retraced")
        try:
            for n in range(8):  # a new Python value on every call: TensorFlow warns at 5
                retraced(n)
        finally:
            graph_warnings.left()
    finally:
        tap.uninstall()
    assert charged, "TensorFlow's retracing warning was not seen"
    test, key, message = charged[0]
    assert (test, key) == ("t.py::test", "key-of-retraced")
    assert "triggered tf.function retracing" in message


def _warn_twice(tap: WarningTap, message: str) -> None:
    warnings.simplefilter("always")
    tap.install()
    try:
        warnings.warn(message, UserWarning, stacklevel=2)
        warnings.warn("an unrelated note", UserWarning, stacklevel=2)
    finally:
        tap.uninstall()


def test_python_warnings_outside_calls_belong_to_the_test() -> None:
    tap, charged = _tap()
    message = "Gradients do not exist for variables ['dense/kernel']"
    with pytest.warns(UserWarning, match="Gradients|unrelated") as shown:
        _warn_twice(tap, message)
    assert charged == [("t.py::test", "", message)]
    assert [str(w.message) for w in shown] == [message, "an unrelated note"]  # still passed on


def test_messages_pytest_recorded_are_checked_with_their_test() -> None:
    tap, charged = _tap()
    tap.seen("AutoGraph could not transform <function f> and will run it as-is.", "t.py::other")
    tap.seen("nothing to do with graphs", "t.py::other")
    assert charged == [
        ("t.py::other", "", "AutoGraph could not transform <function f> and will run it as-is.")
    ]
