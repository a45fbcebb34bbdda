"""Which graphs may be re-run to time them: random, state-changing, or harmless (real TF)."""

from __future__ import annotations

from typing import Any

from tracehybrid.measure.inrun import tfbridge


def test_loops_and_variable_reads_are_harmless(tf: Any) -> None:
    weights = tf.Variable(tf.ones([3, 3]))

    @tf.function
    def decode(x: Any, steps: Any) -> Any:
        for _ in tf.range(steps):  # a While whose body only reads the variable
            x = tf.matmul(x, weights)
        return x

    concrete = decode.get_concrete_function(tf.ones([1, 3]), tf.constant(3))
    assert tfbridge.graph_effects(concrete) == ("", [])


def test_variable_updates_are_stateful_but_restorable(tf: Any) -> None:
    total = tf.Variable(0.0)

    @tf.function
    def accumulate(x: Any) -> Any:
        total.assign_add(tf.reduce_sum(x))
        return total.read_value()

    concrete = accumulate.get_concrete_function(tf.ones([2]))
    kind, ops = tfbridge.graph_effects(concrete)
    assert (kind, ops) == ("stateful", ["AssignAddVariableOp"])
    assert tfbridge.only_variable_writes(ops)
    accumulate(tf.ones([2]))
    with tfbridge.preserve_variables(concrete, ((tf.ones([2]),), {})):
        accumulate(tf.ones([2]))
        assert float(total.numpy()) == 4.0
    assert float(total.numpy()) == 2.0  # restored as the test left it


def test_random_ops_are_random(tf: Any) -> None:
    @tf.function
    def noise(x: Any) -> Any:
        return x + tf.random.uniform(tf.shape(x))

    kind, ops = tfbridge.graph_effects(noise.get_concrete_function(tf.ones([2])))
    assert kind == "random"
    assert ops
