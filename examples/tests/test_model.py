from __future__ import annotations

import numpy as np
import tensorflow as tf

from tinyvision.model import MLP, ResidualBlock, glorot_uniform
from tinyvision.preprocess import normalize_batch
from tinyvision.utils import count_parameters


class MLPTest(tf.test.TestCase):
    def test_glorot_bounds_and_reproducibility(self):
        first = glorot_uniform((30, 10), seed=4)
        limit = np.sqrt(6.0 / 40)
        self.assertAllLessEqual(tf.abs(first), limit)
        self.assertAllEqual(first, glorot_uniform((30, 10), seed=4))
        self.assertNotAllClose(first, glorot_uniform((30, 10), seed=5))

    def test_same_seed_gives_same_weights(self):
        first, second = MLP([12, 6, 2], seed=7), MLP([12, 6, 2], seed=7)
        for a, b in zip(first.trainable_variables, second.trainable_variables, strict=True):
            self.assertAllEqual(a, b)

    def test_parameter_count(self):
        model = MLP([48, 16, 3])
        self.assertEqual(count_parameters(model), 48 * 16 + 16 + 16 * 3 + 3)
        self.assertLen(model.trainable_variables, 4)


def test_mlp_flattens_images_into_logits(mlp, batch):
    logits = mlp(normalize_batch(batch[0]))
    assert logits.shape == (8, 4)
    assert np.all(np.isfinite(logits.numpy()))


def test_mlp_is_deterministic_and_input_sensitive(mlp, batch):
    logits = mlp(normalize_batch(batch[0]))
    other = mlp(normalize_batch(batch[0]) * 3.0)
    assert not np.allclose(logits.numpy(), other.numpy())
    np.testing.assert_allclose(mlp(normalize_batch(batch[0])).numpy(), logits.numpy())


def test_residual_block_preserves_shape():
    block = ResidualBlock(32)
    inputs = tf.random.stateless_normal([8, 16], seed=[1, 1])
    outputs = block(inputs)
    assert outputs.shape == (8, 16)
    assert len(block.trainable_weights) == 6


def test_residual_block_with_zero_projection_is_identity():
    block = ResidualBlock(8)
    inputs = tf.random.stateless_normal([8, 16], seed=[2, 2])
    block(inputs)
    for weight in block.project.weights:
        weight.assign(tf.zeros_like(weight))
    np.testing.assert_allclose(block(inputs).numpy(), inputs.numpy(), atol=1e-6)
