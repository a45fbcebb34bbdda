"""Issue 15.1 and 15.4 by brute force: each example run through real `tf.function` against eager,
beside what static analysis and the verdict conclude about it."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from tracehybrid.static import ProjectFacts, analyze_source

SOURCE = """
import math
import tensorflow as tf

def rescale(images, gain):
    return images * gain + (1.0 - gain) * 0.5

def noisy_rescale(images, gain):
    print("rescaling by", gain)
    return images * gain

def positional_encoding(length: int, depth: int) -> tf.Tensor:
    positions = tf.range(length, dtype=tf.float32)[:, tf.newaxis]
    rates = tf.pow(10000.0, -tf.range(0, depth, 2, dtype=tf.float32) / float(depth))
    angles = positions * rates[tf.newaxis, :]
    table = tf.stack([tf.sin(angles), tf.cos(angles)], axis=-1)
    return tf.reshape(table, [length, 2 * math.ceil(depth / 2)])[:, :depth]
"""


@pytest.fixture(scope="module")
def example() -> dict[str, Callable[..., Any]]:
    namespace: dict[str, Any] = {}
    exec(compile(SOURCE, "<examples>", "exec"), namespace)  # the very source analysed below
    return namespace


@pytest.fixture(scope="module")
def analysed() -> ProjectFacts:
    return analyze_source(SOURCE, path="mod.py", module="mod")


def images() -> tf.Tensor:
    return tf.random.stateless_uniform([4, 8, 8, 3], seed=[3, 4])


def test_untyped_rescale_is_promotable_and_equal_as_a_graph(
    example: dict[str, Callable[..., Any]], analysed: ProjectFacts
) -> None:
    fn = analysed.function("rescale")
    assert fn.promotable and not fn.is_candidate and not fn.findings
    graph = tf.function(example["rescale"])
    np.testing.assert_array_equal(graph(images(), 0.5), example["rescale"](images(), 0.5))
    graph(images(), 0.5)
    assert graph.experimental_get_tracing_count() == 1


def test_print_runs_only_while_tracing_so_the_finding_stays(
    example: dict[str, Callable[..., Any]], analysed: ProjectFacts
) -> None:
    fn = analysed.function("noisy_rescale")
    assert fn.promotable and "TH101" in fn.codes
    graph, printed = tf.function(example["noisy_rescale"]), io.StringIO()
    with contextlib.redirect_stdout(printed):
        for _ in range(3):
            example["noisy_rescale"](images(), 0.5)
    eager_lines = printed.getvalue().count("rescaling")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for _ in range(3):
            graph(images(), 0.5)
    assert (eager_lines, printed.getvalue().count("rescaling")) == (3, 1)


def test_a_python_float_changing_every_call_retraces_every_call(
    example: dict[str, Callable[..., Any]],
) -> None:
    graph = tf.function(example["rescale"])
    gains = [0.1 * step for step in range(1, 10)]
    for gain in gains:
        np.testing.assert_allclose(
            graph(images(), gain), example["rescale"](images(), gain), rtol=1e-6
        )
    assert graph.experimental_get_tracing_count() == len(gains)


def test_positional_encoding_traces_once_per_distinct_value_and_equals_eager(
    example: dict[str, Callable[..., Any]], analysed: ProjectFacts
) -> None:
    fn = analysed.function("positional_encoding")
    # Static analysis types the parameters from `tf.range` and so flags `float(depth)`, a
    # conversion only when `depth` is a tensor: the Python ints the tests pass refute it.
    assert [f.if_tensor for f in fn.findings if f.code == "TH132"] == [("depth",)]
    graph = tf.function(example["positional_encoding"])
    calls = [(12, 16), (5, 7), (30, 8), (12, 16), (5, 7)]
    for length, depth in calls:
        eager = example["positional_encoding"](length, depth)
        np.testing.assert_allclose(graph(length, depth), eager, rtol=1e-5, atol=1e-6)
    assert graph.experimental_get_tracing_count() == len(set(calls))
