"""Timed repeats in a real graph run: repeats of the timed region, not one per signature."""

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
from tracehybrid.measure.inrun.timed_call import MIN_REPEATS
from tracehybrid.measure.proof import TargetProof
from tracehybrid.measure.targets import MeasureSettings, TargetsFile
from tracehybrid.measure.timing import Timing, combine_timings

pytestmark = pytest.mark.tensorflow

SOURCE = """
def poly(x, coeffs):
    return x * x * coeffs[0] + x * coeffs[1]
"""

#: Small repeats, so the test stays quick; at least 6 of them per signature, up to 12.
SETTINGS = MeasureSettings(
    repeats=6, max_repeats=12, min_repeat_s=0.0002, max_calls_per_repeat=5, budget_s=1.0
)


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("repeated", None)


def test_each_signature_gets_paired_repeats_and_they_pool(tf: Any, module_dir: Path) -> None:
    (module_dir / "repeated.py").write_text(SOURCE, encoding="utf-8")
    target = locate(module_dir, "repeated.py", "poly", "@tf.function")
    run = GraphRun(TargetsFile(module_dir / "out", [target], SETTINGS))
    run.start()
    poly = importlib.import_module("repeated").poly
    assert float(poly(tf.constant(1.0), [1.0, 2.0])) == 3.0
    assert poly(tf.ones([3]), [1.0, 2.0]).shape == (3,)
    path = run.finish()
    assert path is not None
    (facts,) = json.loads(path.read_text(encoding="utf-8"))["targets"].values()
    timings = [Timing.from_json(t) for t in facts["timings"].values()]
    assert len(timings) == 2  # two signatures
    for timing in timings:
        (samples,) = timing.samples
        assert samples.paired and 6 <= len(samples.eager) == len(samples.graph) <= 12
        assert timing.eager.repeats == timing.graph.repeats == len(samples.eager)
        assert min(samples.eager + samples.graph) > 0
    pooled = combine_timings(timings)
    assert pooled is not None and pooled.repeats >= 12 > len(timings)
    interval = pooled.interval
    assert interval is not None and interval.low <= pooled.ratio <= interval.high
    proof = TargetProof(target, "proven", facts=facts, timing=pooled)
    assert proof.to_json()["timing"]["samples"] == [s.to_json() for s in pooled.samples]


def test_a_spent_budget_still_leaves_enough_repeats_for_an_interval(
    tf: Any, module_dir: Path
) -> None:
    # A busy machine: the wall-time cap for timing one signature is spent before the first
    # repeat ends. The signature still gets the few repeats an interval needs (in CI under load,
    # a signature timed once left a fast function with no interval, rejected TH303 as unproven).
    (module_dir / "repeated.py").write_text(SOURCE, encoding="utf-8")
    target = locate(module_dir, "repeated.py", "poly", "@tf.function")
    spent = MeasureSettings(
        repeats=6, max_repeats=12, min_repeat_s=0.0002, max_calls_per_repeat=5, budget_s=0.0
    )
    run = GraphRun(TargetsFile(module_dir / "out", [target], spent))
    run.start()
    poly = importlib.import_module("repeated").poly
    assert float(poly(tf.constant(1.0), [1.0, 2.0])) == 3.0
    path = run.finish()
    assert path is not None
    (facts,) = json.loads(path.read_text(encoding="utf-8"))["targets"].values()
    (timing,) = [Timing.from_json(t) for t in facts["timings"].values()]
    (samples,) = timing.samples
    assert len(samples.eager) == len(samples.graph) == MIN_REPEATS
    assert timing.interval is not None


METHOD_SOURCE = """
class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def scale(self, x):
        return x * self.factor + 1.0
"""


def test_a_method_is_timed_on_a_second_object_of_the_same_signature(
    tf: Any, module_dir: Path
) -> None:
    # Instances of one class can differ by more than timing noise (dm-sonnet's EMA built in a
    # tf.function resets twice as fast as a graph, one built eagerly 1.4x): one object's timing
    # must not stand for every object. A third object, or the same one again, is not timed.
    (module_dir / "repeated.py").write_text(METHOD_SOURCE, encoding="utf-8")
    target = locate(module_dir, "repeated.py", "Scaler.scale", "@tf.function")
    run = GraphRun(TargetsFile(module_dir / "out", [target], SETTINGS))
    run.start()
    scaler = importlib.import_module("repeated").Scaler
    first, second, third = scaler(2.0), scaler(3.0), scaler(4.0)
    x = tf.ones([3])
    for obj in (first, first, second, third):
        obj.scale(x)
    path = run.finish()
    assert path is not None
    (facts,) = json.loads(path.read_text(encoding="utf-8"))["targets"].values()
    signature = "(float32[3])"
    assert sorted(facts["timings"]) == [signature, f"{signature} on object 2"]
    assert facts["calls"] == 4
