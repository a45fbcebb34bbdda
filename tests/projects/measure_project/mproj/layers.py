"""A Keras layer and a class with a staticmethod."""

import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return tf.nn.relu(inputs * self.w + 1.0)


class Geometry:
    @staticmethod
    def norm(x):
        return tf.sqrt(tf.reduce_sum(x * x))


class Accumulator:
    """Keeps a running total in a variable: a target that only updates variables."""

    def __init__(self):
        self.total = tf.Variable(0.0)

    def add(self, x):
        self.total.assign_add(tf.reduce_sum(x))
        return self.total.read_value()
