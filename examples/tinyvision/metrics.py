"""Classification metrics: accuracy, macro precision/recall/F1, histograms, running means."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def accuracy(labels: tf.Tensor, logits: tf.Tensor) -> float:
    """Fraction of examples whose arg-max prediction equals the label."""
    predictions = tf.argmax(logits, axis=-1, output_type=tf.int32).numpy()
    return float(np.mean(predictions == labels.numpy()))


def precision_recall_f1(
    labels: tf.Tensor, logits: tf.Tensor, num_classes: int
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Macro-averaged precision, recall and F1; classes absent from both count as perfect."""
    predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
    predicted = tf.one_hot(predictions, num_classes)
    actual = tf.one_hot(labels, num_classes)
    true_positives = tf.reduce_sum(predicted * actual, axis=0)
    predicted_count = tf.reduce_sum(predicted, axis=0)
    actual_count = tf.reduce_sum(actual, axis=0)
    absent = tf.logical_and(predicted_count == 0, actual_count == 0)
    precision = tf.where(absent, 1.0, tf.math.divide_no_nan(true_positives, predicted_count))
    recall = tf.where(absent, 1.0, tf.math.divide_no_nan(true_positives, actual_count))
    f1 = tf.math.divide_no_nan(2.0 * precision * recall, precision + recall)
    f1 = tf.where(absent, 1.0, f1)
    return tf.reduce_mean(precision), tf.reduce_mean(recall), tf.reduce_mean(f1)


def prediction_histogram(logits: tf.Tensor, num_classes: int) -> tf.Tensor:
    """How many examples were predicted as each class (int32 [num_classes])."""
    counts = tf.Variable(tf.zeros([num_classes], tf.int32), trainable=False)
    predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
    counts.scatter_nd_add(predictions[:, tf.newaxis], tf.ones_like(predictions))
    return counts.read_value()


class StreamingMean(tf.Module):
    """A running mean over batches of values, kept in variables so it survives across steps."""

    def __init__(self, name: str | None = None):
        super().__init__(name=name)
        self.total = tf.Variable(0.0, trainable=False)
        self.count = tf.Variable(0.0, trainable=False)

    def update(self, values: tf.Tensor) -> None:
        values = tf.cast(values, tf.float32)
        self.total.assign_add(tf.reduce_sum(values))
        self.count.assign_add(tf.cast(tf.size(values), tf.float32))

    def result(self) -> tf.Tensor:
        return tf.math.divide_no_nan(self.total, self.count)
