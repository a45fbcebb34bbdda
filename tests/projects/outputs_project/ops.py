import operator

import tensorflow as tf


def smooth(x):
    y = x
    for _ in range(8):
        y = tf.tanh(y) * 0.5 + x
    return tf.reduce_sum(y)


def peek(x):
    # Reads the value in Python through a call static analysis cannot follow: fine eagerly,
    # an error as a graph (a symbolic tensor has no value).
    value = operator.methodcaller("numpy")(x)
    return tf.constant(value.sum()) * 2.0
