"""Training callbacks: a history logger and a linear learning-rate warm-up."""

from __future__ import annotations

import logging
from typing import Any

import keras
import tensorflow as tf

logger = logging.getLogger(__name__)


class HistoryLogger(keras.callbacks.Callback):
    """Keeps each epoch's logs plus the weight norm, and logs a line per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[dict[str, float]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        squares = [tf.reduce_sum(tf.square(weight)) for weight in self.model.trainable_weights]
        entry = {name: float(value) for name, value in (logs or {}).items()}
        entry["weight_norm"] = float(tf.sqrt(tf.add_n(squares)))
        self.history.append(entry)
        logger.info("epoch %d: %s", epoch, ", ".join(f"{k}={v:.4f}" for k, v in entry.items()))


class LinearWarmup(keras.callbacks.Callback):
    """Raises the optimizer's learning rate linearly to `target` over the first `warmup_batches`."""

    def __init__(self, target: float, warmup_batches: int) -> None:
        super().__init__()
        self.target, self.warmup_batches = target, warmup_batches
        self.batches_seen = 0

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        fraction = tf.minimum(1.0, (self.batches_seen + 1) / self.warmup_batches)
        self.model.optimizer.learning_rate.assign(self.target * fraction)
        self.batches_seen += 1
