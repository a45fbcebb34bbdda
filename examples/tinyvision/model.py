"""Models: a tf.Module MLP classifier and a Keras residual block."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import keras
import tensorflow as tf


def glorot_uniform(shape: tuple[int, int], seed: int) -> tf.Tensor:
    """Reproducible Glorot-uniform initial values for a [fan_in, fan_out] weight."""
    fan_in, fan_out = shape
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return tf.random.stateless_uniform(shape, seed=[seed, 0], minval=-limit, maxval=limit)


class MLP(tf.Module):
    """A GELU multilayer perceptron with layer normalisation between hidden layers.

    Inputs of any rank are flattened per example, so it takes NHWC images directly.
    """

    def __init__(self, layer_sizes: Sequence[int], seed: int = 0, name: str | None = None):
        super().__init__(name=name)
        self.kernels = []
        self.biases = []
        for index, (fan_in, fan_out) in enumerate(itertools.pairwise(layer_sizes)):
            initial = glorot_uniform((fan_in, fan_out), seed + index)
            self.kernels.append(tf.Variable(initial, name=f"kernel_{index}"))
            self.biases.append(tf.Variable(tf.zeros([fan_out]), name=f"bias_{index}"))

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        x = tf.reshape(inputs, [tf.shape(inputs)[0], -1])
        for kernel, bias in zip(self.kernels[:-1], self.biases[:-1], strict=True):
            x = tf.nn.gelu(tf.matmul(x, kernel) + bias)
            mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
            x = (x - mean) * tf.math.rsqrt(variance + 1e-5)
        return tf.matmul(x, self.kernels[-1]) + self.biases[-1]


class ResidualBlock(keras.layers.Layer):
    """Pre-norm residual MLP block: x + Dense(Dense(LayerNorm(x)))."""

    def __init__(self, hidden_units: int, **kwargs: object):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.norm = keras.layers.LayerNormalization()
        self.expand = keras.layers.Dense(hidden_units, activation="gelu")
        self.project: keras.layers.Dense | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        # Build sublayers eagerly from the shape, so `call` never creates weights.
        self.project = keras.layers.Dense(input_shape[-1])
        self.norm.build(input_shape)
        self.expand.build(input_shape)
        self.project.build((*input_shape[:-1], self.hidden_units))

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        hidden = self.expand(self.norm(inputs))
        return inputs + self.project(hidden)
