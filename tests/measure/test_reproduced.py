"""An output mismatch rejects only when it reproduces on the same inputs and state (issue 13)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from measure_targets import locate

from tracehybrid.measure.inrun.graph_run import GraphRun
from tracehybrid.measure.targets import MeasureSettings, TargetsFile

pytestmark = pytest.mark.tensorflow

MODULE = "glitches"
SOURCE = """
import tensorflow as tf

OFFSET = tf.Variable(0.0)  # read by the graph on every call
WRONG_TRACES = [0]  # the test sets how many traces make their own call come out wrong

def glitch_once(x):
    # Outside the graph, even while tracing: a trace sets the offset its own call reads, once
    # as wrong as the test asked; every other call (eager, or graph without a trace) sets 0.
    wrong = tf.inside_function() and WRONG_TRACES[0] > 0
    with tf.init_scope():
        OFFSET.assign(0.263 if wrong else 0.0)
    WRONG_TRACES[0] -= int(wrong)
    return x + OFFSET

SCALE = 2.0

def stale(x):
    return x * SCALE  # a global read while tracing: the graph keeps the old value
"""


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / f"{MODULE}.py").write_text(SOURCE, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(MODULE, None)


def started(root: Path, qualname: str) -> tuple[GraphRun, Any]:
    """A graph run of QUALNAME in this process, and the module as the tests see it."""
    targets = [locate(root, f"{MODULE}.py", qualname, "@tf.function")]
    settings = MeasureSettings(repeats=3, min_repeat_s=0.0002, max_calls_per_repeat=5)
    run = GraphRun(TargetsFile(root / "out", targets, settings))
    run.start()
    return run, importlib.import_module(MODULE)


def facts(run: GraphRun, qualname: str) -> dict[str, Any]:
    path = run.finish()
    assert path is not None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return next(t for t in doc["targets"].values() if t["target"]["qualname"] == qualname)


def test_a_mismatch_seen_once_is_noted_not_rejected(tf: Any, module_dir: Path) -> None:
    run, module = started(module_dir, "glitch_once")
    module.WRONG_TRACES[0] = 1
    seen = float(module.glitch_once(tf.constant(1.0)))
    assert seen == pytest.approx(1.263)  # the test's own graph call did come out wrong
    result = facts(run, "glitch_once")
    assert result["mismatches"] == []
    (note,) = result["not_compared"]
    assert note["reason"] == "not_reproduced"
    assert "max abs difference 0.263" in note["detail"] and "not a rejection" in note["detail"]
    assert result["compared"] == 1  # the recomputation matched: it counts as compared
    assert result["timings"]  # and it went on to be timed like any proven call


def test_a_mismatch_that_reproduces_still_rejects(tf: Any, module_dir: Path) -> None:
    run, module = started(module_dir, "stale")
    assert float(module.stale(tf.constant(1.0))) == 2.0
    module.SCALE = 3.0
    assert float(module.stale(tf.constant(1.0))) == 2.0  # the graph kept SCALE = 2.0
    result = facts(run, "stale")
    (mismatch,) = result["mismatches"]
    assert mismatch["kind"] == "value" and "max abs difference 1" in mismatch["detail"]
    assert not any(n["reason"] == "not_reproduced" for n in result["not_compared"])


GRADIENT_SOURCE = """
import tensorflow as tf

W = tf.Variable(2.0)
WRONG_CALLS = tf.Variable(0, trainable=False)  # how many graph backward passes come out wrong

@tf.custom_gradient
def _passed_on(y):
    def backward(upstream):
        if not tf.inside_function():
            return upstream
        # Traced into the graph's backward pass: wrong while the countdown lasts (read from the
        # decrement itself, so the read and the write cannot run in either order).
        wrong = tf.cast(WRONG_CALLS.assign_sub(1) >= 0, tf.float32)
        return upstream * (1.0 + 0.263 * wrong)
    return tf.identity(y), backward

def glitchy_gradient(x):
    return _passed_on(x * W)
"""


@pytest.mark.parametrize(
    ("wrong_calls", "rejected"), [(1, False), (1000, True)], ids=["once", "always"]
)
def test_a_gradient_difference_rejects_only_when_it_reproduces(
    tf: Any, module_dir: Path, wrong_calls: int, rejected: bool
) -> None:
    (module_dir / f"{MODULE}.py").write_text(GRADIENT_SOURCE, encoding="utf-8")
    run, module = started(module_dir, "glitchy_gradient")
    module.WRONG_CALLS.assign(wrong_calls)
    with tf.GradientTape():  # a tape records around the test's call: its gradients are compared
        module.glitchy_gradient(tf.constant(3.0))
    result = facts(run, "glitchy_gradient")
    if rejected:
        (mismatch,) = result["mismatches"]
        assert mismatch["path"].startswith("gradient of")
        return
    assert result["mismatches"] == []
    assert [note["reason"] for note in result["not_compared"]] == ["not_reproduced"]
