from __future__ import annotations

import numpy as np
import tensorflow as tf

from tinytext.data import (
    NEGATIVE_TOKENS,
    PAD_ID,
    POSITIVE_TOKENS,
    UNKNOWN_ID,
    build_vocabulary,
    encode_texts,
    make_corpus,
    make_dataset,
)


class CorpusTest(tf.test.TestCase):
    def test_shapes_dtypes_and_label_range(self):
        tokens, labels = make_corpus(20, 10, 50, seed=3)
        self.assertEqual(tokens.shape, (20, 10))
        self.assertEqual(tokens.dtype, tf.int32)
        self.assertAllInRange(labels, 0, 2)
        self.assertAllInRange(tokens, 0, 49)

    def test_sentiment_tokens_follow_the_label(self):
        tokens, labels = make_corpus(40, 10, 50, seed=4)
        for row, label in zip(tokens.numpy(), labels.numpy(), strict=True):
            has_negative = np.isin(row, NEGATIVE_TOKENS).any()
            has_positive = np.isin(row, POSITIVE_TOKENS).any()
            self.assertEqual((has_negative, has_positive), (label == 0, label == 2))

    def test_padding_is_a_suffix_and_seeded(self):
        tokens, _ = make_corpus(30, 12, 50, seed=5)
        for row in tokens.numpy():
            real = row != PAD_ID
            self.assertTrue(real[: real.sum()].all())
        self.assertAllEqual(tokens, make_corpus(30, 12, 50, seed=5)[0])


def test_vocabulary_is_ordered_by_frequency():
    vocab = build_vocabulary(["the cat sat", "the dog sat", "the end"], max_size=5)
    assert vocab["<pad>"] == PAD_ID and vocab["<unk>"] == UNKNOWN_ID
    assert vocab["the"] == 2 and vocab["sat"] == 3
    assert len(vocab) == 5


def test_encode_texts_pads_cuts_and_maps_unknown_words():
    vocab = build_vocabulary(["good movie", "bad movie"], max_size=10)
    ids = encode_texts(["Good movie", "an awful movie it was"], vocab, max_len=4)
    assert ids.shape == (2, 4)
    first, second = ids.numpy().tolist()
    assert first == [vocab["good"], vocab["movie"], PAD_ID, PAD_ID]
    assert second == [UNKNOWN_ID, UNKNOWN_ID, vocab["movie"], UNKNOWN_ID]


def test_dataset_drops_the_partial_batch(corpus):
    tokens, labels = corpus
    batches = list(make_dataset(tokens[:50], labels[:50], batch_size=16))
    assert len(batches) == 3
    assert all(b[0].shape == (16, 12) for b in batches)


def test_dataset_shuffle_is_seeded(corpus):
    first = next(iter(make_dataset(*corpus, batch_size=8, seed=2)))[1]
    again = next(iter(make_dataset(*corpus, batch_size=8, seed=2)))[1]
    np.testing.assert_array_equal(first.numpy(), again.numpy())


def test_augmentation_only_masks_real_tokens(corpus):
    tf.random.set_seed(7)
    tokens, labels = corpus
    plain = tf.concat([b[0] for b in make_dataset(tokens, labels, 16, seed=1)], axis=0)
    masked = tf.concat([b[0] for b in make_dataset(tokens, labels, 16, augment=True, seed=1)], axis=0)
    changed = plain.numpy() != masked.numpy()
    assert changed.any()
    assert (masked.numpy()[changed] == UNKNOWN_ID).all()
    assert (plain.numpy()[changed] != PAD_ID).all()
