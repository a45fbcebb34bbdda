"""Tensor-like arguments are tensors: variables of TF, Keras 3 and TFP (gpflow.Parameter),
ragged and sparse tensors, composite tensors and the `__tf_tensor__` protocol.

Before, a gpflow.Parameter (a TFP TransformedVariable defined in gpflow/) was an opaque object,
and TH191/TH220 said the tests passed "only Python values".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tracehybrid.config import Config
from tracehybrid.runtime import probes
from tracehybrid.runtime.describe import signature_text
from tracehybrid.static import analyze_source
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict.evidence import FunctionEvidence

tensor_likes = pytest.importorskip("tensor_likes")  # imports TensorFlow

SOURCE = """
import tensorflow as tf


def scaled(x, scale):
    return tf.reduce_sum(x) * scale
"""


def values(tf: Any) -> dict[str, Any]:
    keras = pytest.importorskip("keras")
    return {
        "variable": tf.Variable([1.0, 2.0]),
        "keras_variable": keras.Variable([1.0, 2.0]),
        "ragged": tf.ragged.constant([[1.0, 2.0], [3.0]]),
        "sparse": tf.sparse.from_dense(tf.eye(2)),
        "deferred": tensor_likes.DeferredTensor(tf.exp, tf.Variable([0.0, 1.0])),
        "transformed": tensor_likes.TransformedVariable([1.0], tf.exp, tf.math.log),
        "parameter": tensor_likes.Parameter([1.0, 2.0]),
        "extension": tensor_likes.MaskedTensor(tf.ones([2]), tf.constant([True, False])),
        "protocol": tensor_likes.Protocol([1.0, 2.0]),
    }


@pytest.mark.parametrize(
    "name",
    [
        "variable",
        "keras_variable",
        "ragged",
        "sparse",
        "deferred",
        "transformed",
        "parameter",
        "extension",
        "protocol",
    ],
)
def test_every_tensor_like_is_described_as_a_tensor(tf: Any, name: str) -> None:
    value = values(tf)[name]
    text = probes.describe(probes.prekey(value), {})
    assert text.startswith(("tensor ", "variable ", "tensor-like ")), text
    assert probes.prekey(value)[0] != probes.OBJECT


def test_tensor_likes_outside_tensorflow_are_keyed_by_identity_and_described(tf: Any) -> None:
    first, second = tensor_likes.Parameter([1.0, 2.0]), tensor_likes.Parameter([1.0, 2.0])
    assert probes.prekey(first) != probes.prekey(second)  # TF keys them by their own spec
    assert probes.prekey(first) == probes.prekey(first)
    identities: dict[int, int] = {}
    assert probes.describe(probes.prekey(first), identities) == "tensor-like Parameter#1 float32[2]"
    assert (
        probes.describe(probes.prekey(second), identities) == "tensor-like Parameter#2 float32[2]"
    )
    extension = tensor_likes.MaskedTensor(tf.ones([2]), tf.constant([True, False]))
    assert probes.describe(probes.prekey(extension), {}) == "tensor-like MaskedTensor#1"


def test_a_parameter_argument_seen_by_the_tracer_is_a_tensor_for_reconcile(
    tf: Any, traced_module: Any
) -> None:
    traced = traced_module(SOURCE)
    for value in (tensor_likes.Parameter([1.0, 2.0]), tensor_likes.Parameter([3.0, 4.0])):
        traced.module.scaled(value, 2.0)
    state = traced.facts()["scaled"]
    identities: dict[int, int] = {}
    texts = [signature_text(state, key, identities) for key in state.signature_keys]
    assert texts == [
        "x: tensor-like Parameter#1 float32[2], scale: float=2.0",
        "x: tensor-like Parameter#2 float32[2], scale: float=2.0",
    ]
    (fn,) = analyze_source(SOURCE).functions
    fact = CandidateFacts("/p/mod.py", "scaled", fn.line, fn.first_line, "eager", signatures=texts)
    assert FunctionEvidence(fn, fact, Config(root=Path("/p"))).runtime_saw_tensors()
