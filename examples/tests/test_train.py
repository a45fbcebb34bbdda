from __future__ import annotations

import logging

import numpy as np
import pytest
import tensorflow as tf

from tinyvision import train
from tinyvision.data import make_synthetic_dataset
from tinyvision.model import MLP
from tinyvision.train import (
    MomentumSGD,
    compute_loss,
    evaluate,
    fit,
    logged_train_step,
    train_step,
    warmup_cosine_lr,
)


@pytest.fixture(scope="module")
def model_and_optimizer():
    model = MLP([16 * 16 * 3, 32, 4], seed=3)
    return model, MomentumSGD(model.trainable_variables, learning_rate=0.05)


def test_train_step_reduces_the_loss(model_and_optimizer, batch):
    model, optimizer = model_and_optimizer
    images, labels = batch
    losses = [float(train_step(model, optimizer, images, labels)) for _ in range(15)]
    assert losses[-1] < 0.5 * losses[0]


def test_compute_loss_includes_weight_decay(model_and_optimizer, batch):
    model, _ = model_and_optimizer
    with_decay = float(compute_loss(model, *batch))
    without_decay = float(compute_loss(model, *batch, weight_decay=0.0))
    assert with_decay > without_decay


def test_logged_train_step_counts_steps_and_logs(model_and_optimizer, batch, caplog):
    model, optimizer = model_and_optimizer
    start = train.GLOBAL_STEP
    with caplog.at_level(logging.INFO, logger="tinyvision.train"):
        for _ in range(10):
            logged_train_step(model, optimizer, *batch, log_every=5)
    assert train.GLOBAL_STEP == start + 10
    assert sum("loss" in record.getMessage() for record in caplog.records) == 2


def test_momentum_sgd_moves_against_the_gradient():
    variable = tf.Variable([1.0, -1.0])
    optimizer = MomentumSGD([variable], learning_rate=0.1, momentum=0.5, nesterov=False)
    optimizer.apply([tf.constant([1.0, -1.0])], [variable])
    optimizer.apply([tf.constant([1.0, -1.0])], [variable])
    # velocity: g, then 1.5 g; total step 0.1 * 2.5 g
    np.testing.assert_allclose(variable.numpy(), [0.75, -0.75], rtol=1e-6)


@pytest.mark.parametrize(
    ("step", "expected"), [(0, 0.0), (50, 0.05), (100, 0.1), (550, 0.05), (1000, 0.0)]
)
def test_warmup_cosine_schedule(step, expected):
    assert float(warmup_cosine_lr(step)) == pytest.approx(expected, abs=1e-6)


def test_fit_learns_the_synthetic_task(dataset, capsys):
    images, labels = dataset
    model = MLP([16 * 16 * 3, 32, 4], seed=1)
    optimizer = MomentumSGD(model.trainable_variables, learning_rate=0.1)
    history = fit(model, optimizer, images, labels, epochs=4, batch_size=8)
    assert len(history) == 4
    assert history[-1] < history[0]
    val_images, val_labels = make_synthetic_dataset(32, seed=99)
    results = evaluate(model, val_images, val_labels)
    assert results["accuracy"] >= 0.75
    assert "eval: loss=" in capsys.readouterr().out


def test_training_from_scratch_reaches_high_accuracy(dataset):
    """A short real training run: the loop a training script runs, for a few hundred steps."""
    images, labels = dataset
    model = MLP([16 * 16 * 3, 32, 4], seed=7)
    optimizer = MomentumSGD(model.trainable_variables, learning_rate=0.05)
    batches = [(images[i : i + 8], labels[i : i + 8]) for i in range(0, 64, 8)]
    losses = [
        float(train_step(model, optimizer, *batches[step % len(batches)])) for step in range(600)
    ]
    assert sum(losses[-8:]) < 0.6 * sum(losses[:8])  # label smoothing keeps a floor of ~0.35
    results = evaluate(model, *make_synthetic_dataset(32, seed=5))
    assert results["accuracy"] >= 0.8
