from __future__ import annotations

import numpy as np
import tensorflow as tf

from tinyvision.data import iterate_minibatches, make_synthetic_dataset, to_float_images


def test_synthetic_dataset_shapes_and_ranges():
    images, labels = make_synthetic_dataset(20, image_size=8, num_classes=4, seed=3)
    assert images.shape == (20, 8, 8, 3)
    assert images.dtype == tf.uint8
    assert labels.dtype == tf.int32
    assert set(labels.numpy().tolist()) <= {0, 1, 2, 3}


def test_synthetic_dataset_is_reproducible(dataset):
    images, labels = make_synthetic_dataset(64, seed=1)
    np.testing.assert_array_equal(images.numpy(), dataset[0].numpy())
    np.testing.assert_array_equal(labels.numpy(), dataset[1].numpy())


def test_class_quadrant_is_brighter(dataset):
    images, labels = dataset
    first = images[0].numpy().astype(float)
    label = int(labels[0])
    row, col = divmod(label % 4, 2)
    quadrant = first[row * 8 : (row + 1) * 8, col * 8 : (col + 1) * 8, label % 3]
    assert quadrant.mean() > first[..., label % 3].mean()


def test_minibatches_drop_the_remainder(dataset):
    images, labels = dataset
    batches = list(iterate_minibatches(images[:30], labels[:30], batch_size=8))
    assert len(batches) == 3
    assert all(batch_images.shape == (8, 16, 16, 3) for batch_images, _ in batches)


def test_minibatches_shuffle_reproducibly(dataset):
    images, labels = dataset
    first = [b.numpy() for _, b in iterate_minibatches(images, labels, 16, seed=7)]
    second = [b.numpy() for _, b in iterate_minibatches(images, labels, 16, seed=7)]
    unshuffled = [b.numpy() for _, b in iterate_minibatches(images, labels, 16)]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(second))
    assert sorted(np.concatenate(first)) == sorted(np.concatenate(unshuffled))
    assert not np.array_equal(np.concatenate(first), np.concatenate(unshuffled))


def test_to_float_images_scales_to_unit_range(batch):
    floats = to_float_images(batch[0])
    assert floats.dtype == tf.float32
    assert 0.0 <= float(tf.reduce_min(floats)) <= float(tf.reduce_max(floats)) <= 1.0
