from __future__ import annotations

import numpy as np
import tensorflow as tf

from tinyvision.tone import tone_curve


def test_tone_curve_keeps_pixels_in_range(float_batch):
    toned = tone_curve(float_batch, 0.5).numpy()
    assert toned.shape == tuple(float_batch.shape)
    assert toned.min() >= 0.0 and toned.max() <= 1.0


def test_tone_curve_keeps_black_and_white():
    ends = tone_curve(tf.constant([0.0, 1.0, 0.0, 1.0]), 0.5)
    np.testing.assert_allclose(ends.numpy(), [0.0, 1.0, 0.0, 1.0], atol=1e-6)


def test_tone_curve_raises_contrast_around_the_middle(float_batch):
    dark, bright = float_batch * 0.0 + 0.25, float_batch * 0.0 + 0.75
    assert float(tf.reduce_max(tone_curve(dark, 0.5))) < 0.25
    assert float(tf.reduce_min(tone_curve(bright, 0.5))) > 0.75


def test_tone_curve_of_strength_zero_is_the_identity(float_batch):
    np.testing.assert_allclose(tone_curve(float_batch, 0.0).numpy(), float_batch.numpy(), atol=1e-7)
