"""Replay specs: encode real calls as JSON, rebuild them, predict what the originals predict."""

from __future__ import annotations

import collections
import dataclasses
import enum
import json
import subprocess
import sys
from typing import Any

import pytest
from tracing_counts import real_counts

from tracehybrid.tracekeys.predictor import TracePrediction, predict_traces
from tracehybrid.tracekeys.replay import replay_prediction
from tracehybrid.tracekeys.specs import SpecEncoder, parameters_spec, signature_spec

pytestmark = pytest.mark.tensorflow

Pair = collections.namedtuple("Pair", ["a", "b"])


class Mode(enum.Enum):
    TRAIN = 1
    EVAL = 2


@dataclasses.dataclass(frozen=True)
class Config:
    depth: int
    name: str = "x"


@dataclasses.dataclass
class Mutable:
    n: int = 0


class Plain:
    """Keyed by identity."""


class Layer:
    def call(self, x: Any, training: bool = False) -> None:
        del x, training


def step(x: Any, y: Any = 1, *extra: Any, scale: float = 1.0, **options: Any) -> None:
    del x, y, extra, scale, options


def by_power(x: Any, power: Any, /) -> None:
    del x, power


@pytest.fixture(scope="session")
def tf() -> Any:
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    return tf


def encoded(fn: Any, calls: list[Any], signature: Any = None) -> tuple[Any, Any, list[Any]]:
    """What a process stores at flush time, through a JSON round trip."""
    encoder = SpecEncoder()
    function = parameters_spec(fn, encoder)
    specs = [encoder.call(args, kwargs) for args, kwargs in calls]
    stored = json.dumps([function, signature_spec(signature), specs])
    function, sig, specs = json.loads(stored)
    return function, sig, specs


def replayed(fn: Any, calls: list[Any], signature: Any = None) -> TracePrediction:
    function, sig, specs = encoded(fn, calls, signature)
    return replay_prediction(function, sig, [(1, spec) for spec in specs])


def assert_same(original: TracePrediction, replay: TracePrediction) -> None:
    assert replay.unknown_reason is None
    assert dataclasses.asdict(replay) == dataclasses.asdict(original)


def test_tensors_arrays_literals_and_containers(tf: Any) -> None:
    import numpy as np

    calls = [
        ((tf.zeros([2, 3]),), {}),
        ((tf.zeros([4, 3]), True), {}),
        ((np.zeros([4, 3], np.float32), 1.0), {"scale": 2.0}),
        ((tf.zeros([4], tf.int32), 1), {}),
        ((np.float32(3.0), [tf.zeros([1]), 2]), {"mode": "a"}),
        (([tf.zeros([2]), (1, None)], {"k": tf.zeros([3])}), {}),
        ((collections.OrderedDict(a=tf.zeros([3])), Pair(tf.zeros([1]), "z")), {}),
        ((tf.zeros([5, 3]), b"raw", 1j, "s"), {"mode": "b"}),
        ((tf.zeros([2], tf.string), Pair(tf.zeros([7]), "z")), {}),
    ]
    original = predict_traces(step, calls)
    assert_same(original, replayed(step, calls))
    assert (original.traces_plain, original.traces_reduce_retracing) == real_counts(tf, step, calls)


def test_identities_values_and_untraceable(tf: Any) -> None:
    shared, other = Plain(), Plain()
    calls = [
        ((tf.zeros([2]), shared), {}),
        ((tf.zeros([2]), shared), {}),
        ((tf.zeros([2]), other), {}),
        ((tf.zeros([2]), Config(1)), {}),
        ((tf.zeros([2]), Config(1)), {}),
        ((tf.zeros([2]), Config(2, "y")), {}),
        ((tf.zeros([2]), Mode.TRAIN), {}),
        ((tf.zeros([2]), Mode.EVAL), {}),
        ((tf.zeros([2]), tf.nn.relu), {"act": step}),
        ((tf.zeros([2]), {1, 2}), {}),
        ((tf.zeros([2]), Mutable()), {}),
        ((tf.zeros([2]), Plain), {}),
    ]
    original = predict_traces(step, calls)
    assert original.untraceable == ("y: unhashable set", "y: unhashable dataclass Mutable")
    assert_same(original, replayed(step, calls))
    assert (original.traces_plain, original.traces_reduce_retracing) == real_counts(tf, step, calls)


def test_variables_keep_their_aliasing(tf: Any) -> None:
    v1, v2 = tf.Variable(tf.zeros([2])), tf.Variable(tf.zeros([2]))
    frozen = tf.Variable(tf.zeros([2]), trainable=False)
    calls = [((v1, v1), {}), ((v1, v2), {}), ((v2, v2), {}), ((frozen, v1), {})]
    original = predict_traces(step, calls)
    assert_same(original, replayed(step, calls))
    assert original.traces_plain == real_counts(tf, step, calls)[0]


def test_methods_group_by_instance_and_positional_only(tf: Any) -> None:
    a, b = Layer(), Layer()
    calls = [((a, tf.zeros([2])), {}), ((a, tf.zeros([3])), {}), ((b, tf.zeros([3])), {})]
    original = predict_traces(Layer.call, calls)
    assert (
        original.explanations[-1] == "self: new Layer instance (tf.function keeps one cache each)"
    )
    assert_same(original, replayed(Layer.call, calls))

    powers = [((tf.constant(2.0), 1), {}), ((tf.constant(2.0), 2), {})]
    assert_same(predict_traces(by_power, powers), replayed(by_power, powers))


def test_given_input_signature_is_replayed(tf: Any) -> None:
    signature = [tf.TensorSpec([None], tf.float32)]
    calls = [((tf.zeros([2]),), {}), ((tf.zeros([5]),), {}), ((tf.zeros([2, 2]),), {})]
    original = predict_traces(step, calls, input_signature=signature)
    assert original.traces_plain == 1
    assert_same(original, replayed(step, calls, signature))


def test_identity_tokens_are_per_process(tf: Any) -> None:
    """One object seen by two processes is two objects: each process had its own."""
    function, _, specs = encoded(step, [((tf.zeros([2]), Plain()), {})])
    merged = replay_prediction(function, None, [(1, specs[0]), (2, specs[0]), (1, specs[0])])
    assert (merged.traces_plain, merged.explanations) == (
        2,
        ("y: Plain object (was Plain object)",),
    )
    named = encoded(step, [((tf.zeros([2]), Mode.TRAIN), {})])
    merged = replay_prediction(named[0], None, [(1, named[2][0]), (2, named[2][0])])
    assert merged.traces_plain == 1  # names and enum members are the same object everywhere


def test_opaque_values_and_missing_tensorflow_degrade_to_unknown(tf: Any) -> None:
    ragged = tf.ragged.constant([[1], [2, 3]])
    prediction = replayed(step, [((ragged,), {})])
    assert prediction.unknown_reason == "unknown: replay cannot rebuild a RaggedTensor argument"
    code = (
        "import sys; sys.modules['tensorflow'] = None\n"
        "from tracehybrid.tracekeys.replay import replay_prediction\n"
        "p = replay_prediction(['f', [['x', 'POSITIONAL_OR_KEYWORD', False, None]]], None,"
        " [(1, [[['value', 1]], []])])\n"
        "print(p.traces_plain, p.unknown_reason.startswith('unknown: tensorflow'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["None", "True"]
