from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tinytext.losses import SmoothedCrossEntropy
from tinytext.metrics import MacroF1, per_class_report
from tinytext.models import NextTokenModel, TextClassifier


class ClassifierTest(tf.test.TestCase):
    def test_config_round_trip(self):
        model = TextClassifier(vocab_size=40, max_len=10, num_classes=4, dim=8, token_drop_rate=0.2)
        clone = TextClassifier.from_config(model.get_config())
        self.assertEqual((clone.vocab_size, clone.num_classes, clone.dim), (40, 4, 8))
        self.assertAllClose(clone.token_drop_rate, 0.2)

    def test_metrics_are_listed_for_reset(self):
        model = TextClassifier(vocab_size=40, max_len=10)
        self.assertEqual([m.name for m in model.metrics], ["loss", "macro_f1"])


def test_classifier_logits_shape_and_determinism(classifier, batch):
    logits = classifier(batch[0])
    assert logits.shape == (8, 3)
    np.testing.assert_allclose(classifier(batch[0]).numpy(), logits.numpy(), rtol=1e-6)


def test_classifier_rows_are_independent(classifier, batch):
    tokens = batch[0].numpy()
    edited = tokens.copy()
    edited[0, :3] = [8, 9, 10]  # positive words in the first row only
    before, after = classifier(tokens).numpy(), classifier(edited).numpy()
    np.testing.assert_allclose(after[1:], before[1:], rtol=1e-5, atol=1e-6)
    assert not np.allclose(after[0], before[0])


def test_classifier_exposes_its_attention_map(classifier, batch):
    classifier(batch[0])
    attention = classifier.pooling.last_attention.numpy()
    assert attention.shape == (8, 12)
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, rtol=1e-5)


def test_test_step_reports_loss_and_f1(classifier, batch):
    for metric in classifier.metrics:
        metric.reset_state()
    results = classifier.test_step(batch)
    assert set(results) == {"loss", "macro_f1"}
    assert 0.5 < float(results["loss"]) < 3.0
    assert 0.0 <= float(results["macro_f1"]) <= 1.0


def test_next_token_model_gives_vocabulary_logits(language_model, batch):
    logits = language_model(batch[0][:, :5])
    assert logits.shape == (8, 64)
    assert np.isfinite(logits.numpy()).all()


class MacroF1Test(tf.test.TestCase):
    def test_perfect_predictions_score_one_then_reset(self):
        metric = MacroF1(3)
        labels = tf.constant([0, 1, 2, 1])
        metric.update_state(labels, tf.one_hot(labels, 3))
        self.assertAllClose(metric.result(), 1.0)
        metric.reset_state()
        self.assertAllClose(metric.result(), 0.0)

    def test_hand_computed_example_over_two_batches(self):
        metric = MacroF1(3)
        metric.update_state(tf.constant([0, 0, 1, 2]), tf.one_hot([0, 1, 1, 2], 3))
        metric.update_state(tf.constant([2, 2, 1, 0]), tf.one_hot([2, 0, 1, 0], 3))
        # class 0: tp 2 fp 1 fn 1 -> 2/3; class 1: tp 2 fp 1 fn 0 -> 0.8; class 2: tp 2 fp 0 fn 1 -> 0.8
        self.assertAllClose(metric.result(), (2 / 3 + 0.8 + 0.8) / 3, rtol=1e-5)

    def test_sample_weight_drops_examples(self):
        metric = MacroF1(2)
        metric.update_state(tf.constant([0, 1, 1, 0]), tf.one_hot([0, 1, 0, 0], 2), sample_weight=tf.constant([1.0, 1.0, 0.0, 1.0]))
        self.assertAllClose(metric.result(), 1.0)


def test_smoothed_cross_entropy_matches_keras_below_the_penalty():
    logits = tf.constant([[1.0, 0.5, -0.5], [0.0, 0.2, 0.1]])
    labels = tf.constant([0, 2])
    ours = SmoothedCrossEntropy(label_smoothing=0.1)(labels, logits)
    reference = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(tf.one_hot(labels, 3), logits)
    np.testing.assert_allclose(float(ours), float(reference), rtol=1e-5)


def test_smoothed_cross_entropy_penalises_overconfidence():
    confident = tf.constant([[12.0, 0.0, 0.0]])
    loss = SmoothedCrossEntropy(label_smoothing=0.0, reduction=None)
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    assert float(loss(tf.constant([0]), confident)[0]) > float(plain(tf.constant([0]), confident)[0])


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_smoothed_cross_entropy_is_smallest_at_the_label(smoothing):
    loss = SmoothedCrossEntropy(label_smoothing=smoothing)
    logits = tf.constant([[2.0, 0.0, 0.0]] * 4)
    right, wrong = loss(tf.constant([0] * 4), logits), loss(tf.constant([1] * 4), logits)
    assert float(right) < float(wrong)


def test_per_class_report(batch):
    labels = tf.constant([0, 1, 2, 2])
    logits = tf.one_hot([0, 2, 2, 1], 3)
    report = per_class_report(labels, logits, ["neg", "neutral", "pos"])
    assert report["neg"] == {"precision": 1.0, "recall": 1.0, "support": 1.0}
    assert report["pos"]["precision"] == 0.5 and report["pos"]["recall"] == 0.5
    assert report["neutral"]["recall"] == 0.0
