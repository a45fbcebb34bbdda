"""Module-level functions: fast as a graph, failing as a graph, stale globals, random, decorated."""

import functools

import tensorflow as tf

SCALE = 2.0


def many_ops(x):
    # Forty small elementwise ops: per-op dispatch dominates eagerly, a graph removes it.
    for _ in range(10):
        x = tf.sin(x) * 0.5 + tf.cos(x) * 0.5
    return x


def first_value(x):
    # `.numpy()` works eagerly; a symbolic tensor has no `.numpy()`.
    return x.numpy()[0] * 2.0


def label(x):
    # A tensor formatted as a Python number: a graph has no value to format.
    total = float(tf.reduce_sum(x))
    return f"sum={total:.1f}"


def scaled(x):
    # Reads a global at trace time: a graph keeps the value it saw then.
    return x * SCALE


def noisy(x):
    return x + tf.random.normal(tf.shape(x), stddev=0.01)


def counted(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return fn(*args, **kwargs)

    wrapper.calls = 0
    return wrapper


@counted
def normalize(x):
    mean = tf.reduce_mean(x)
    return (x - mean) / (tf.math.reduce_std(x) + 1e-6)


@tf.function
def count_positive(x):
    return tf.reduce_sum(tf.cast(x > 0, tf.int32))


@tf.function
def retraced(x):
    return tf.reduce_sum(x * x)


def make_affine(weight):
    def affine(x):
        return x * weight + 1.0

    return affine


def summed_twice(x):
    def double(y):
        return y * 2.0

    return tf.reduce_sum(double(x))


def plain_python(n):
    return sum(range(n))


def third(x):
    # A graph rewrites the division as a multiplication by 1/3: the last bit can differ.
    return x / 3.0


def with_third(x):
    return tf.concat([x, third(x)], axis=0)


CALLS = []


def tally(x):
    # Appends on every eager call; a graph appends once, when it traces.
    CALLS.append(1)
    return x * len(CALLS)


COUNTED = []


def counted_add(x):
    # An effect the graph runs only while tracing, which eager reruns of it would repeat.
    COUNTED.append(1)
    return x + 1.0


def as_batch(values):
    # Breaks as a graph (a symbolic tensor has no .numpy()); the fixture that builds a batch
    # with it fails first, so `padded` below is never called in the graph run's main loop.
    return tf.constant(tf.constant(values).numpy() * 2.0)


def padded(batch):
    return tf.pad(batch, [[0, 1]])


def inner_vector_sum(x):
    # Proposed with a 1-D input_signature (see measure_targets.py): a 2-D tensor breaks it as a
    # graph, in a test's call and inside `outer_total`'s trace alike.
    return tf.reduce_sum(x)


def outer_total(x):
    # Raises as a graph only while inner_vector_sum is one; with it eager, fine as a graph.
    return inner_vector_sum(tf.reshape(x, [-1])) + inner_vector_sum(x)
