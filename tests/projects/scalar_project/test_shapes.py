import math

import numpy as np
import tensorflow as tf

from geometry import rotate, spiral, wobble
from signals import smooth

ANGLES = [0.1 * i for i in range(1, 10)]
POINTS = tf.constant([[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]])


def test_rotate_keeps_lengths():
    for angle in ANGLES:
        rotated = rotate(POINTS, angle)
        np.testing.assert_allclose(tf.norm(rotated, axis=1), tf.norm(POINTS, axis=1), rtol=1e-5)


def test_rotate_turns_the_x_axis():
    for angle in ANGLES:
        x_axis = rotate(tf.constant([[1.0, 0.0]]), angle)
        np.testing.assert_allclose(x_axis, [[math.cos(angle), -math.sin(angle)]], atol=1e-6)


def test_spiral_shrinks_every_point_alike():
    for angle in ANGLES:
        turned = spiral(POINTS, angle)
        expected = 0.99**12 * tf.norm(POINTS, axis=1)
        np.testing.assert_allclose(tf.norm(turned, axis=1), expected, rtol=1e-5)


def test_wobble_scales_by_the_cosine():
    for angle in ANGLES:
        np.testing.assert_allclose(wobble(POINTS, angle), POINTS * math.cos(angle), rtol=1e-6)


def test_smooth_keeps_the_mean():
    signal = tf.sin(tf.linspace(0.0, 6.0, 64)) + 1.0
    for strength in [0.05 * i for i in range(1, 10)]:
        smoothed = smooth(signal, strength)
        assert abs(float(tf.reduce_mean(smoothed)) - float(tf.reduce_mean(signal))) < 1e-4
