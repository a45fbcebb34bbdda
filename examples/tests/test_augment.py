from __future__ import annotations

import random

import numpy as np
import pytest
import tensorflow as tf

from tinyvision.augment import cutout, mixup, random_crop, random_flip, stateless_augment

SEED = tf.constant([11, 42])


def test_random_flip_is_either_identity_or_mirror(float_batch):
    image = float_batch[0]
    random.seed(0)
    outcomes = set()
    for _ in range(20):
        flipped = random_flip(image)
        mirrored = np.array_equal(flipped.numpy(), image.numpy()[:, ::-1])
        assert mirrored or np.array_equal(flipped.numpy(), image.numpy())
        outcomes.add(mirrored)
    assert outcomes == {True, False}


def test_random_flip_never_flips_with_zero_probability(float_batch):
    image = float_batch[1]
    for _ in range(5):
        np.testing.assert_array_equal(random_flip(image, probability=0.0).numpy(), image.numpy())


def test_random_crop_returns_a_window_of_the_image(float_batch):
    image = float_batch[0].numpy()
    np.random.seed(3)
    for _ in range(5):
        crop = random_crop(float_batch[0], 12).numpy()
        assert crop.shape == (12, 12, 3)
        windows = [image[t : t + 12, s : s + 12] for t in range(5) for s in range(5)]
        assert any(np.array_equal(crop, window) for window in windows)


@pytest.mark.parametrize("strong", [False, True])
def test_stateless_augment_is_reproducible_and_bounded(float_batch, strong):
    first = stateless_augment(float_batch, SEED, strong=strong)
    second = stateless_augment(float_batch, SEED, strong=strong)
    other = stateless_augment(float_batch, tf.constant([11, 43]), strong=strong)
    np.testing.assert_allclose(first.numpy(), second.numpy())
    assert not np.allclose(first.numpy(), other.numpy())
    assert first.shape == float_batch.shape
    assert float(tf.reduce_min(first)) >= 0.0
    assert float(tf.reduce_max(first)) <= 1.0


def test_cutout_zeroes_a_square_around_each_centre(float_batch):
    centers = tf.constant([[4, 4], [8, 8], [0, 0], [15, 15], [4, 11], [11, 4], [7, 7], [2, 13]])
    result = cutout(float_batch + 0.1, centers, size=4).numpy()
    assert np.all(result[0, 2:7, 2:7] == 0.0)
    assert np.all(result[0, 8:, 8:] > 0.0)
    assert np.all(result[2, :3, :3] == 0.0)
    zeroed_per_image = (result[..., 0] == 0.0).sum(axis=(1, 2))
    assert zeroed_per_image[1] == 25 and zeroed_per_image[2] == 9


def test_cutout_with_a_larger_patch(float_batch):
    centers = tf.fill([8, 2], 8)
    result = cutout(float_batch + 0.1, centers, size=6).numpy()
    assert (result[0, ..., 0] == 0.0).sum() == 49


@pytest.mark.parametrize("lam", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_mixup_blends_images_and_labels(float_batch, batch, lam):
    mixed_images, mixed_labels = mixup(float_batch, batch[1], lam)
    expected = lam * float_batch[0] + (1 - lam) * float_batch[-1]
    np.testing.assert_allclose(mixed_images[0].numpy(), expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(tf.reduce_sum(mixed_labels, axis=-1).numpy(), 1.0, atol=1e-6)
    assert float(tf.reduce_max(mixed_labels)) >= max(lam, 1 - lam) - 1e-6
