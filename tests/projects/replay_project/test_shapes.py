"""Tests that xdist spreads over workers; each sees its own shapes, values and instances."""

import pytest
import tensorflow as tf

from shapes import Scaler, blend, normalize

SHAPES = [[1], [2], [2, 2], [3], [3, 3, 3], [4], [1, 5], [6], [2, 2], [7, 1], [8], [9]]


@pytest.mark.parametrize("shape", SHAPES, ids=[f"s{i:02d}" for i in range(len(SHAPES))])
def test_normalize(shape):
    x = tf.ones(shape)
    assert normalize(x).shape == x.shape
    normalize(tf.ones(shape, tf.float64))


@pytest.mark.parametrize("weight", [0.5, 1, 2, 0.5, True, 3, 1.0, 2])
def test_blend(weight):
    blend(tf.ones([2]), weight)
    blend(tf.ones([2]), weight, mode="sum")


@pytest.mark.parametrize("size", [2, 3, 2, 5])
def test_scaler(size):
    scaler = Scaler(2.0)
    scaler.apply(tf.ones([size]))
    scaler.apply(tf.ones([size + 1]), bias=1.0)
