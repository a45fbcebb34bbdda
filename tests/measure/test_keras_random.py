"""Keras 3 random ops (SeedGenerator) as graphs draw the eager values: outputs are compared."""

from __future__ import annotations

from typing import Any

from tracehybrid.measure.inrun import tfbridge


def _masks(tf: Any, layer: Any, function: Any, calls: int = 3) -> list[list[bool]]:
    """The dropout masks of CALLS calls in a row, from the seed state the layer had."""
    state = layer.seed_generator.state
    start = state.value.numpy().copy()  # a snapshot: `value` follows the variable
    x = tf.ones([2, 8])
    masks = [(function(x).numpy() > 0).ravel().tolist() for _ in range(calls)]
    state.assign(start)
    return masks


def test_dropout_as_a_graph_draws_the_eager_masks_and_advances_its_seed(tf: Any) -> None:
    import keras

    layer = keras.layers.Dropout(0.5, seed=1)
    graph = tf.function(lambda x: layer(x, training=True))
    eager_masks = _masks(tf, layer, lambda x: layer(x, training=True))
    graph_masks = _masks(tf, layer, graph)
    assert graph_masks == eager_masks  # same seed state, same values: comparable outputs
    assert graph_masks[0] != graph_masks[1]  # the seed advances: no mask reused call after call


def test_dropout_as_a_graph_only_writes_its_seed_variable(tf: Any) -> None:
    import keras

    layer = keras.layers.Dropout(0.5, seed=1)
    concrete = tf.function(lambda x: layer(x, training=True)).get_concrete_function(tf.ones([2, 8]))
    kind, ops = tfbridge.graph_effects(concrete)
    # Not "random": compared from the restored seed state (Measurement._compare_preserving_state).
    assert (kind, tfbridge.only_variable_writes(ops)) == ("stateful", True)
    assert [v.name for v in concrete.variables] == [f"{layer.seed_generator.state.path}:0"]
