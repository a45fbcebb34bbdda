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
