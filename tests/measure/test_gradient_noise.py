"""compare_gradients tells rounding noise from a changed gradient, behind softmax and LayerNorm."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracehybrid.measure.inrun.gradients import _gradients, compare_gradients

RTOL, ATOL = 1e-5, 1e-6  # MeasureSettings' defaults


def test_rounding_noise_of_a_gradient_zero_in_exact_arithmetic_is_not_a_mismatch(tf: Any) -> None:
    # A bias added to a whole softmax row (an attention key bias) has gradient zero in exact
    # arithmetic; computed, it is rounding noise, another one for another summation order.
    logits = tf.random.stateless_normal([64, 128], seed=[3, 4]) * 4.0
    scale, row_bias = tf.Variable(100.0), tf.Variable(tf.zeros([64, 1]))

    def eager() -> Any:
        return scale * tf.nn.softmax(logits + row_bias)

    def graph_body() -> Any:
        z = logits + row_bias
        return scale * tf.exp(z - tf.reduce_logsumexp(z, axis=-1, keepdims=True))

    graph = tf.function(graph_body)

    (_, want), variables = _gradients(eager, None)
    (_, got), _ = _gradients(graph, variables)
    noise = float(tf.reduce_max(tf.abs(want - got)))
    assert noise > ATOL  # the premise: a fixed absolute tolerance called this a changed gradient
    assert compare_gradients(eager, graph, RTOL, ATOL) is None


def test_a_changed_gradient_behind_a_layer_normalisation_is_reported(tf: Any) -> None:
    import keras

    keras.utils.set_random_seed(5)
    dense, norm = keras.layers.Dense(8), keras.layers.LayerNormalization()
    x = tf.random.stateless_normal([4, 8], seed=[1, 2])
    norm(dense(x))  # built eagerly

    def eager() -> Any:
        return norm(dense(x))

    def graph_body() -> Any:
        hidden = dense(x)
        return norm(0.5 * hidden + 0.5 * tf.stop_gradient(hidden))  # same output, half a gradient

    graph = tf.function(graph_body)

    # The plain sum of a normalised output is constant: both gradients would be rounding noise.
    mismatch = compare_gradients(eager, graph, RTOL, ATOL)
    assert mismatch is not None and "dense" in mismatch.path
    assert "differs from eager" in mismatch.detail


def test_equal_gradients_behind_a_layer_normalisation_pass(tf: Any) -> None:
    import keras

    keras.utils.set_random_seed(5)
    dense, norm = keras.layers.Dense(8), keras.layers.LayerNormalization()
    x = tf.random.stateless_normal([4, 8], seed=[1, 2])
    norm(dense(x))
    graph = tf.function(lambda: norm(dense(x)))
    (want, *_), _ = _gradients(lambda: norm(dense(x)), None)
    assert float(np.max(np.abs(want.numpy()))) > 1e-3  # a real gradient, not noise around zero
    assert compare_gradients(lambda: norm(dense(x)), graph, RTOL, ATOL) is None
