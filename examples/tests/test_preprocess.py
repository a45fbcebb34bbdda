from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tinyvision.preprocess import (
    adjust_gamma,
    build_image_pyramid,
    gaussian_blur,
    gaussian_sigma_for,
    make_gaussian_kernel,
    normalize_batch,
    standardize_per_image,
)


def test_normalize_batch_uses_channel_statistics(batch):
    normalized = normalize_batch(batch[0])
    assert normalized.dtype == tf.float32
    expected = (batch[0].numpy() / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    np.testing.assert_allclose(normalized.numpy(), expected, rtol=1e-5, atol=1e-5)


def test_standardize_per_image_has_zero_mean_unit_variance(batch):
    standardized = standardize_per_image(batch[0]).numpy()
    np.testing.assert_allclose(standardized.mean(axis=(1, 2, 3)), 0.0, atol=1e-4)
    np.testing.assert_allclose(standardized.std(axis=(1, 2, 3)), 1.0, atol=1e-3)


def test_standardize_constant_image_stays_finite():
    constant = tf.fill([2, 16, 16, 3], tf.constant(128, tf.uint8))
    standardized = standardize_per_image(constant)
    assert np.all(np.isfinite(standardized.numpy()))
    assert float(tf.reduce_max(tf.abs(standardized))) == 0.0


def test_image_pyramid_halves_each_level(float_batch):
    pyramid = build_image_pyramid(float_batch, levels=3)
    assert [level.shape[1] for level in pyramid] == [16, 8, 4]
    np.testing.assert_allclose(
        pyramid[1][:, 0, 0].numpy(), tf.reduce_mean(float_batch[:, :2, :2], axis=[1, 2]).numpy()
    )


@pytest.mark.parametrize(("size", "sigma"), [(3, 0.8), (5, 1.1), (7, 2.0)])
def test_gaussian_kernel_is_normalised_and_symmetric(size, sigma):
    kernel = make_gaussian_kernel(size, sigma).numpy()
    assert kernel.shape == (size, size)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(kernel, kernel.T, atol=1e-7)
    assert kernel.argmax() == (size * size) // 2


class BlurAndGammaTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.kernel = make_gaussian_kernel(5, gaussian_sigma_for(5))

    def test_blur_keeps_a_constant_image(self):
        images = tf.fill([2, 12, 12, 3], 0.5)
        self.assertAllClose(gaussian_blur(images, self.kernel), images, atol=1e-5)

    def test_blur_reduces_variance(self):
        noise = tf.random.stateless_uniform([4, 16, 16, 3], seed=[0, 1])
        blurred = gaussian_blur(noise, self.kernel)
        self.assertLess(float(tf.math.reduce_std(blurred)), float(tf.math.reduce_std(noise)))

    def test_gamma_one_is_identity(self):
        images = tf.random.stateless_uniform([2, 8, 8, 3], seed=[2, 3])
        self.assertAllClose(adjust_gamma(images, 1.0), images)


@pytest.mark.parametrize("size", [8, 12, 16, 24, 32])
def test_blur_preserves_shape_at_every_resolution(size):
    images = tf.random.stateless_uniform([2, size, size, 3], seed=[size, 0])
    kernel = make_gaussian_kernel(5, gaussian_sigma_for(5))
    blurred = gaussian_blur(images, kernel)
    assert blurred.shape == images.shape
    assert float(tf.reduce_max(blurred)) <= float(tf.reduce_max(images)) + 1e-6


@pytest.mark.parametrize("gamma", [0.5, 0.8, 1.5, 2.2])
def test_gamma_moves_mid_grey_the_right_way(gamma, float_batch):
    adjusted = adjust_gamma(float_batch, gamma)
    mean_before = float(tf.reduce_mean(float_batch))
    mean_after = float(tf.reduce_mean(adjusted))
    assert (mean_after < mean_before) == (gamma > 1.0)
