"""Synthetic image-classification data, minibatch iteration and dtype conversion."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

IMAGE_SIZE = 16
NUM_CLASSES = 4


def make_synthetic_dataset(
    num_examples: int,
    image_size: int = IMAGE_SIZE,
    num_classes: int = NUM_CLASSES,
    seed: int = 0,
) -> tuple[tf.Tensor, tf.Tensor]:
    """uint8 NHWC images whose class is a bright quadrant in one channel, plus int32 labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, size=num_examples)
    images = rng.normal(80.0, 25.0, size=(num_examples, image_size, image_size, 3))
    half = image_size // 2
    for index, label in enumerate(labels):
        row, col = divmod(int(label) % 4, 2)
        rows, cols = slice(row * half, (row + 1) * half), slice(col * half, (col + 1) * half)
        images[index, rows, cols, label % 3] += 120
    images = np.clip(images, 0, 255).astype(np.uint8)
    return tf.constant(images), tf.constant(labels, dtype=tf.int32)


def iterate_minibatches(
    images: tf.Tensor, labels: tf.Tensor, batch_size: int, seed: int | None = None
) -> Iterator[tuple[tf.Tensor, tf.Tensor]]:
    """Yield (images, labels) minibatches; the last partial batch is dropped.

    Dropping the remainder keeps every batch the same shape, so a compiled
    training step sees a single input signature.
    """
    num_examples = int(images.shape[0])
    order = np.arange(num_examples)
    if seed is not None:
        np.random.default_rng(seed).shuffle(order)
    for start in range(0, num_examples - batch_size + 1, batch_size):
        batch = order[start : start + batch_size]
        yield tf.gather(images, batch), tf.gather(labels, batch)


def to_float_images(images: tf.Tensor) -> tf.Tensor:
    """uint8 [0, 255] images to float32 [0, 1]."""
    return tf.cast(images, tf.float32) / 255.0
