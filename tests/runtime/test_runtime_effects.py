"""Classifying CALL-event callables into effect kinds, as the tracer sees them."""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from tracehybrid.runtime import effects


def kind_of(func: Any, arg0: Any = None) -> str | None:
    kind = effects.classify(effects.callable_key(func))
    if kind in effects.DYNAMIC:
        assert kind is not None
        return effects.resolve_dynamic(kind, arg0)
    return kind


def test_python_side_effects_and_nondeterminism(tmp_path: Path) -> None:
    with open(tmp_path / "f.txt", "w") as handle:
        assert kind_of(handle.write) == effects.IO
    assert kind_of(print) == effects.PRINT
    assert kind_of(open) == effects.IO
    assert kind_of(Path.write_text) == effects.IO
    assert kind_of(logging.getLogger("x").info) == effects.LOGGING
    assert kind_of(logging.warning) == effects.LOGGING
    assert kind_of(random.random) == effects.PY_RANDOM
    assert kind_of(random.randint) == effects.PY_RANDOM
    assert kind_of(np.random.rand) == effects.NP_RANDOM
    assert kind_of(np.random.default_rng().normal) == effects.NP_RANDOM
    assert kind_of(time.time) == effects.CLOCK
    assert kind_of(next, iter([1])) == effects.ITERATOR_NEXT


def test_inert_callables() -> None:
    assert kind_of(len) is None
    assert kind_of(logging.getLogger) is None
    assert kind_of([].append) is None
    assert kind_of(float, 2) is None
    assert kind_of(np.sum, np.ones(2)) is None


def test_tensor_to_python_and_variables(tf: Any) -> None:
    x = tf.ones([2])
    assert kind_of(x.numpy) == effects.TENSOR_NUMPY
    assert kind_of(type(x).numpy) == effects.TENSOR_NUMPY  # the 3.12 method-call form
    assert kind_of(float, x) == effects.TENSOR_CAST
    assert kind_of(np.sum, x) == effects.NUMPY_ON_TENSOR
    assert kind_of(np.asarray, x) == effects.NUMPY_ON_TENSOR
    assert kind_of(tf.Variable) == effects.VARIABLE_CREATION
    assert kind_of(tf.add) is None
    assert effects.CATEGORY[effects.TENSOR_CAST] == "tensor_to_python"
