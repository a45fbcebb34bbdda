"""The import hook and the measured function in this process, on real TensorFlow."""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from measure_targets import locate

from tracehybrid.measure.inrun.graph_run import GraphRun
from tracehybrid.measure.targets import MeasureSettings, TargetsFile

pytestmark = pytest.mark.tensorflow

SOURCE = """
import tensorflow as tf

def poly(x, coeffs):
    return x * x * coeffs[0] + x * coeffs[1]

class Net(tf.Module):
    def __init__(self):
        self.v = tf.Variable(1.0)

    def bump(self, x):
        self.v.assign_add(1.0)
        return x + self.v

    def bump_by_step(self):
        self.v.assign_add(STEP)  # a global read at trace time: a graph keeps the old value

STEP = 1.0
"""


@pytest.fixture
def tmp_module(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("hooked", "early", "alias_user"):
            sys.modules.pop(name, None)


def graph_run(root: Path, name: str, qualnames: list[str]) -> GraphRun:
    (root / f"{name}.py").write_text(SOURCE, encoding="utf-8")
    targets = [locate(root, f"{name}.py", q, "@tf.function") for q in qualnames]
    settings = MeasureSettings(repeats=3, min_repeat_s=0.0002, max_calls_per_repeat=5)
    return GraphRun(TargetsFile(root / "out", targets, settings))


def facts_of(run: GraphRun) -> dict[str, Any]:
    path = run.finish()
    assert path is not None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {item["target"]["qualname"]: item for item in doc["targets"].values()}


def test_hook_wraps_at_import_and_measures(tf: Any, tmp_module: Path) -> None:
    run = graph_run(tmp_module, "hooked", ["poly", "Net.bump"])
    run.start()
    module = importlib.import_module("hooked")
    assert float(module.poly(tf.constant(1.0), [1.0, 2.0])) == 3.0
    net = module.Net()
    assert float(net.bump(tf.constant(1.0))) == 3.0  # the test sees the graph's single bump
    assert float(net.v) == 2.0
    facts = facts_of(run)
    poly = facts["poly"]
    assert (poly["calls"], poly["traces"]) == (1, 1)
    assert not poly["mismatches"] and not poly["not_compared"]
    assert list(poly["timings"]) == ["(float32[], [1.0, 2.0])"]
    bump = facts["Net.bump"]  # it only updates a variable: compared from a snapshot, restored
    assert not bump["not_compared"] and not bump["mismatches"]
    assert (bump["compared"], bump["inexact"]) == (1, 0)


def test_a_test_that_patches_the_clock_does_not_change_the_timings(
    tf: Any, tmp_module: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph run keeps its own clock references, as the tracer does: a test that freezes
    time.perf_counter (for its own code) would otherwise time every call at zero seconds."""
    run = graph_run(tmp_module, "hooked", ["poly"])
    run.start()
    module = importlib.import_module("hooked")
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)
    assert float(module.poly(tf.constant(1.0), [1.0, 2.0])) == 3.0
    monkeypatch.undo()
    poly = facts_of(run)["poly"]
    assert poly["trace_calls_s"] and poly["trace_calls_s"][0] > 0
    timing = poly["timings"]["(float32[], [1.0, 2.0])"]
    assert timing["first_call_s"] > 0
    assert timing["eager"]["min_s"] > 0 and timing["graph"]["min_s"] > 0


def test_a_variable_update_that_differs_as_a_graph_is_a_mismatch(tf: Any, tmp_module: Path) -> None:
    run = graph_run(tmp_module, "hooked", ["Net.bump_by_step"])
    run.start()
    module = importlib.import_module("hooked")
    net = module.Net()
    net.bump_by_step()
    module.STEP = 5.0
    net.bump_by_step()
    assert float(net.v) == 3.0  # what the test saw: the graph's two bumps by 1.0, kept
    mismatch = facts_of(run)["Net.bump_by_step"]["mismatches"][0]
    assert mismatch["path"].startswith("['variables']") and mismatch["kind"] == "value"


def test_modules_imported_before_the_hook_are_patched_with_their_aliases(
    tf: Any, tmp_module: Path
) -> None:
    run = graph_run(tmp_module, "early", ["poly"])
    (tmp_module / "alias_user.py").write_text("from early import poly\n", encoding="utf-8")
    user = importlib.import_module("alias_user")
    run.start()
    module = sys.modules["early"]
    assert user.poly is module.poly and hasattr(module.poly, "measurer")
    float(user.poly(tf.constant(2.0), [1.0, 1.0]))
    assert facts_of(run)["poly"]["traces"] == 1
