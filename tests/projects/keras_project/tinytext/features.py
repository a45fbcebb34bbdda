"""Feature transforms on token-id batches: positions, padding, hashed n-grams, bag of words."""

from __future__ import annotations

import math

import tensorflow as tf

from tinytext.data import PAD_ID

#: Length statistics of every batch seen by `record_batch_stats`, in call order.
BATCH_STATS: list[tf.Tensor] = []


def positional_encoding(length: int, depth: int) -> tf.Tensor:
    """The sinusoidal position table [length, depth] of the Transformer paper."""
    positions = tf.range(length, dtype=tf.float32)[:, tf.newaxis]
    rates = tf.pow(10000.0, -tf.range(0, depth, 2, dtype=tf.float32) / float(depth))
    angles = positions * rates[tf.newaxis, :]
    table = tf.stack([tf.sin(angles), tf.cos(angles)], axis=-1)
    return tf.reshape(table, [length, 2 * math.ceil(depth / 2)])[:, :depth]


def pad_or_truncate(tokens: tf.Tensor, length: int) -> tf.Tensor:
    """Cut or right-pad every row to exactly `length` ids."""
    tokens = tokens[:, :length]
    missing = tf.maximum(length - tf.shape(tokens)[1], 0)
    return tf.pad(tokens, [[0, 0], [0, missing]], constant_values=PAD_ID)


def sequence_lengths(tokens: tf.Tensor) -> tf.Tensor:
    """Number of non-padding ids per row."""
    return tf.reduce_sum(tf.cast(tokens != PAD_ID, tf.int32), axis=-1)


def ngram_hash_features(tokens: tf.Tensor, num_buckets: int = 64) -> tf.Tensor:
    """L2-normalised counts of hashed unigrams and bigrams per row: a float32 [batch, num_buckets]."""
    tokens = tf.cast(tokens, tf.int64)
    valid = tokens != PAD_ID
    bigrams = tokens[:, :-1] * 1_000_003 + tokens[:, 1:] * 7919 + 17
    bigram_valid = valid[:, :-1] & valid[:, 1:]
    grams = tf.concat([tokens * 2_654_435_761, bigrams], axis=1)
    keep = tf.concat([valid, bigram_valid], axis=1)
    buckets = tf.math.floormod(grams, num_buckets)
    weights = tf.cast(keep, tf.float32)
    one_hot = tf.one_hot(buckets, num_buckets) * weights[:, :, tf.newaxis]
    counts = tf.reduce_sum(one_hot, axis=1)
    tf_weight = tf.math.log1p(counts)
    norm = tf.sqrt(tf.reduce_sum(tf.square(tf_weight), axis=-1, keepdims=True))
    return tf_weight / tf.maximum(norm, 1e-6)


def tfidf_features(tokens: tf.Tensor, vocab_size: int) -> tf.Tensor:
    """TF-IDF of each vocabulary id per row, IDF taken over the batch, rows L2-normalised."""
    counts = tf.cast(tf.math.bincount(tokens, minlength=vocab_size, maxlength=vocab_size, axis=-1), tf.float32)
    counts = counts * tf.one_hot(PAD_ID, vocab_size, on_value=0.0, off_value=1.0)  # drop padding
    documents = tf.cast(tf.shape(tokens)[0], tf.float32)
    document_frequency = tf.reduce_sum(tf.cast(counts > 0, tf.float32), axis=0)
    idf = tf.math.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0
    tfidf = tf.math.log1p(counts) * idf
    return tf.math.l2_normalize(tfidf, axis=-1)


def record_batch_stats(tokens: tf.Tensor) -> tf.Tensor:
    """Mean real length of the batch; also appended to BATCH_STATS for the data report."""
    mean_length = tf.reduce_mean(tf.cast(sequence_lengths(tokens), tf.float32))
    BATCH_STATS.append(mean_length)
    return mean_length
