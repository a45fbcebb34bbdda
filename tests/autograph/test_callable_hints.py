"""A `tf.Tensor` inside `Callable[...]` annotates a function, not a tensor parameter.

GPflow's quadrature takes `fun: Union[Callable[..., tf.Tensor], Iterable[Callable[..., tf.Tensor]]]`
and builds a list over `fun` in a comprehension: a Python list of functions, which a graph
unrolls. Read as a tensor parameter, it was TH181 and blocked every likelihood that integrates
by quadrature (Poisson's and Exponential's variational expectations: 3.4x as graphs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Union

import numpy as np
import tensorflow as tf

from tracehybrid.static import analyze_source

SOURCE = """
from typing import Callable, Iterable, Union
import tensorflow as tf

def expect(fun: Union[Callable[..., tf.Tensor], Iterable[Callable[..., tf.Tensor]]], x: tf.Tensor):
    if isinstance(fun, Iterable):
        return [tf.reduce_sum(f(x)) for f in fun]
    return tf.reduce_sum(fun(x))

def rows(x: tf.Tensor):
    return tf.stack([row * 2 for row in x])
"""


def expect(
    fun: Union[Callable[..., tf.Tensor], Iterable[Callable[..., tf.Tensor]]],  # noqa: UP007
    x: tf.Tensor,
) -> object:
    if isinstance(fun, Iterable):
        return [tf.reduce_sum(f(x)) for f in fun]
    return tf.reduce_sum(fun(x))


def test_a_callable_hint_is_not_a_tensor_parameter() -> None:
    project = analyze_source(SOURCE)
    assert "TH181" not in project.function("expect").codes
    assert "TH181" in project.function("rows").codes  # a tensor annotation still is


def test_the_comprehension_over_functions_unrolls_in_a_graph() -> None:
    funs = [tf.math.square, tf.math.exp]
    x = tf.constant([0.5, 1.5])
    eager, graph = expect(funs, x), tf.function(expect)(funs, x)
    np.testing.assert_allclose(np.array(eager), np.array(graph), rtol=1e-6)
