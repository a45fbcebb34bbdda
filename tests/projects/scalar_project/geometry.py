"""Plane geometry with angles given as Python floats."""

import math

import tensorflow as tf


@tf.function
def rotate(points, angle):
    """Rotate 2-D points by `angle` radians."""
    c, s = tf.cos(angle), tf.sin(angle)
    matrix = tf.stack([tf.stack([c, -s]), tf.stack([s, c])])
    return tf.matmul(points, matrix)


@tf.function
def spiral(points, angle):
    """Turn points by `angle` twelve times, shrinking them a little on each turn."""
    for _ in range(12):
        c, s = tf.cos(angle), tf.sin(angle)
        points = 0.99 * tf.matmul(points, tf.stack([tf.stack([c, -s]), tf.stack([s, c])]))
    return points


@tf.function
def wobble(points, angle):
    """Scale points by the cosine of `angle`, computed in Python."""
    return points * math.cos(angle)
