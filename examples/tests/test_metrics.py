from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tinyvision.metrics import StreamingMean, accuracy, precision_recall_f1, prediction_histogram

LABELS = tf.constant([0, 1, 2, 3, 0, 1, 2, 3])
PERFECT = tf.one_hot(LABELS, 4) * 5.0


def test_accuracy_perfect_and_half():
    assert accuracy(LABELS, PERFECT) == 1.0
    half = tf.one_hot(tf.constant([0, 1, 2, 3, 1, 2, 3, 0]), 4)
    assert accuracy(LABELS, half) == 0.5


def test_precision_recall_f1_perfect():
    precision, recall, f1 = precision_recall_f1(LABELS, PERFECT, num_classes=4)
    assert (float(precision), float(recall), float(f1)) == (1.0, 1.0, 1.0)


def test_precision_recall_f1_against_a_hand_count():
    predicted = tf.one_hot(tf.constant([0, 0, 2, 3, 0, 1, 2, 2]), 4)
    precision, recall, f1 = precision_recall_f1(LABELS, predicted, num_classes=4)
    # Per class precision: 2/3, 1/1, 2/3, 1/1; recall: 2/2, 1/2, 2/2, 1/2.
    assert float(precision) == pytest.approx((2 / 3 + 1 + 2 / 3 + 1) / 4)
    assert float(recall) == pytest.approx(0.75)
    expected_f1 = np.mean([0.8, 2 / 3, 0.8, 2 / 3])
    assert float(f1) == pytest.approx(expected_f1, rel=1e-5)


def test_prediction_histogram_counts_every_example(mlp, float_batch):
    logits = mlp(float_batch)
    counts = prediction_histogram(logits, 4).numpy()
    assert counts.sum() == 8
    np.testing.assert_array_equal(prediction_histogram(PERFECT, 4).numpy(), [2, 2, 2, 2])


class StreamingMeanTest(tf.test.TestCase):
    def test_mean_over_batches(self):
        metric = StreamingMean()
        metric.update(tf.constant([1.0, 2.0, 3.0]))
        metric.update(tf.constant([4.0, 5.0, 6.0]))
        self.assertAllClose(metric.result(), 3.5)

    def test_empty_mean_is_zero(self):
        self.assertAllClose(StreamingMean().result(), 0.0)

    def test_integer_values_are_cast(self):
        metric = StreamingMean()
        metric.update(tf.constant([1, 2]))
        self.assertAllClose(metric.result(), 1.5)
