from __future__ import annotations

import numpy as np
import tensorflow as tf

from tinyvision.features import ORIENTATION_BINS, color_moments, edge_features, extract_features


def test_edge_histogram_is_a_distribution(float_batch):
    features = edge_features(float_batch).numpy()
    assert features.shape == (8, ORIENTATION_BINS + 1)
    np.testing.assert_allclose(features[:, :ORIENTATION_BINS].sum(axis=-1), 1.0, atol=1e-4)
    assert np.all(features[:, -1] > 0.0)


def test_vertical_stripes_have_horizontal_gradients():
    stripes = tf.tile(tf.constant([0.0, 1.0] * 4)[tf.newaxis, :], [8, 1])
    images = tf.tile(stripes[tf.newaxis, :, :, tf.newaxis], [2, 1, 1, 3])
    histogram = edge_features(images).numpy()[0, :ORIENTATION_BINS]
    # Gradients along x point at 0 or pi: bins 0, 4 (and their neighbours by rounding).
    assert histogram[[0, 3, 4, 7]].sum() > 0.9


def test_color_moments_of_a_constant_image():
    images = tf.fill([2, 8, 8, 3], 0.25)
    moments = color_moments(images).numpy()
    np.testing.assert_allclose(moments[:, :3], 0.25, atol=1e-6)
    np.testing.assert_allclose(moments[:, 3:6], 1e-4, atol=1e-5)


def test_color_moments_match_numpy(float_batch):
    moments = color_moments(float_batch).numpy()
    pixels = float_batch.numpy().reshape(8, -1, 3)
    np.testing.assert_allclose(moments[:, :3], pixels.mean(axis=1), atol=1e-5)
    np.testing.assert_allclose(moments[:, 3:6], pixels.std(axis=1), atol=1e-4)


def test_extract_features_concatenates_both(float_batch):
    combined = extract_features(float_batch)
    assert combined.shape == (8, ORIENTATION_BINS + 1 + 12)
    np.testing.assert_allclose(combined[:, -12:].numpy(), color_moments(float_batch).numpy())
