"""Argument pre-keys: never merge what tf.function keys apart; describe them for people."""

from __future__ import annotations

from typing import Any

import numpy as np

from tracehybrid.runtime import probes


def test_python_scalars_are_keyed_by_type_and_value() -> None:
    keys = {probes.prekey(v) for v in (1, True, 1.0, 2, "a", None)}
    assert len(keys) == 6  # tf.function merges 1/True/1.0; the pre-key must not, the predictor does


def test_ndarrays_are_keyed_by_dtype_and_shape_not_value() -> None:
    assert probes.prekey(np.zeros(3)) == probes.prekey(np.ones(3))
    assert probes.prekey(np.zeros(3)) != probes.prekey(np.zeros(4))
    assert probes.prekey(np.zeros(3)) != probes.prekey(np.zeros(3, dtype=np.float32))


def test_tensors_variables_and_symbolic_tensors(tf: Any) -> None:
    assert probes.prekey(tf.ones([2])) == probes.prekey(tf.zeros([2]))
    assert probes.prekey(tf.ones([2])) != probes.prekey(tf.ones([3]))
    variable = probes.prekey(tf.Variable([1.0]))
    assert variable[0] == probes.VARIABLE
    assert variable != probes.prekey(tf.Variable([1.0], trainable=False))
    seen: list[Any] = []

    @tf.function
    def grab(x: Any) -> Any:
        seen.append(probes.call_prekey((x,)))
        return x

    grab(tf.ones([2]))
    assert probes.has_symbolic_arg(seen[0])
    assert not probes.has_symbolic_arg(probes.call_prekey((tf.ones([2]),)))


def test_keras_symbolic_tensors_are_flagged(tf: Any) -> None:
    key = probes.call_prekey((tf.keras.Input((3,)),))
    assert key[0][0] == probes.KERAS
    assert probes.has_symbolic_arg(key)


def test_containers_by_structure_objects_by_identity() -> None:
    assert probes.prekey([1, 2]) != probes.prekey((1, 2))
    assert probes.prekey([1, 2]) != probes.prekey([1, 2, 3])
    assert probes.prekey({"a": 1}) != probes.prekey({"b": 1})
    first, second = object(), object()
    assert probes.prekey(first) == probes.prekey(first)
    assert probes.prekey(first) != probes.prekey(second)
    big = list(range(probes.MAX_ITEMS + 1))
    assert probes.prekey(big)[0] == probes.LARGE


def test_describe_reads_like_a_signature(tf: Any) -> None:
    ids: dict[int, int] = {}
    thing = object()
    assert probes.describe(probes.prekey(tf.ones([8])), ids) == "tensor float32[8]"
    assert probes.describe(probes.prekey(0.01), ids) == "float=0.01"
    assert probes.describe(probes.prekey(None), ids) == "None"
    assert (
        probes.describe(probes.prekey([1, np.zeros(2)]), ids) == "list[int=1, ndarray float64[2]]"
    )
    assert probes.describe(probes.prekey({"k": True}), ids) == "dict{'k': bool=True}"
    assert probes.describe(probes.prekey(thing), ids) == "object#1"


def test_eager_tensors_key_dtype_apart_and_describe_it_by_name(tf: Any) -> None:
    # Eager tensors are keyed by their DataType enum (a C call, an int hash), not a DType object.
    f32, f64 = tf.ones([2, 3]), tf.ones([2, 3], tf.float64)
    assert probes.prekey(f32) == probes.prekey(tf.zeros([2, 3]))
    assert probes.prekey(f32) != probes.prekey(f64)
    assert probes.prekey(f32) != probes.prekey(tf.ones([2, 3], tf.int32))
    nested = probes.prekey({"train": (f64, f32), "history": [f32] * 3})
    text = probes.describe(nested, {})
    assert text == (
        "dict{'train': tuple[tensor float64[2,3], tensor float32[2,3]], "
        "'history': list[tensor float32[2,3], tensor float32[2,3], tensor float32[2,3]]}"
    )


def test_a_variable_shape_is_read_like_its_shape_tuple(tf: Any) -> None:
    variables = [tf.Variable(tf.ones([2, 3])), tf.Variable(1.0), tf.Variable([1.0], shape=[None])]
    for variable in variables:
        key = probes.prekey(variable)
        assert key[3] == variable._shape_tuple()
        assert probes.describe(key, {}).startswith("variable float32")


def test_a_variable_dtype_keys_like_the_dtype(tf: Any) -> None:
    keys = {probes.prekey(tf.Variable(tf.zeros([2], dtype))) for dtype in (tf.float32, tf.int32)}
    assert len(keys) == 2
    assert probes.prekey(tf.Variable([1.0])) == probes.prekey(tf.Variable([2.0]))
    described = {probes.describe(key, {}) for key in keys}
    assert described == {"variable float32[2]", "variable int32[2]"}
