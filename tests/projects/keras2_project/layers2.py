"""Keras 2 (tf_keras) layers whose `call` takes no `training` argument: tf_keras decides what to
pass from the call's signature, so a graph form must answer `getfullargspec` as the function does."""

import tensorflow as tf
import tf_keras


class Scale(tf_keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return tf.nn.relu(x * self.w) + 1.0


class Mixer(tf_keras.layers.Layer):
    def build(self, input_shape):
        n = input_shape[-1]
        self.w = self.add_weight(name="w", shape=(n, n), initializer="identity")

    def call(self, x, training=None):
        y = x
        for _ in range(12):
            y = tf.tanh(tf.matmul(y, self.w)) + x
        if training:
            y = y * 0.5
        return tf.reduce_mean(y, axis=-1, keepdims=True) + y
