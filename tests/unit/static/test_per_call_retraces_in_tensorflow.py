"""What TH197 claims, shown by real TensorFlow: the per-call tf.function traces on every call of its
enclosing function, and the hoisted one traces once."""

from __future__ import annotations

import textwrap
from types import ModuleType

from tracehybrid.static import analyze_source

PER_CALL = textwrap.dedent(
    """
    import tensorflow as tf

    traced = []  # its body runs only while TensorFlow traces: one entry per trace

    def fast_eval(x):
        @tf.function
        def _run(y):
            traced.append(y.shape)
            return tf.reduce_sum(y * 2.0)
        return _run(x)
    """
)
HOISTED = textwrap.dedent(
    """
    import tensorflow as tf

    traced = []

    @tf.function
    def _run(y):
        traced.append(y.shape)
        return tf.reduce_sum(y * 2.0)

    def fast_eval(x):
        return _run(x)
    """
)
CALLS = 5


def load(source: str, name: str) -> ModuleType:
    module = ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # the example, run as written
    return module


def call_five_times(module: ModuleType) -> None:
    import tensorflow as tf

    x = tf.constant([1.0, 2.0, 3.0])
    for _ in range(CALLS):
        assert float(module.fast_eval(x)) == 12.0


def test_the_flagged_shape_traces_on_every_call_and_the_hoisted_one_once() -> None:
    per_call = load(PER_CALL, "per_call_example")
    call_five_times(per_call)
    assert len(per_call.traced) == CALLS  # every call of fast_eval traced a new graph

    hoisted = load(HOISTED, "hoisted_example")
    call_five_times(hoisted)
    assert len(hoisted.traced) == 1
    assert hoisted._run.experimental_get_tracing_count() == 1


def test_static_analysis_flags_the_first_and_not_the_second() -> None:
    flagged = analyze_source(PER_CALL).function("fast_eval.<locals>._run")
    assert "TH197" in flagged.codes
    hoisted = analyze_source(HOISTED)
    assert all("TH197" not in f.codes for f in hoisted.functions)
