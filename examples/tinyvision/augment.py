"""Training-time augmentation: flips, crops, colour jitter, cutout and mixup."""

from __future__ import annotations

import random

import numpy as np
import tensorflow as tf


def random_flip(image: tf.Tensor, probability: float = 0.5) -> tf.Tensor:
    """Mirror an HWC image left-right with the given probability."""
    if random.random() < probability:
        image = tf.image.flip_left_right(image)
    return image


def random_crop(image: tf.Tensor, crop_size: int) -> tf.Tensor:
    """A random crop_size x crop_size window of an HWC image."""
    height, width = image.shape[0], image.shape[1]
    top = np.random.randint(0, height - crop_size + 1)
    left = np.random.randint(0, width - crop_size + 1)
    return image[top : top + crop_size, left : left + crop_size, :]


def stateless_augment(images: tf.Tensor, seed: tf.Tensor, strong: bool = False) -> tf.Tensor:
    """Flip and colour-jitter float images in [0, 1], reproducibly for a given [2] int seed.

    `strong` adds saturation and hue jitter; it is used for the second view in
    consistency training.
    """
    seeds = tf.random.experimental.stateless_split(seed, num=5)
    x = tf.image.stateless_random_flip_left_right(images, seeds[0])
    x = tf.image.stateless_random_brightness(x, 0.1, seeds[1])
    x = tf.image.stateless_random_contrast(x, 0.8, 1.2, seeds[2])
    if strong:
        x = tf.image.stateless_random_saturation(x, 0.7, 1.3, seeds[3])
        x = tf.image.stateless_random_hue(x, 0.05, seeds[4])
    return tf.clip_by_value(x, 0.0, 1.0)


def cutout(images: tf.Tensor, centers: tf.Tensor, size: int) -> tf.Tensor:
    """Zero a size x size square around each image's centre ([batch, 2] int32 row, col)."""
    shape = tf.shape(images)
    rows = tf.range(shape[1])[tf.newaxis, :, tf.newaxis]
    cols = tf.range(shape[2])[tf.newaxis, tf.newaxis, :]
    center_rows = centers[:, 0][:, tf.newaxis, tf.newaxis]
    center_cols = centers[:, 1][:, tf.newaxis, tf.newaxis]
    half = size // 2
    inside = (tf.abs(rows - center_rows) <= half) & (tf.abs(cols - center_cols) <= half)
    keep = tf.cast(tf.logical_not(inside), images.dtype)
    return images * keep[..., tf.newaxis]


def mixup(
    images: tf.Tensor, labels: tf.Tensor, lam: float, num_classes: int = 4
) -> tuple[tf.Tensor, tf.Tensor]:
    """Blend each example with the batch reversed; `lam` is the weight of the original."""
    onehot = tf.one_hot(labels, num_classes)
    mixed_images = lam * images + (1.0 - lam) * tf.reverse(images, axis=[0])
    mixed_labels = lam * onehot + (1.0 - lam) * tf.reverse(onehot, axis=[0])
    return mixed_images, mixed_labels
