"""compare_gradients: eager against graph, on real Keras layers and TensorFlow variables."""

from __future__ import annotations

from typing import Any

from tracehybrid.measure.inrun.gradients import compare_gradients, tape_recording


def _block(keras: Any, tf: Any) -> Any:
    class Block(keras.layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.first = keras.layers.Dense(4)
            self.out = keras.layers.Dense(1)

        def call(self, x: Any) -> Any:
            return self.out(tf.nn.relu(self.first(x)))

    return Block()


def test_sub_layers_built_inside_the_trace_lose_their_gradients(tf: Any) -> None:
    import keras

    block = _block(keras, tf)
    eager = block.call
    block.call = graph = tf.function(eager)  # as the graph run's wrapper stands in for it
    x = tf.ones([2, 3])
    block(x)  # the first call builds the sub-layers inside the trace
    mismatch = compare_gradients(lambda: eager(x), lambda: graph(x), 1e-5, 1e-6)
    assert mismatch is not None and mismatch.kind == "gradient"
    assert "is None" in mismatch.detail


def test_layers_built_eagerly_keep_them(tf: Any) -> None:
    import keras

    block = _block(keras, tf)
    x = tf.ones([2, 3])
    block(x)  # built eagerly first
    graph = tf.function(block.call)
    assert compare_gradients(lambda: block.call(x), lambda: graph(x), 1e-5, 1e-6) is None


def test_a_changed_gradient_is_reported(tf: Any) -> None:
    w = tf.Variable([1.0, 2.0])

    def eager() -> Any:
        return w * w

    def graph() -> Any:
        return w * tf.stop_gradient(w)  # same output, half the gradient

    mismatch = compare_gradients(eager, graph, 1e-5, 1e-6)
    assert mismatch is not None and "differs from eager" in mismatch.detail


def test_tape_recording_sees_a_tape(tf: Any) -> None:
    assert not tape_recording()
    with tf.GradientTape():
        assert tape_recording()
