"""Typed attributes against real graphs: eager vs `tf.function` on the same calls, and the flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from typed_attribute_cases import Cached, Norm, Recorded

from tracehybrid.static import ProjectFacts, analyze_source

INPUTS = [[1.0, 2.0], [3.0, 5.0], [-1.0, 0.0]]


@pytest.fixture(scope="module")
def analysed() -> ProjectFacts:
    source = (Path(__file__).parent / "typed_attribute_cases.py").read_text()
    calls = "\nx = tf.ones([2])\nNorm()(x)\nRecorded()(x)\nCached()(x)\n"
    return analyze_source(source + calls)


def run(module: tf.Module, *, graph: bool) -> list[np.ndarray]:
    call = tf.function(module.__call__) if graph else module.__call__
    return [np.asarray(call(tf.constant(values))) for values in INPUTS]


def test_a_moving_average_module_updates_the_same_as_a_graph(analysed: ProjectFacts) -> None:
    eager, graph = Norm(), Norm()
    outputs = zip(run(eager, graph=False), run(graph, graph=True), strict=True)
    assert all(np.array_equal(e, g) for e, g in outputs)
    # The state is in variables: the graph updates it on every call, as eager does.
    assert eager.moving_mean.average.numpy() == graph.moving_mean.average.numpy() != 0.0
    assert int(graph.moving_mean._counter.numpy()) == len(INPUTS)
    codes = analysed.function("Norm.__call__").codes
    assert "TH122" not in codes


def test_a_list_kept_by_an_attribute_module_differs_in_a_graph(analysed: ProjectFacts) -> None:
    eager, graph = Recorded(), Recorded()
    run(eager, graph=False)
    run(graph, graph=True)
    # The append ran once, while tracing, and kept a symbolic tensor.
    assert len(eager.recorder.values) == len(INPUTS)
    assert len(graph.recorder.values) == 1
    assert not hasattr(graph.recorder.values[0], "numpy")
    assert "TH122" in analysed.function("Recorded.__call__").codes


def test_a_dict_attribute_updated_differs_in_a_graph(analysed: ProjectFacts) -> None:
    eager, graph = Cached(), Cached()
    run(eager, graph=False)
    run(graph, graph=True)
    assert np.array_equal(eager.cache["last"], INPUTS[-1])
    assert not hasattr(graph.cache["last"], "numpy")  # a symbolic tensor of the first trace
    assert "TH122" in analysed.function("Cached.__call__").codes
