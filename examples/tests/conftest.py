"""Shared fixtures: one synthetic dataset and one untrained model per session."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest
import tensorflow as tf

from tinyvision.data import make_synthetic_dataset, to_float_images
from tinyvision.model import MLP

BATCH_SIZE = 8
INPUT_DIM = 16 * 16 * 3


@pytest.fixture(scope="session")
def dataset() -> tuple[tf.Tensor, tf.Tensor]:
    return make_synthetic_dataset(64, seed=1)


@pytest.fixture(scope="session")
def batch(dataset):
    images, labels = dataset
    return images[:BATCH_SIZE], labels[:BATCH_SIZE]


@pytest.fixture(scope="session")
def float_batch(batch) -> tf.Tensor:
    return to_float_images(batch[0])


@pytest.fixture(scope="session")
def mlp() -> MLP:
    """An untrained model; tests that train build their own."""
    return MLP([INPUT_DIM, 32, 4], seed=0)
