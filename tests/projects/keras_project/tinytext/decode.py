"""Decoding with a next-token model (greedy, beam search), logit filtering, and ids back to text."""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import keras
import tensorflow as tf

from tinytext.data import PAD_ID


def greedy_decode(model: keras.Model, prompt: tf.Tensor, steps: int) -> tf.Tensor:
    """Extend every prompt row by `steps` argmax tokens; returns only the new ids [batch, steps]."""
    tokens = prompt
    for _ in range(steps):
        logits = model(tokens)
        next_ids = tf.argmax(logits, axis=-1, output_type=tf.int32)
        tokens = tf.concat([tokens, next_ids[:, tf.newaxis]], axis=1)
    return tokens[:, tf.shape(prompt)[1] :]


def top_k_filter(logits: tf.Tensor, k: int) -> tf.Tensor:
    """Keep the k largest logits per row; the rest become -inf for sampling."""
    kth_largest = tf.math.top_k(logits, k=k).values[:, -1:]
    return tf.where(logits < kth_largest, tf.constant(float("-inf"), logits.dtype), logits)


def beam_search(model: keras.Model, prompt: tf.Tensor, steps: int, beam_width: int = 3) -> list[int]:
    """Best continuation of ONE prompt [1, T] by summed log-probability, as Python ids."""
    beams: list[tuple[float, list[int]]] = [(0.0, [])]
    prefix = prompt[0].numpy().tolist()
    for _ in range(steps):
        candidates = []
        batch = tf.constant([prefix + ids for _, ids in beams], tf.int32)
        log_probs = tf.nn.log_softmax(model(batch), axis=-1).numpy()
        for (score, ids), row in zip(beams, log_probs, strict=True):
            for token in row.argsort()[-beam_width:]:
                candidates.append((score + float(row[token]), ids + [int(token)]))
        beams = heapq.nlargest(beam_width, candidates, key=lambda beam: beam[0])
    return beams[0][1]


def ids_to_text(token_ids: tf.Tensor, inverse_vocab: Mapping[int, str]) -> list[str]:
    """Join each row's words, skipping padding: the post-processing step before display."""
    rows = token_ids.numpy().tolist()
    return [" ".join(inverse_vocab.get(i, "<unk>") for i in row if i != PAD_ID) for row in rows]
