from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tinytext.layers import AttentionPooling, PositionalEmbedding, TransformerBlock


@pytest.fixture(scope="module")
def block() -> TransformerBlock:
    keras.utils.set_random_seed(3)
    layer = TransformerBlock(16, num_heads=2, ff_dim=32)
    layer.build((4, 6, 16))
    return layer


@pytest.fixture(scope="module")
def pooling() -> AttentionPooling:
    keras.utils.set_random_seed(4)
    layer = AttentionPooling()
    layer.build((4, 6, 16))
    return layer


def _hidden(seed: int) -> tf.Tensor:
    return tf.random.stateless_normal([4, 6, 16], seed=[seed, 0])


MASK = tf.constant([[True] * 6, [True] * 4 + [False] * 2, [True] * 3 + [False] * 3, [True] * 5 + [False]])


class PositionalEmbeddingTest(tf.test.TestCase):
    def test_shape_and_position_dependence(self):
        layer = PositionalEmbedding(vocab_size=30, max_len=8, dim=4)
        out = layer(tf.constant([[3, 3, 3, 3]]))
        self.assertEqual(out.shape, (1, 4, 4))
        self.assertNotAllClose(out[0, 0], out[0, 1])

    def test_config_round_trip(self):
        layer = PositionalEmbedding(vocab_size=30, max_len=8, dim=4, name="pos")
        clone = PositionalEmbedding.from_config(layer.get_config())
        self.assertEqual((clone.vocab_size, clone.max_len, clone.dim, clone.name), (30, 8, 4, "pos"))


def test_transformer_block_keeps_the_shape(block):
    out = block(_hidden(1), mask=MASK)
    assert out.shape == (4, 6, 16)
    # Post-norm: every position comes out normalised.
    np.testing.assert_allclose(tf.reduce_mean(out, axis=-1).numpy(), 0.0, atol=1e-5)


def test_transformer_block_ignores_masked_positions(block):
    hidden = _hidden(2).numpy()
    noisy = hidden.copy()
    noisy[1, 4:] += 10.0  # only padded positions of row 1 change
    out, out_noisy = block(tf.constant(hidden), mask=MASK), block(tf.constant(noisy), mask=MASK)
    np.testing.assert_allclose(out[1, :4].numpy(), out_noisy[1, :4].numpy(), atol=1e-5)
    np.testing.assert_allclose(out[0].numpy(), out_noisy[0].numpy(), atol=1e-6)


def test_transformer_block_config_round_trip(block):
    clone = TransformerBlock.from_config(block.get_config())
    assert (clone.dim, clone.num_heads, clone.ff_dim) == (16, 2, 32)


def test_attention_pooling_weights_form_a_distribution(pooling):
    pooled = pooling(_hidden(3), mask=MASK)
    assert pooled.shape == (4, 16)
    weights = pooling.last_attention.numpy()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)
    assert (weights[~MASK.numpy()] < 1e-6).all()


def test_attention_pooling_is_a_convex_combination(pooling):
    hidden = _hidden(4)
    pooled = pooling(hidden, mask=MASK).numpy()
    expected = np.einsum("bt,btd->bd", pooling.last_attention.numpy(), hidden.numpy())
    np.testing.assert_allclose(pooled, expected, rtol=1e-5, atol=1e-6)
