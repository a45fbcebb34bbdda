from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tinytext import features
from tinytext.features import (
    ngram_hash_features,
    pad_or_truncate,
    positional_encoding,
    record_batch_stats,
    sequence_lengths,
    tfidf_features,
)


class PositionalEncodingTest(tf.test.TestCase):
    def test_shape_and_first_position(self):
        table = positional_encoding(12, 16)
        self.assertEqual(table.shape, (12, 16))
        self.assertAllClose(table[0, 0::2], np.zeros(8))
        self.assertAllClose(table[0, 1::2], np.ones(8))

    def test_odd_depth_is_cut(self):
        self.assertEqual(positional_encoding(5, 7).shape, (5, 7))

    def test_values_are_bounded(self):
        self.assertAllInRange(positional_encoding(30, 8), -1.0, 1.0)


@pytest.mark.parametrize("length", [4, 8, 12, 16, 20])
def test_pad_or_truncate_gives_the_requested_length(batch, length):
    tokens = batch[0]
    out = pad_or_truncate(tokens, length)
    assert out.shape == (8, length)
    keep = min(length, 12)
    np.testing.assert_array_equal(out[:, :keep].numpy(), tokens[:, :keep].numpy())
    assert (out[:, keep:].numpy() == 0).all()


def test_sequence_lengths_count_real_tokens():
    tokens = tf.constant([[5, 6, 0, 0], [7, 0, 0, 0], [1, 2, 3, 4]])
    np.testing.assert_array_equal(sequence_lengths(tokens).numpy(), [2, 1, 4])


def test_ngram_features_are_unit_length(batch):
    feats = ngram_hash_features(batch[0])
    assert feats.shape == (8, 64)
    np.testing.assert_allclose(tf.norm(feats, axis=-1).numpy(), 1.0, rtol=1e-5)


def test_ngram_features_ignore_padding(batch):
    tokens = batch[0]
    padded = tf.pad(tokens, [[0, 0], [0, 4]])
    np.testing.assert_allclose(ngram_hash_features(padded).numpy(), ngram_hash_features(tokens).numpy(), atol=1e-6)


def test_ngram_features_see_word_order():
    tokens = tf.constant([[20, 21, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0]] * 8)
    swapped = tf.constant([[21, 20, 23, 22, 0, 0, 0, 0, 0, 0, 0, 0]] * 8)
    assert not np.allclose(ngram_hash_features(tokens).numpy(), ngram_hash_features(swapped).numpy())


def test_tfidf_marks_the_words_present(batch):
    tfidf = tfidf_features(batch[0], vocab_size=64)
    assert tfidf.shape == (8, 64)
    row = batch[0][0].numpy()
    expected = sorted({int(i) for i in row if i != 0})
    assert np.flatnonzero(tfidf[0].numpy()).tolist() == expected
    np.testing.assert_allclose(tf.norm(tfidf, axis=-1).numpy(), 1.0, rtol=1e-5)


def test_tfidf_weighs_rare_words_up():
    tokens = tf.constant([[20, 21, 0, 0], [20, 22, 0, 0], [20, 23, 0, 0]])
    tfidf = tfidf_features(tokens, vocab_size=32).numpy()
    assert tfidf[0, 21] > tfidf[0, 20] > 0.0


def test_batch_stats_accumulate(corpus):
    tokens, _ = corpus
    before = len(features.BATCH_STATS)
    for start in range(0, 32, 8):
        record_batch_stats(tokens[start : start + 8])
    assert len(features.BATCH_STATS) == before + 4
    means = [float(m) for m in features.BATCH_STATS[-4:]]
    assert all(6.0 <= m <= 12.0 for m in means)
