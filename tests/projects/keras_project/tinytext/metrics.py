"""A streaming macro-F1 Keras metric and a per-class report for people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf


class MacroF1(keras.metrics.Metric):
    """Macro-averaged F1 over integer labels and class logits, accumulated across batches."""

    def __init__(self, num_classes: int, name: str = "macro_f1", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        shape = (num_classes,)
        self.true_positives = self.add_variable(shape=shape, initializer="zeros", name="tp")
        self.false_positives = self.add_variable(shape=shape, initializer="zeros", name="fp")
        self.false_negatives = self.add_variable(shape=shape, initializer="zeros", name="fn")

    def update_state(self, y_true: tf.Tensor, y_pred: tf.Tensor, sample_weight: tf.Tensor | None = None) -> None:
        actual = tf.one_hot(tf.cast(tf.reshape(y_true, [-1]), tf.int32), self.num_classes)
        predicted = tf.one_hot(tf.argmax(y_pred, axis=-1, output_type=tf.int32), self.num_classes)
        if sample_weight is not None:
            weight = tf.cast(tf.reshape(sample_weight, [-1, 1]), actual.dtype)
            actual, predicted = actual * weight, predicted * weight
        self.true_positives.assign_add(tf.reduce_sum(actual * predicted, axis=0))
        self.false_positives.assign_add(tf.reduce_sum((1.0 - actual) * predicted, axis=0))
        self.false_negatives.assign_add(tf.reduce_sum(actual * (1.0 - predicted), axis=0))

    def result(self) -> tf.Tensor:
        tp = tf.convert_to_tensor(self.true_positives)
        precision = tp / tf.maximum(tp + self.false_positives, 1e-7)
        recall = tp / tf.maximum(tp + self.false_negatives, 1e-7)
        f1 = 2.0 * precision * recall / tf.maximum(precision + recall, 1e-7)
        return tf.reduce_mean(f1)

    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(tf.zeros_like(variable))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_classes": self.num_classes}


def per_class_report(labels: tf.Tensor, logits: tf.Tensor, class_names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall and support per class name, as plain Python numbers for a table."""
    predicted = tf.argmax(logits, axis=-1, output_type=tf.int32).numpy()
    actual = tf.reshape(labels, [-1]).numpy()
    report = {}
    for index, name in enumerate(class_names):
        hits = float(((predicted == index) & (actual == index)).sum())
        report[name] = {
            "precision": hits / max(float((predicted == index).sum()), 1.0),
            "recall": hits / max(float((actual == index).sum()), 1.0),
            "support": float((actual == index).sum()),
        }
    return report
