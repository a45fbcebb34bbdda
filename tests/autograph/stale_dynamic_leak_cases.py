"""Examples of TH184 (stale variable list), TH185 (dynamic code) and TH186 (leaked tensor read)."""

from __future__ import annotations

from typing import Any

import tensorflow as tf


class LazyModule(tf.Module):
    """Creates its weights on the first call, as Keras layers and Sonnet modules do."""

    def __init__(self) -> None:
        super().__init__()
        self.w: tf.Variable | None = None

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        if self.w is None:
            self.w = tf.Variable(tf.ones([3, 1]))
        return x @ self.w


def stale_step(model: Any, opt: Any, x: tf.Tensor) -> tf.Tensor:
    vs = model.trainable_variables
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    opt.apply_gradients(zip(tape.gradient(loss, vs), vs))  # noqa: B905 - the rule's own example
    return loss


def fresh_step(model: Any, opt: Any, x: tf.Tensor) -> tf.Tensor:
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    vs = model.trainable_variables
    opt.apply_gradients(zip(tape.gradient(loss, vs), vs))  # noqa: B905
    return loss


SCALE = 3.0


def apply_eval(x: tf.Tensor, expr: str) -> Any:
    return eval(expr)


def apply_exec(x: tf.Tensor) -> tf.Tensor:
    exec("CALLS.append(1)")
    return x * 2


def apply_exec_local(x: tf.Tensor) -> tf.Tensor:
    exec("print('traced')")
    return x * 2


def write_globals(x: tf.Tensor) -> tf.Tensor:
    globals()["LAST"] = x * 2
    return x


CALLS: list[int] = []
LAST: Any = None
leaked: Any = tf.constant(0.0)


@tf.function
def leak(a: tf.Tensor) -> tf.Tensor:
    global leaked  # noqa: PLW0603 - the construct under test
    leaked = a + 1
    return a


def read_leaked(b: tf.Tensor) -> tf.Tensor:
    return b + leaked
