"""Traces counted per graph object in a real graph run: set-up per instance against retracing."""

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
from tracehybrid.measure.inrun.record import merge_records
from tracehybrid.measure.targets import MeasureSettings, TargetsFile

pytestmark = pytest.mark.tensorflow

SOURCE = """
import tensorflow as tf

class Dense(tf.Module):
    def __init__(self):
        self.w = tf.Variable(2.0)

    def __call__(self, x):
        return x * self.w

def total(x):
    return tf.reduce_sum(x * 2.0)
"""
MODULE = "observed_layers"


@pytest.fixture
def layers(tmp_path: Path) -> Iterator[tuple[GraphRun, Any]]:
    """A graph run of Dense.__call__ and total, started, with their module imported."""
    (tmp_path / f"{MODULE}.py").write_text(SOURCE, encoding="utf-8")
    targets = [
        locate(tmp_path, f"{MODULE}.py", q, "@tf.function") for q in ("Dense.__call__", "total")
    ]
    settings = MeasureSettings(repeats=3, min_repeat_s=0.0002, max_calls_per_repeat=5)
    run = GraphRun(TargetsFile(tmp_path / "out", targets, settings))
    sys.path.insert(0, str(tmp_path))
    try:
        run.start()
        yield run, importlib.import_module(MODULE)
    finally:
        run.finish()
        sys.path.remove(str(tmp_path))
        sys.modules.pop(MODULE, None)


def _facts(run: GraphRun) -> dict[str, Any]:
    path = run.finish()
    assert path is not None
    document = json.loads(path.read_text(encoding="utf-8"))
    return {item["target"]["qualname"]: item for item in document["targets"].values()}


def test_a_layer_built_per_call_traces_once_per_instance(
    tf: Any, layers: tuple[GraphRun, Any]
) -> None:
    run, module = layers
    for _ in range(4):  # as tests do: a new layer each, called twice on one shape
        layer = module.Dense()
        assert float(layer(tf.constant(1.0))) == 2.0
        assert float(layer(tf.constant(3.0))) == 6.0
    dense = _facts(run)["Dense.__call__"]
    assert (dense["calls"], dense["traces"]) == (8, 4)
    assert (dense["traced_objects"], dense["max_object_traces"]) == (4, 1)


def test_a_function_retracing_on_new_shapes_counts_in_its_one_cache(
    tf: Any, layers: tuple[GraphRun, Any]
) -> None:
    run, module = layers
    for size in (1, 2, 3, 3):  # three shapes: three traces in the one tf.function
        assert float(module.total(tf.ones([size]))) == 2.0 * size
    total = _facts(run)["total"]
    assert (total["calls"], total["traces"]) == (4, 3)
    assert (total["traced_objects"], total["max_object_traces"]) == (1, 3)


def test_merged_processes_add_objects_and_keep_the_busiest_cache() -> None:
    def process(objects: int, busiest: int) -> dict[str, Any]:
        target = {"wrap": "wrapped", "wrap_error": None, "timings": {}, "traces": objects + 1}
        target |= {"traced_objects": objects, "max_object_traces": busiest}
        return {
            "outcomes": {},
            "crashes": {},
            "problems": [],
            "measure_s": 0.0,
            "targets": {"k": target},
        }

    merged = merge_records([process(3, 1), process(2, 4)])["targets"]["k"]
    assert (merged["traces"], merged["traced_objects"], merged["max_object_traces"]) == (7, 5, 4)
