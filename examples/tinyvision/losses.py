"""Classification and regression losses."""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf


def softmax_cross_entropy(
    labels: tf.Tensor, logits: tf.Tensor, label_smoothing: float = 0.1
) -> tf.Tensor:
    """Mean cross-entropy between int labels and logits, with label smoothing."""
    num_classes = tf.shape(logits)[-1]
    onehot = tf.one_hot(labels, num_classes, dtype=logits.dtype)
    uniform = 1.0 / tf.cast(num_classes, logits.dtype)
    targets = onehot * (1.0 - label_smoothing) + label_smoothing * uniform
    log_probs = logits - tf.reduce_logsumexp(logits, axis=-1, keepdims=True)
    per_example = -tf.reduce_sum(targets * log_probs, axis=-1)
    return tf.reduce_mean(per_example)


def focal_loss(
    labels: tf.Tensor, logits: tf.Tensor, gamma: float = 2.0, alpha: float = 0.25
) -> tf.Tensor:
    """Multi-class focal loss (Lin et al. 2017): down-weights well-classified examples."""
    num_classes = tf.shape(logits)[-1]
    onehot = tf.one_hot(labels, num_classes, dtype=logits.dtype)
    log_probs = tf.nn.log_softmax(logits, axis=-1)
    probs = tf.exp(log_probs)
    p_true = tf.reduce_sum(onehot * probs, axis=-1)
    log_p_true = tf.reduce_sum(onehot * log_probs, axis=-1)
    modulating = tf.pow(1.0 - p_true, gamma)
    weight = alpha * modulating + (1.0 - alpha) * modulating * tf.cast(p_true < 0.5, logits.dtype)
    per_example = -weight * log_p_true
    return tf.reduce_sum(per_example) / tf.maximum(tf.cast(tf.size(labels), logits.dtype), 1.0)


def mean_squared_error(targets: tf.Tensor, predictions: tf.Tensor) -> tf.Tensor:
    """Mean squared error over all elements."""
    return tf.reduce_mean(tf.square(targets - predictions))


def l2_penalty(variables: Sequence[tf.Variable]) -> tf.Tensor:
    """Sum of squared weights / 2 over the given variables (weight decay)."""
    return tf.add_n([tf.nn.l2_loss(variable) for variable in variables])
