"""One example per static blocker or AutoGraph construct, with its measured graph behaviour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

EQUAL = "equal"  # the graph returns what eager returns
DIFFERS = "differs"  # the graph returns, but a different value


def for_over_tensor(steps: tf.Tensor) -> object:
    state = tf.constant(1.0)
    for step in steps:
        state = state * 0.5 + step
    return state


def for_over_tf_range(x: tf.Tensor) -> object:
    total = 0.0
    for i in tf.range(tf.shape(x)[0]):
        total += x[i]
    return total


def for_over_dataset(x: tf.Tensor) -> object:
    total = 0.0
    for value in tf.data.Dataset.from_tensor_slices(x):
        total += value
    return total


def for_over_python_list(x: tf.Tensor) -> object:
    total = 0.0
    for value in [x, x * 2]:
        total += value
    return total


def while_on_tensor(x: tf.Tensor) -> object:
    doublings = tf.constant(0)
    while tf.reduce_sum(x) < 100.0:
        x = x * 2
        doublings += 1
    return x, doublings


def if_on_tensor(x: tf.Tensor) -> object:
    if tf.reduce_sum(x) > 0:  # noqa: SIM108 - the statement is what AutoGraph converts
        y = x * 2
    else:
        y = -x
    return y


def break_in_tensor_loop(x: tf.Tensor) -> object:
    total = 0.0
    for value in x:
        if value > 1.5:
            break
        total += value
    return total


def continue_in_tensor_loop(x: tf.Tensor) -> object:
    total = 0.0
    for value in x:
        if value > 1.5:
            continue
        total += value
    return total


def return_in_tensor_for(x: tf.Tensor) -> object:
    for value in x:
        if value > 1.5:
            return value
    return tf.constant(-1.0)


def return_in_tensor_while(x: tf.Tensor) -> object:
    i = tf.constant(0)
    while i < tf.shape(x)[0]:
        if x[i] > 1.5:
            return x[i]
        i += 1
    return tf.constant(-1.0)


def list_built_over_tensor(x: tf.Tensor) -> object:
    doubled = []
    for value in x:
        doubled.append(value * 2)
    return tf.stack(doubled)


def list_built_over_tf_range(x: tf.Tensor) -> object:
    doubled = []
    for i in tf.range(tf.shape(x)[0]):
        doubled.append(x[i] * 2)
    return tf.stack(doubled)


def list_built_over_python_range(x: tf.Tensor) -> object:
    doubled = []
    for i in range(3):
        doubled.append(x[i] * 2)
    return tf.stack(doubled)


def tensor_array_over_tensor(x: tf.Tensor) -> object:
    doubled = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    for value in x:
        doubled = doubled.write(doubled.size(), value * 2)
    return doubled.stack()


def comprehension_over_tensor(x: tf.Tensor) -> object:
    return tf.stack([value * 2 for value in x])


def enumerate_tensor(x: tf.Tensor) -> object:
    total = 0.0
    for k, value in enumerate(x):
        total += value * tf.cast(k, tf.float32)
    return total


def zip_tensors(x: tf.Tensor) -> object:
    total = 0.0
    for a, b in zip(x, x):  # noqa: B905 - the plain call is the construct under test
        total += a * b
    return total


def len_of_tensor(x: tf.Tensor) -> object:
    return tf.zeros([len(x)]) + x


def bool_of_tensor(x: tf.Tensor) -> object:
    return bool(tf.reduce_sum(x) > 0)


def int_of_tensor_times_float(x: tf.Tensor) -> object:
    return x * int(tf.reduce_sum(x))


def float_of_float64_tensor(x: tf.Tensor) -> object:
    return float(x[0])


def assert_on_tensor(x: tf.Tensor) -> object:
    assert tf.reduce_all(x >= 0)
    return tf.sqrt(x)


def dtype_as_name(x: tf.Tensor) -> object:
    return tf.sqrt(x, tf.float32)


def numpy_method(x: tf.Tensor) -> object:
    return x.numpy() * 2


def numpy_function(x: tf.Tensor) -> object:
    return np.maximum(x, 0)


@dataclass(frozen=True)
class Case:
    """An example, its argument, what `tf.function` does with it, and the code that must flag it."""

    fn: Callable[..., object]
    arg: Callable[[], tf.Tensor]
    graph: str  # EQUAL, DIFFERS, or the exception class the graph raises
    code: str | None  # the static blocking code, None where AutoGraph converts it


def floats() -> tf.Tensor:
    return tf.constant([1.0, 2.0, 3.0])


CASES = [
    Case(for_over_tensor, floats, EQUAL, None),
    Case(for_over_tf_range, floats, EQUAL, None),
    Case(for_over_dataset, floats, EQUAL, None),
    Case(for_over_python_list, floats, EQUAL, None),
    Case(while_on_tensor, floats, EQUAL, None),
    Case(if_on_tensor, floats, EQUAL, None),
    Case(break_in_tensor_loop, floats, EQUAL, None),
    Case(continue_in_tensor_loop, floats, EQUAL, None),
    Case(return_in_tensor_for, floats, "NotImplementedError", "TH181"),
    Case(return_in_tensor_while, floats, "NotImplementedError", "TH181"),
    Case(list_built_over_tensor, floats, "InaccessibleTensorError", "TH181"),
    Case(list_built_over_tf_range, floats, "InaccessibleTensorError", "TH181"),
    Case(list_built_over_python_range, floats, EQUAL, None),
    Case(tensor_array_over_tensor, floats, EQUAL, None),
    Case(comprehension_over_tensor, floats, "OperatorNotAllowedInGraphError", "TH181"),
    Case(enumerate_tensor, floats, "OperatorNotAllowedInGraphError", "TH181"),
    Case(zip_tensors, floats, "OperatorNotAllowedInGraphError", "TH181"),
    Case(len_of_tensor, floats, EQUAL, None),
    Case(bool_of_tensor, floats, "OperatorNotAllowedInGraphError", "TH132"),
    Case(int_of_tensor_times_float, floats, "TypeError", "TH132"),
    Case(float_of_float64_tensor, lambda: tf.constant([0.1], tf.float64), DIFFERS, "TH132"),
    Case(assert_on_tensor, floats, "OperatorNotAllowedInGraphError", "TH183"),
    Case(dtype_as_name, floats, "TypeError", "TH182"),
    Case(numpy_method, floats, "AttributeError", "TH131"),
    Case(numpy_function, floats, "NotImplementedError", "TH133"),
]
