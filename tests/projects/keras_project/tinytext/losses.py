"""A custom Keras loss: sparse cross-entropy with label smoothing, written out op by op."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


class SmoothedCrossEntropy(keras.losses.Loss):
    """Cross-entropy of logits against integer labels smoothed towards the uniform distribution."""

    def __init__(self, label_smoothing: float = 0.1, name: str = "smoothed_cross_entropy", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        num_classes = tf.shape(y_pred)[-1]
        one_hot = tf.one_hot(tf.cast(tf.reshape(y_true, [-1]), tf.int32), num_classes)
        uniform = 1.0 / tf.cast(num_classes, y_pred.dtype)
        targets = one_hot * (1.0 - self.label_smoothing) + self.label_smoothing * uniform
        log_probs = tf.nn.log_softmax(y_pred, axis=-1)
        confidence = tf.reduce_max(tf.nn.softmax(y_pred, axis=-1), axis=-1)
        # A small penalty on over-confident predictions keeps fine-tuning from collapsing.
        penalty = 0.05 * tf.square(tf.maximum(confidence - 0.95, 0.0))
        return -tf.reduce_sum(targets * log_probs, axis=-1) + penalty

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}
