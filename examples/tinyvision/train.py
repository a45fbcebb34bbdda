"""Optimisation: momentum SGD, learning-rate schedule, training step, evaluation and fit loop."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import tensorflow as tf

from tinyvision.data import iterate_minibatches
from tinyvision.losses import l2_penalty, softmax_cross_entropy
from tinyvision.metrics import accuracy
from tinyvision.model import MLP
from tinyvision.preprocess import normalize_batch

logger = logging.getLogger(__name__)

# Number of optimisation steps taken by logged_train_step in this process.
GLOBAL_STEP = 0


class MomentumSGD(tf.Module):
    """SGD with (optionally Nesterov) momentum; the learning rate is a variable for schedules."""

    def __init__(
        self,
        variables: Sequence[tf.Variable],
        learning_rate: float = 0.1,
        momentum: float = 0.9,
        nesterov: bool = True,
    ):
        super().__init__()
        self.learning_rate = tf.Variable(learning_rate, trainable=False)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]

    def apply(self, gradients: Sequence[tf.Tensor], variables: Sequence[tf.Variable]) -> None:
        for gradient, variable, velocity in zip(gradients, variables, self.velocities, strict=True):
            gradient = tf.clip_by_norm(gradient, 5.0)
            velocity.assign(self.momentum * velocity + gradient)
            if self.nesterov:
                step = gradient + self.momentum * velocity
            else:
                step = velocity
            variable.assign_sub(self.learning_rate * step)


def warmup_cosine_lr(
    step: int, base_lr: float = 0.1, warmup_steps: int = 100, total_steps: int = 1000
) -> tf.Tensor:
    """Linear warm-up to base_lr, then cosine decay to zero at total_steps."""
    step_f = tf.cast(step, tf.float32)
    warmup = base_lr * step_f / float(max(warmup_steps, 1))
    progress = (step_f - warmup_steps) / float(max(total_steps - warmup_steps, 1))
    cosine = 0.5 * base_lr * (1.0 + tf.cos(math.pi * tf.clip_by_value(progress, 0.0, 1.0)))
    return tf.where(step_f < warmup_steps, warmup, cosine)


def compute_loss(
    model: MLP, images: tf.Tensor, labels: tf.Tensor, weight_decay: float = 1e-4
) -> tf.Tensor:
    """Smoothed cross-entropy of the model on a uint8 batch plus L2 weight decay."""
    logits = model(normalize_batch(images))
    return softmax_cross_entropy(labels, logits) + weight_decay * l2_penalty(model.kernels)


def train_step(
    model: MLP, optimizer: MomentumSGD, images: tf.Tensor, labels: tf.Tensor
) -> tf.Tensor:
    """One optimisation step on a batch; returns the loss before the update."""
    with tf.GradientTape() as tape:
        loss = compute_loss(model, images, labels)
    variables = model.trainable_variables
    gradients = tape.gradient(loss, variables)
    optimizer.apply(gradients, variables)
    return loss


def logged_train_step(
    model: MLP, optimizer: MomentumSGD, images: tf.Tensor, labels: tf.Tensor, log_every: int = 10
) -> tf.Tensor:
    """train_step that counts global steps and logs the loss every `log_every` steps."""
    global GLOBAL_STEP
    loss = train_step(model, optimizer, images, labels)
    GLOBAL_STEP += 1
    if GLOBAL_STEP % log_every == 0:
        logger.info("step %d: loss %.4f", GLOBAL_STEP, float(loss))
    return loss


def evaluate(model: MLP, images: tf.Tensor, labels: tf.Tensor) -> dict[str, float]:
    """Loss (without smoothing) and accuracy on a held-out set; prints a one-line summary."""
    logits = model(normalize_batch(images))
    loss = float(softmax_cross_entropy(labels, logits, label_smoothing=0.0))
    acc = accuracy(labels, logits)
    print(f"eval: loss={loss:.4f} accuracy={acc:.3f}")
    return {"loss": loss, "accuracy": acc}


def predict_proba(model: MLP, images: tf.Tensor, temperature: float = 1.0) -> tf.Tensor:
    """Class probabilities for uint8 images, optionally temperature-scaled."""
    logits = model(normalize_batch(images))
    return tf.nn.softmax(logits / temperature, axis=-1)


def fit(
    model: MLP,
    optimizer: MomentumSGD,
    images: tf.Tensor,
    labels: tf.Tensor,
    epochs: int,
    batch_size: int = 8,
) -> list[float]:
    """Train for `epochs` epochs with a warm-up/cosine schedule; returns the mean loss per epoch."""
    steps_per_epoch = int(images.shape[0]) // batch_size
    total_steps = epochs * steps_per_epoch
    history = []
    step = 0
    for epoch in range(epochs):
        losses = []
        for batch_images, batch_labels in iterate_minibatches(images, labels, batch_size, epoch):
            lr = warmup_cosine_lr(step, warmup_steps=steps_per_epoch, total_steps=total_steps)
            optimizer.learning_rate.assign(lr)
            losses.append(float(logged_train_step(model, optimizer, batch_images, batch_labels)))
            step += 1
        history.append(sum(losses) / len(losses))
    return history
