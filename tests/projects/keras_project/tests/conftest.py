"""Shared fixtures: one corpus, one untrained classifier and one untrained next-token model."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import pytest
import tensorflow as tf

from tinytext.data import make_corpus
from tinytext.models import NextTokenModel, TextClassifier

VOCAB_SIZE = 64
SEQ_LEN = 12
BATCH_SIZE = 8


@pytest.fixture(scope="session")
def corpus() -> tuple[tf.Tensor, tf.Tensor]:
    return make_corpus(96, SEQ_LEN, VOCAB_SIZE, seed=0)


@pytest.fixture(scope="session")
def batch(corpus) -> tuple[tf.Tensor, tf.Tensor]:
    tokens, labels = corpus
    return tokens[:BATCH_SIZE], labels[:BATCH_SIZE]


@pytest.fixture(scope="session")
def classifier() -> TextClassifier:
    """An untrained classifier; tests that train build their own."""
    keras.utils.set_random_seed(0)
    model = TextClassifier(VOCAB_SIZE, SEQ_LEN)
    model.build((BATCH_SIZE, SEQ_LEN))
    return model


@pytest.fixture(scope="session")
def language_model() -> NextTokenModel:
    keras.utils.set_random_seed(1)
    model = NextTokenModel(VOCAB_SIZE)
    model.build((None, None))
    return model
