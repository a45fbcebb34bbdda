"""Synthetic token corpora, a tiny vocabulary, and tf.data input pipelines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

PAD_ID = 0
UNKNOWN_ID = 1
# Sentiment-bearing token ids: a negative example holds some of the first, a positive some of the second.
NEGATIVE_TOKENS = np.arange(2, 8)
POSITIVE_TOKENS = np.arange(8, 14)
FIRST_NEUTRAL_TOKEN = 14


def make_corpus(
    num_examples: int, seq_len: int, vocab_size: int, seed: int
) -> tuple[tf.Tensor, tf.Tensor]:
    """Token ids [N, seq_len] and labels [N] (0 negative, 1 neutral, 2 positive), with padding."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(FIRST_NEUTRAL_TOKEN, vocab_size, size=(num_examples, seq_len))
    labels = rng.integers(0, 3, size=num_examples)
    lengths = rng.integers(seq_len // 2, seq_len + 1, size=num_examples)
    for row, (label, length) in enumerate(zip(labels, lengths, strict=True)):
        if label != 1:
            marked = rng.choice(length, size=3, replace=False)
            pool = NEGATIVE_TOKENS if label == 0 else POSITIVE_TOKENS
            tokens[row, marked] = rng.choice(pool, size=3)
        tokens[row, length:] = PAD_ID
    return tf.constant(tokens, tf.int32), tf.constant(labels, tf.int32)


def build_vocabulary(texts: Sequence[str], max_size: int) -> dict[str, int]:
    """Word -> id, most frequent first, after the reserved padding and unknown ids."""
    counts = Counter(word for text in texts for word in text.lower().split())
    words = [word for word, _ in counts.most_common(max_size - 2)]
    return {"<pad>": PAD_ID, "<unk>": UNKNOWN_ID} | {w: i + 2 for i, w in enumerate(words)}


def encode_texts(texts: Sequence[str], vocab: dict[str, int], max_len: int) -> tf.Tensor:
    """Whitespace-tokenize, map to ids, pad or cut to max_len: an int32 [len(texts), max_len]."""
    rows = []
    for text in texts:
        ids = [vocab.get(word, UNKNOWN_ID) for word in text.lower().split()][:max_len]
        rows.append(ids + [PAD_ID] * (max_len - len(ids)))
    return tf.constant(rows, dtype=tf.int32)


def mask_random_tokens(tokens: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Augmentation for Dataset.map: replace about 10% of the real tokens with <unk>."""
    noise = tf.random.uniform(tf.shape(tokens))
    masked = tf.where((noise < 0.1) & (tokens != PAD_ID), UNKNOWN_ID, tokens)
    return masked, label


def make_dataset(
    tokens: tf.Tensor, labels: tf.Tensor, batch_size: int, augment: bool = False, seed: int = 0
) -> tf.data.Dataset:
    """Shuffled, optionally augmented, fixed-size batches (the last partial batch is dropped)."""
    dataset = tf.data.Dataset.from_tensor_slices((tokens, labels))
    dataset = dataset.shuffle(256, seed=seed, reshuffle_each_iteration=False)
    if augment:
        dataset = dataset.map(mask_random_tokens)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(2)
