"""Scalar TensorSpecs for Python numbers that change between calls (each new value retraces)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracehybrid.tracekeys.prekeys import Node

# What a spec node for a Python scalar looks like: ("S", dtype, ()) - a rank-0 TensorSpec.
type ScalarSpec = tuple[Any, ...]

_INT32_LIMIT = 2**31


def varying_scalar_spec(nodes: Sequence[Node]) -> ScalarSpec | None:
    """A scalar spec for a parameter that holds a Python bool, int or float in every call and
    changes between calls; None otherwise.

    tf.function keys a Python number by its value, so each new value traces anew; a scalar
    TensorSpec makes it a tensor and one trace serves every value. A value that never changes
    costs no retrace, so it keeps its Python form (its spec would only add a hazard).
    The dtype follows the Python type: float -> float32, int -> int32 (int64 past its range),
    bool -> bool; ints mixed with floats become float32.
    """
    values = [node[1] for node in nodes if node[0] == "L"]
    if not values or len(values) != len(nodes):
        return None
    if not all(type(value) in (bool, int, float) for value in values):
        return None
    try:
        distinct = len(set(values))  # by ==, as tf.function keys them: 1, 1.0 and True are one
    except TypeError:
        return None
    if distinct < 2:
        return None
    return ("S", _dtype(values), ())


def _dtype(values: Sequence[bool | int | float]) -> str:
    kinds = {type(value) for value in values}
    if float in kinds:
        return "float32"
    if kinds == {bool}:
        return "bool"
    if any(abs(int(value)) >= _INT32_LIMIT for value in values):
        return "int64"
    return "int32"
