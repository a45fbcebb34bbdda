"""A tiny TensorFlow module whose functions are tracehybrid candidates in the runtime tests."""

import logging
import random

import numpy as np
import tensorflow as tf

CALLS = 0
log = logging.getLogger("mathops")


def scale(x, factor=2.0):
    return x * factor


def noisy(x):
    print("noisy got", x.shape)
    return x + random.random()


def _log_size(x):
    log.info("size %s", tf.size(x).numpy())


def logged(x):
    _log_size(x)
    return tf.reduce_sum(x)


def counted(x):
    global CALLS
    CALLS += 1
    return x - 1


def to_python(x):
    return float(tf.reduce_sum(x)) + np.sum(x)


def by_power(x, power):
    return x**power


@tf.function
def hybrid_add(x, y):
    return x + y


def inner_graph(x):
    return x * 3.0


@tf.function
def outer_graph(x):
    return inner_graph(x)


def failing(x):
    raise ValueError(f"bad input {x}")


class Model:
    def __init__(self):
        self.w = tf.Variable([1.0, 2.0])

    def apply(self, x):
        return self.w * x


@tf.function
def apply_in_graph(model, x):
    return model.apply(x)  # AutoGraph calls the bound method: its call is recorded with `self`
