"""Eager against graph outputs: structure, type, dtype, shape and values with float tolerance."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tracehybrid.measure.inrun.compare import compare_outputs, outputs_identical


def test_equal_within_float_tolerance(tf: Any) -> None:
    eager = {"y": tf.constant([1.0, 2.0]), "n": [tf.constant(3), None]}
    graph = {"y": tf.constant([1.0, 2.0 + 1e-7]), "n": [tf.constant(3), None]}
    assert compare_outputs(eager, graph) is None
    assert compare_outputs(tf.constant([np.nan]), tf.constant([np.nan])) is None
    assert compare_outputs(tf.constant(b"ok"), tf.constant(b"ok")) is None


@pytest.mark.parametrize(
    ("eager", "graph", "expected"),
    [
        ([1.0, 2.0], [1.0, 2.5], "[1]: value: max abs difference 0.5"),
        ([1, 2], [1, 3], "<result>: value: 1 of 2 elements differ"),
        ([1.0], [1.0, 1.0], "<result>: shape: eager (1,), graph (2,)"),
    ],
)
def test_tensor_differences_are_located(tf: Any, eager: Any, graph: Any, expected: str) -> None:
    found = compare_outputs(tf.constant(eager), tf.constant(graph))
    assert found is not None and str(found).startswith(expected.replace("[1]: ", "<result>: "))


def test_structure_type_and_dtype_differences(tf: Any) -> None:
    one = tf.constant([1.0])
    assert (
        str(compare_outputs((one, one), [one, one]))
        == "<result>: structure: eager tuple, graph list"
    )
    assert "keys differ: 'b'" in str(compare_outputs({"a": one}, {"a": one, "b": one}))
    assert str(compare_outputs([one], [one, one])) == "<result>: structure: length 1 eager, 2 graph"
    assert str(compare_outputs(3, tf.constant(3))) == "<result>: type: eager int, graph EagerTensor"
    found = compare_outputs(one, tf.constant([1.0], tf.float64))
    assert str(found) == "<result>: dtype: eager float32, graph float64"
    nested = compare_outputs({"k": [one, tf.constant([2.0])]}, {"k": [one, tf.constant([9.0])]})
    assert nested is not None and nested.path == "['k'][1]" and nested.kind == "value"


def test_python_values(tf: Any) -> None:
    assert compare_outputs("sum=3.0", "sum=3.0") is None
    assert compare_outputs(None, None) is None
    assert compare_outputs(0.1 + 0.2, 0.3) is None
    assert str(compare_outputs("a", "b")) == "<result>: value: eager 'a', graph 'b'"
    assert compare_outputs(np.arange(3), np.arange(3)) is None


def test_identical_outputs_are_told_from_merely_close_ones(tf: Any) -> None:
    """`outputs_identical` (the record's `inexact` count): bit-for-bit, NaN where NaN, through
    nested structures; a value within tolerance is close but not identical."""
    import numpy as np

    base = np.linspace(0.0, 1.0, 1000, dtype=np.float32)
    with_nan = base.copy()
    with_nan[3] = np.nan
    close = base + np.float32(1e-7)
    assert outputs_identical({"a": tf.constant(base)}, {"a": tf.constant(base.copy())})
    assert outputs_identical((tf.constant(with_nan), 1), (tf.constant(with_nan.copy()), 1))
    assert compare_outputs(tf.constant(close), tf.constant(base)) is None
    assert not outputs_identical(tf.constant(close), tf.constant(base))
    moved_nan = base.copy()
    moved_nan[4] = np.nan
    assert not outputs_identical(tf.constant(with_nan), tf.constant(moved_nan))
    assert compare_outputs(tf.constant(with_nan), tf.constant(moved_nan)) is not None
