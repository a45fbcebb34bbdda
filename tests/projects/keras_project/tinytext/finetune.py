"""Manual fine-tuning with GradientTape: a clipped Adam step and the Python loop around it."""

from __future__ import annotations

import logging

import keras
import tensorflow as tf

from tinytext.losses import SmoothedCrossEntropy

logger = logging.getLogger(__name__)


class FineTuner:
    """Fine-tunes a built classifier on new batches with its own optimizer and loss."""

    def __init__(self, model: keras.Model, learning_rate: float = 1e-3, clip_norm: float = 1.0):
        self.model = model
        self.optimizer = keras.optimizers.Adam(learning_rate)
        # Build the slots now: the first step then only reads and assigns variables.
        self.optimizer.build(model.trainable_variables)
        self.loss_fn = SmoothedCrossEntropy(label_smoothing=0.05)
        self.clip_norm = clip_norm
        self.history: list[float] = []

    def step(self, tokens: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """One clipped update; returns the loss before it."""
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(self.loss_fn(labels, self.model(tokens, training=True)))
        gradients = tape.gradient(loss, variables)
        clipped, _ = tf.clip_by_global_norm(gradients, self.clip_norm)
        self.optimizer.apply_gradients(zip(clipped, variables, strict=True))
        return loss

    def run(self, dataset: tf.data.Dataset, epochs: int) -> list[float]:
        """Fine-tune for `epochs` passes; returns (and keeps) the mean loss of each pass."""
        for epoch in range(epochs):
            total, batches = 0.0, 0
            for tokens, labels in dataset:
                total += float(self.step(tokens, labels))
                batches += 1
            self.history.append(total / max(batches, 1))
            logger.info("fine-tune epoch %d: mean loss %.4f", epoch, self.history[-1])
        return self.history
