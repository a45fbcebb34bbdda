"""Gradients through a target, eager against graph: a graph must not stop a model from training.

Outputs can match while gradients do not. A Keras layer whose sub-layers are first built inside
its `tf.function` creates their variables in the trace: the graph's outputs are right, and every
gradient for those variables is None, so training silently stops updating them. Where a test takes
gradients through a target (a GradientTape records around its call), the sampled call is run again
under a tape of tracehybrid's own, eagerly and as a graph, and the gradients of its floating-point
outputs for the trainable variables the eager call read are compared.

TensorFlow is imported inside functions only, so `tracehybrid.measure` imports without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracehybrid.measure.inrun.compare import Mismatch, compare_outputs
from tracehybrid.measure.inrun.tfbridge import tensorflow


def tape_recording() -> bool:
    """True while any GradientTape is recording (the test is taking gradients)."""
    try:
        from tensorflow.python.eager import record  # noqa: PLC0415 - TensorFlow internals
    except ImportError:  # pragma: no cover - moved in a later TensorFlow: check every sample
        return True
    return bool(record.could_possibly_record())


def _scalar(result: Any) -> Any:
    """A weighted sum of every floating-point tensor in RESULT (None when there is none).

    The weights are fixed (the same eagerly and as a graph) and uneven: the plain sum of a
    normalised output (LayerNorm, softmax) is a constant, so every gradient before it would be
    zero up to rounding, and the comparison would weigh rounding noise, not the gradient.
    """
    tf = tensorflow()
    total = None
    for index, leaf in enumerate(tf.nest.flatten(result, expand_composites=True)):
        if isinstance(leaf, tf.Tensor) and leaf.dtype.is_floating:
            value = tf.cast(leaf, tf.float64)
            weights = tf.random.stateless_uniform(
                tf.shape(value), seed=[index, 1], minval=0.5, maxval=1.5, dtype=tf.float64
            )
            part = tf.reduce_sum(value * weights)
            total = part if total is None else total + part
    return total


def _gradients(call: Callable[[], Any], variables: list[Any] | None) -> tuple[list[Any], list[Any]]:
    """(gradients, variables): VARIABLES None means those the call reads, trainable ones."""
    tf = tensorflow()
    with tf.GradientTape() as tape:
        target = _scalar(call())
    if variables is None:
        variables = [v for v in tape.watched_variables() if getattr(v, "trainable", True)]
    if target is None or not variables:
        return [], variables
    return tape.gradient(target, variables), variables


def compare_gradients(
    eager: Callable[[], Any], graph: Callable[[], Any], rtol: float, atol: float
) -> Mismatch | None:
    """The first gradient the graph loses or changes, for the variables the eager call reads.

    Backpropagation sums terms as large as the largest gradient, and a graph may sum them in
    another order: a gradient that is zero in exact arithmetic (a key bias before a softmax)
    comes out as rounding noise of that size, different eager and as a graph. So the absolute
    tolerance grows by RTOL times the largest eager gradient of the call.
    """
    eager_grads, variables = _gradients(eager, None)
    if not variables or not eager_grads:
        return None
    graph_grads, _ = _gradients(graph, variables)
    if len(graph_grads) != len(variables):
        return None  # no floating-point output as a graph: the output comparison says so
    atol += rtol * _largest(eager_grads)
    for variable, want, got in zip(variables, eager_grads, graph_grads, strict=True):
        name = f"gradient of {variable.name}"
        if want is not None and got is None:
            detail = "is None (eagerly it is not): training would stop updating that variable"
            return Mismatch(name, "gradient", detail)
        if want is None or got is None:
            continue
        found = compare_outputs(want, got, rtol, atol)
        if found is not None:
            return Mismatch(name, "gradient", f"differs from eager ({found.detail})")
    return None


def _largest(gradients: list[Any]) -> float:
    """The largest magnitude of any element of GRADIENTS (None entries left out)."""
    tf = tensorflow()
    sizes = [float(tf.reduce_max(tf.abs(g))) for g in gradients if g is not None and tf.size(g) > 0]
    return max(sizes, default=0.0)
