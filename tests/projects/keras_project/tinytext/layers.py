"""Custom Keras 3 layers: positional embedding, a Transformer encoder block, attention pooling."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


class PositionalEmbedding(keras.layers.Layer):
    """Token embedding plus a learned position embedding."""

    def __init__(self, vocab_size: int, max_len: int, dim: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.vocab_size, self.max_len, self.dim = vocab_size, max_len, dim
        self.token_embedding = keras.layers.Embedding(vocab_size, dim)
        self.position_embedding = keras.layers.Embedding(max_len, dim)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.token_embedding.build(input_shape)
        self.position_embedding.build((input_shape[-1],))

    def call(self, tokens: tf.Tensor) -> tf.Tensor:
        positions = tf.range(tf.shape(tokens)[-1])
        return self.token_embedding(tokens) + self.position_embedding(positions)[tf.newaxis]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, max_len=self.max_len, dim=self.dim)
        return config


class TransformerBlock(keras.layers.Layer):
    """Post-norm self-attention block with a GELU feed-forward network."""

    def __init__(self, dim: int, num_heads: int = 2, ff_dim: int = 64, **kwargs: Any):
        super().__init__(**kwargs)
        self.dim, self.num_heads, self.ff_dim = dim, num_heads, ff_dim
        self.attention = keras.layers.MultiHeadAttention(num_heads, key_dim=dim // num_heads)
        self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-5)
        self.ff_in = keras.layers.Dense(ff_dim, activation="gelu")
        self.ff_out = keras.layers.Dense(dim)
        self.ff_norm = keras.layers.LayerNormalization(epsilon=1e-5)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        # Build every sublayer from the shape here, so `call` never creates weights.
        self.attention.build(input_shape, input_shape)
        self.attention_norm.build(input_shape)
        self.ff_in.build(input_shape)
        self.ff_out.build((*input_shape[:-1], self.ff_dim))
        self.ff_norm.build(input_shape)

    def call(self, inputs: tf.Tensor, mask: tf.Tensor | None = None, training: bool = False) -> tf.Tensor:
        attention_mask = None if mask is None else mask[:, tf.newaxis, :]
        attended = self.attention(inputs, inputs, attention_mask=attention_mask, training=training)
        hidden = self.attention_norm(inputs + attended)
        return self.ff_norm(hidden + self.ff_out(self.ff_in(hidden)))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(dim=self.dim, num_heads=self.num_heads, ff_dim=self.ff_dim)
        return config


class AttentionPooling(keras.layers.Layer):
    """Pools a sequence to one vector with learned attention; keeps the last weights for inspection."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.score = keras.layers.Dense(1, use_bias=False)
        self.last_attention: tf.Tensor | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.score.build(input_shape)

    def call(self, inputs: tf.Tensor, mask: tf.Tensor | None = None) -> tf.Tensor:
        scores = tf.squeeze(self.score(inputs), axis=-1)
        if mask is not None:
            scores += (1.0 - tf.cast(mask, scores.dtype)) * -1e9
        weights = tf.nn.softmax(scores, axis=-1)
        self.last_attention = weights  # read by the attention-map plots and the tests
        return tf.einsum("bt,btd->bd", weights, inputs)
