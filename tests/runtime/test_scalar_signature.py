"""Python numbers that change on every call: a scalar TensorSpec in the synthesised signature.

Brute force: the synthesised source, evaluated and given to a real `tf.function`, traces once for
every call and returns what the eager function returns; a body that needs the Python number
(`[0] * n`, `math.cos(angle)`) fails under it, which is why the fix is unsafe and must be proven.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tracehybrid.tracekeys.predictor import predict_traces
from tracehybrid.tracekeys.prekeys import Node
from tracehybrid.tracekeys.python_scalars import varying_scalar_spec
from tracehybrid.tracekeys.signatures import synthesize

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="session")
def tf() -> Any:
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    return tf


def literals(*values: object) -> list[Node]:
    return [("L", value) for value in values]


@pytest.mark.parametrize(
    ("values", "spec"),
    [
        ((0.1, 0.2, 0.3), ("S", "float32", ())),
        ((1, 2, 3), ("S", "int32", ())),
        ((1, 2.5), ("S", "float32", ())),
        ((True, False), ("S", "bool", ())),
        ((1, 2**40), ("S", "int64", ())),
        ((0.5, 0.5, 0.5), None),  # never changes: no retrace, keeps its Python form
        ((1, 1.0, True), None),  # one key for tf.function (== and hash agree)
        (("a", "b"), None),  # strings are not numbers: no scalar spec
        ((None, 1), None),
    ],
)
def test_varying_python_numbers_get_a_scalar_spec(
    values: tuple[object, ...], spec: tuple[object, ...] | None
) -> None:
    assert varying_scalar_spec(literals(*values)) == spec


def test_synthesis_covers_a_changing_number_after_the_tensors() -> None:
    calls = [
        {"points": ("T", "float32", (4, 2), "tensor"), "angle": ("L", 0.1 * i), "mode": ("L", 1)}
        for i in range(3)
    ]
    draft = synthesize(["points", "angle", "mode"], calls, {})
    assert draft.names == ("points", "angle")  # the constant `mode` stays a Python value
    assert draft.python_scalars == ("angle",)
    assert draft.source() == (
        "[tf.TensorSpec(shape=[4, 2], dtype=tf.float32), tf.TensorSpec(shape=[], dtype=tf.float32)]"
    )


def rotate(points: Any, angle: float) -> Any:
    import tensorflow as tf  # the session fixture imported it already

    c, s = tf.cos(angle), tf.sin(angle)
    return tf.matmul(points, tf.stack([[c, -s], [s, c]]))


def repeat(x: Any, n: int) -> Any:
    total = x
    for _ in range(n):  # AutoGraph stages a loop over a tensor `n`
        total = total + x
    return total


ANGLES = [0.1 * i for i in range(9)]


@pytest.mark.parametrize(
    ("fn", "make_calls", "spec"),
    [
        (
            rotate,
            lambda tf: [((tf.ones([3, 2]) * k, angle), {}) for k, angle in enumerate(ANGLES)],
            "tf.TensorSpec(shape=[], dtype=tf.float32)",
        ),
        (
            repeat,
            lambda tf: [((tf.ones([2]), n), {}) for n in range(1, 10)],
            "tf.TensorSpec(shape=[], dtype=tf.int32)",
        ),
    ],
)
def test_brute_force_the_signature_traces_once_and_matches_eager(
    tf: Any, fn: Any, make_calls: Any, spec: str
) -> None:
    calls = make_calls(tf)
    prediction = predict_traces(fn, calls)
    assert (prediction.traces_plain, prediction.traces_with_signature) == (9, 1)
    assert prediction.signature is not None and prediction.signature[1] == spec
    assert prediction.signature_python_scalars == (fn.__code__.co_varnames[1],)
    assert prediction.signature_source is not None
    signature = eval(prediction.signature_source, {"tf": tf})
    graph = tf.function(fn, input_signature=signature)
    plain = tf.function(fn)
    for args, kwargs in calls:
        expected = fn(*args, **kwargs)
        assert bool(tf.reduce_all(tf.abs(graph(*args, **kwargs) - expected) < 1e-6))
        plain(*args, **kwargs)
    assert graph.experimental_get_tracing_count() == 1
    assert plain.experimental_get_tracing_count() == 9  # what the signature removes


def zeros_of(x: Any, n: int) -> Any:
    return x + len([0] * n)


def cosine(x: Any, angle: float) -> Any:
    return x * math.cos(angle)


def under_its_signature(tf: Any, fn: Any, values: tuple[int, ...]) -> tuple[Any, list[Any]]:
    calls: list[Any] = [((tf.ones([2]), value), {}) for value in values]
    prediction = predict_traces(fn, calls)
    assert prediction.signature_source is not None  # proposed: only the graph run can tell
    graph = tf.function(fn, input_signature=eval(prediction.signature_source, {"tf": tf}))
    return graph, calls


def test_brute_force_math_on_the_python_number_raises_under_it(tf: Any) -> None:
    graph, calls = under_its_signature(tf, cosine, (1, 2, 3))
    with pytest.raises(TypeError):
        graph(*calls[0][0])


def test_brute_force_list_repetition_silently_differs_under_it(tf: Any) -> None:
    graph, calls = under_its_signature(tf, zeros_of, (1, 2, 3))
    args = calls[2][0]  # n = 3: eagerly x + 3; as a tensor, `[0] * n` is a 1-element tensor
    assert zeros_of(*args).numpy().tolist() == [4.0, 4.0]
    assert graph(*args).numpy().tolist() == [2.0, 2.0]
