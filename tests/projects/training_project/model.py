"""Keras 3 layers trained with a GradientTape.

`Block` makes its Dense sub-layers in `__init__` and uses them in `call`: they are built on the
first call, so with `call` as a `tf.function` their variables are created inside the trace and get
no gradients: outputs stay right, training stops. `Gain` creates its own weight in `build`, which
Keras runs before `call`, outside any trace: as a graph it trains as it does eagerly.
"""

import keras
import tensorflow as tf


class Block(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = keras.layers.Dense(8)
        self.second = keras.layers.Dense(8)
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(tf.nn.relu(self.second(tf.nn.relu(self.first(x)))))


def squash(y, x):
    # Called only by `Gain.call`: once that is a graph, this runs inside it (TH305).
    return tf.tanh(y) + x


class Gain(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        y = x
        for _ in range(6):
            y = squash(y * self.w, x)
        return tf.reduce_sum(y, axis=-1, keepdims=True)

