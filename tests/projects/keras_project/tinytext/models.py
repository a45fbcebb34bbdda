"""Subclassed Keras models: a Transformer text classifier with its own steps, a GRU next-token model."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tinytext.data import PAD_ID, UNKNOWN_ID
from tinytext.layers import AttentionPooling, PositionalEmbedding, TransformerBlock
from tinytext.losses import SmoothedCrossEntropy
from tinytext.metrics import MacroF1


def token_dropout(tokens: tf.Tensor, rate: float) -> tf.Tensor:
    """Training-time regulariser: replace a random `rate` of the real tokens with <unk>."""
    dropped = tf.random.uniform(tf.shape(tokens)) < rate
    return tf.where(dropped & (tokens != PAD_ID), UNKNOWN_ID, tokens)


class TextClassifier(keras.Model):
    """Embedding -> Transformer block -> attention pooling -> class logits."""

    def __init__(
        self,
        vocab_size: int,
        max_len: int,
        num_classes: int = 3,
        dim: int = 16,
        token_drop_rate: float = 0.1,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.vocab_size, self.max_len, self.num_classes, self.dim = vocab_size, max_len, num_classes, dim
        self.token_drop_rate = token_drop_rate
        self.embedding = PositionalEmbedding(vocab_size, max_len, dim)
        self.encoder = TransformerBlock(dim, num_heads=2, ff_dim=2 * dim)
        self.pooling = AttentionPooling()
        self.head = keras.layers.Dense(num_classes)
        self.loss_fn = SmoothedCrossEntropy(label_smoothing=0.1)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.f1 = MacroF1(num_classes)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        hidden = (*input_shape, self.dim)
        self.embedding.build(input_shape)
        self.encoder.build(hidden)
        self.pooling.build(hidden)
        self.head.build((input_shape[0], self.dim))

    def call(self, tokens: tf.Tensor, training: bool = False) -> tf.Tensor:
        mask = tokens != PAD_ID
        hidden = self.encoder(self.embedding(tokens), mask=mask, training=training)
        return self.head(self.pooling(hidden, mask=mask))

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # Listed here so that fit() and evaluate() reset them at each epoch.
        return [self.loss_tracker, self.f1]

    def train_step(self, data: tuple[tf.Tensor, tf.Tensor]) -> dict[str, tf.Tensor]:
        tokens, labels = data
        tokens = token_dropout(tokens, self.token_drop_rate)
        with tf.GradientTape() as tape:
            logits = self(tokens, training=True)
            loss = self.loss_fn(labels, logits)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables, strict=True))
        self.loss_tracker.update_state(loss)
        self.f1.update_state(labels, logits)
        return {metric.name: metric.result() for metric in self.metrics}

    def test_step(self, data: tuple[tf.Tensor, tf.Tensor]) -> dict[str, tf.Tensor]:
        tokens, labels = data
        logits = self(tokens, training=False)
        self.loss_tracker.update_state(self.loss_fn(labels, logits))
        self.f1.update_state(labels, logits)
        return {metric.name: metric.result() for metric in self.metrics}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            vocab_size=self.vocab_size,
            max_len=self.max_len,
            num_classes=self.num_classes,
            dim=self.dim,
            token_drop_rate=self.token_drop_rate,
        )
        return config


class NextTokenModel(keras.Model):
    """A GRU language model: logits of the token that follows each prefix."""

    def __init__(self, vocab_size: int, dim: int = 16, **kwargs: Any):
        super().__init__(**kwargs)
        self.vocab_size, self.dim = vocab_size, dim
        self.embedding = keras.layers.Embedding(vocab_size, dim)
        self.rnn = keras.layers.GRU(dim)
        self.norm = keras.layers.LayerNormalization()
        self.out = keras.layers.Dense(vocab_size)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.embedding.build(input_shape)
        self.rnn.build((*input_shape, self.dim))
        self.norm.build((input_shape[0], self.dim))
        self.out.build((input_shape[0], self.dim))

    def call(self, tokens: tf.Tensor) -> tf.Tensor:
        return self.out(self.norm(self.rnn(self.embedding(tokens))))
