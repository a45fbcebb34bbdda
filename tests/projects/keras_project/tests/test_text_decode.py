from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tinytext.decode import beam_search, greedy_decode, ids_to_text, top_k_filter

PROMPT = tf.constant([[20, 21, 22], [30, 31, 32]])


def test_greedy_decode_appends_argmax_tokens(language_model):
    new = greedy_decode(language_model, PROMPT, steps=4)
    assert new.shape == (2, 4)
    first = tf.argmax(language_model(PROMPT), axis=-1, output_type=tf.int32)
    np.testing.assert_array_equal(new[:, 0].numpy(), first.numpy())


def test_greedy_decode_is_deterministic_and_prefix_consistent(language_model):
    long = greedy_decode(language_model, PROMPT, steps=6)
    short = greedy_decode(language_model, PROMPT, steps=4)
    np.testing.assert_array_equal(long[:, :4].numpy(), short.numpy())


def test_beam_width_one_is_greedy(language_model):
    prompt = PROMPT[:1]
    beam = beam_search(language_model, prompt, steps=3, beam_width=1)
    assert beam == greedy_decode(language_model, prompt, steps=3)[0].numpy().tolist()


def test_beam_search_scores_at_least_greedy(language_model):
    prompt = PROMPT[1:]

    def score(ids):
        tokens, total = prompt.numpy().tolist()[0], 0.0
        for token in ids:
            log_probs = tf.nn.log_softmax(language_model(tf.constant([tokens])), axis=-1)
            total += float(log_probs[0, token])
            tokens.append(token)
        return total

    beam = beam_search(language_model, prompt, steps=3, beam_width=3)
    greedy = greedy_decode(language_model, prompt, steps=3)[0].numpy().tolist()
    assert len(beam) == 3
    assert score(beam) >= score(greedy) - 1e-5


@pytest.mark.parametrize("k", [1, 3])
def test_top_k_filter_keeps_k_logits(k):
    logits = tf.constant([[0.1, 2.0, -1.0, 0.7, 1.5], [3.0, 2.0, 1.0, 0.0, -1.0]])
    kept = np.isfinite(top_k_filter(logits, k).numpy())
    assert kept.sum(axis=-1).tolist() == [k, k]
    assert kept[1, :k].all()


def test_ids_to_text_skips_padding():
    inverse = {5: "good", 6: "film", 7: "bad"}
    ids = tf.constant([[5, 6, 0], [7, 9, 0]])
    assert ids_to_text(ids, inverse) == ["good film", "bad <unk>"]
