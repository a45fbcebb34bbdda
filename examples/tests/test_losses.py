from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tinyvision.losses import focal_loss, l2_penalty, mean_squared_error, softmax_cross_entropy

LABELS = tf.constant([0, 1, 2, 3, 0, 1, 2, 3])


@pytest.fixture(scope="module")
def logits():
    return tf.random.stateless_normal([8, 4], seed=[5, 5]) * 2.0


def test_cross_entropy_without_smoothing_matches_tensorflow(logits):
    expected = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=LABELS, logits=logits)
    )
    assert float(softmax_cross_entropy(LABELS, logits, label_smoothing=0.0)) == pytest.approx(
        float(expected), rel=1e-5
    )


def test_smoothing_penalises_confident_predictions():
    confident = tf.one_hot(LABELS, 4) * 20.0
    assert float(softmax_cross_entropy(LABELS, confident)) > float(
        softmax_cross_entropy(LABELS, confident, label_smoothing=0.0)
    )


def test_focal_loss_is_smaller_for_easy_examples(logits):
    easy = tf.one_hot(LABELS, 4) * 6.0
    assert float(focal_loss(LABELS, easy)) < float(focal_loss(LABELS, logits))
    assert float(focal_loss(LABELS, easy)) > 0.0


def test_focal_loss_without_focusing_is_weighted_cross_entropy(logits):
    loss = float(focal_loss(LABELS, logits, gamma=0.0, alpha=1.0))
    probs = tf.nn.softmax(logits).numpy()[np.arange(8), LABELS.numpy()]
    expected = float(np.mean(-np.log(probs)))
    assert loss == pytest.approx(expected, rel=1e-4)


def test_mean_squared_error():
    targets = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(mean_squared_error(targets, targets)) == 0.0
    assert float(mean_squared_error(targets, targets + 2.0)) == pytest.approx(4.0)


def test_l2_penalty_is_half_the_squared_norm():
    variables = [tf.Variable([[3.0, 4.0]]), tf.Variable([1.0, 2.0])]
    assert float(l2_penalty(variables)) == pytest.approx((25.0 + 5.0) / 2)
