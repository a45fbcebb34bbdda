"""Python random numbers in a graph: a generator seeded per call is safe, anything else is TH141.

A trace runs the Python body once, so a number drawn there is frozen into the graph. When the
body seeds its own generator from a constant or a Python parameter (which tf.function keys), the
graph draws what eager code draws for the same arguments; drawing from global or unseeded state,
eager code draws anew on every call and the graph does not.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import tensorflow as tf

from tracehybrid.static import analyze_source

SOURCE = """
import random
import numpy as np
import tensorflow as tf

def seeded(x: tf.Tensor, seed: int = 0):
    rng = np.random.default_rng(seed)
    return x * rng.normal()

def keyword_seeded(x: tf.Tensor, seed: int):
    rng = np.random.RandomState(seed=seed)
    return x * rng.uniform()

def python_seeded(x: tf.Tensor, seed: int):
    return x * random.Random(seed).random()

def constant_seed(x: tf.Tensor):
    return x * np.random.default_rng(7).normal()

def unseeded(x: tf.Tensor):
    return x * np.random.default_rng().normal()

def global_draw(x: tf.Tensor):
    return x * np.random.normal()

def none_default(x: tf.Tensor, seed: int | None = None):
    return x * np.random.default_rng(seed).normal()

def tensor_seed(x: tf.Tensor, seed: tf.Tensor):
    return x * np.random.default_rng(seed).normal()

def attribute_seed(x: tf.Tensor, holder):
    return x * np.random.default_rng(holder.seed).normal()
"""
SAFE = ("seeded", "keyword_seeded", "python_seeded", "constant_seed")
FLAGGED = ("unseeded", "global_draw", "none_default", "tensor_seed", "attribute_seed")


def seeded(x: tf.Tensor, seed: int = 0) -> tf.Tensor:
    return x * np.random.default_rng(seed).normal()


def python_seeded(x: tf.Tensor, seed: int) -> tf.Tensor:
    return x * random.Random(seed).random()


def unseeded(x: tf.Tensor) -> tf.Tensor:
    return x * np.random.default_rng().normal()


@pytest.mark.parametrize("name", [*SAFE, *FLAGGED])
def test_only_draws_from_unfixed_state_are_flagged(name: str) -> None:
    project = analyze_source(SOURCE)
    assert ("TH141" in project.function(name).codes) is (name in FLAGGED)


@pytest.mark.parametrize("fn", [seeded, python_seeded], ids=lambda f: f.__name__)
def test_a_generator_seeded_from_a_python_argument_draws_the_same_as_a_graph(fn: object) -> None:
    graph = tf.function(fn)
    for seed in (1, 2, 1, 3):
        x = tf.ones([2])
        np.testing.assert_array_equal(fn(x, seed), graph(x, seed))  # type: ignore[operator]


def test_an_unseeded_generator_draws_once_per_trace_as_a_graph() -> None:
    graph = tf.function(unseeded)
    x = tf.ones([2])
    assert not np.array_equal(unseeded(x), unseeded(x))  # eager draws anew on each call
    np.testing.assert_array_equal(graph(x), graph(x))  # the graph froze its one draw
