"""Property: predicted trace counts equal real tf.function counts on random call sequences."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehybrid.tracekeys.predictor import TracePrediction, predict_traces
from tracehybrid.tracekeys.replay import replay_prediction
from tracehybrid.tracekeys.specs import SpecEncoder, parameters_spec

pytestmark = pytest.mark.tensorflow

# Values are drawn as recipes and built inside the test, so every example gets fresh tensors and
# its own pool of identity-keyed objects.
DTYPES = ("float32", "float64", "int32")
# A small alphabet of shapes so sequences revisit and relax them (reduce_retracing matters).
SHAPES = st.sampled_from([(), (1,), (2,), (3,), (2, 2), (1, 3), (3, 3, 1)])
SCALARS = st.sampled_from([True, False, 1, 0, 1.0, 2, 0.5, "a", None])
TENSORISH = st.one_of(
    st.tuples(st.just("tensor"), st.sampled_from(DTYPES), SHAPES),
    st.tuples(st.just("ndarray"), st.sampled_from(DTYPES), SHAPES),
)
LEAVES = st.one_of(
    TENSORISH,
    st.tuples(st.just("scalar"), SCALARS),
    st.tuples(st.just("object"), st.integers(0, 1)),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.tuples(st.just("list"), st.lists(inner, max_size=2)),
        st.tuples(st.just("tuple"), st.lists(inner, max_size=2)),
        st.tuples(st.just("dict"), st.dictionaries(st.sampled_from("ab"), inner, max_size=2)),
    ),
    max_leaves=3,
)
MISSING = ("missing",)
FIRST_ARG = st.one_of(TENSORISH, TENSORISH, VALUES)  # mostly tensors, as in real candidates
OPTIONAL = st.one_of(st.just(MISSING), SCALARS.map(lambda v: ("scalar", v)), VALUES)
CALL = st.tuples(FIRST_ARG, OPTIONAL, OPTIONAL)
SEQUENCES = st.lists(CALL, min_size=1, max_size=8)


class Obj:
    """Keyed by identity."""


def candidate(x: Any, y: Any = 1, *, z: Any = None) -> None:
    del x, y, z


def mixed(x: Any, power: Any, *, scale: Any = 1.0) -> None:
    """A tensor and a required Python argument: no input_signature can cover `power`."""
    del x, power, scale


@pytest.fixture(scope="session")
def tf() -> Any:
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    return tf


def build(tf: Any, recipe: Any, pool: list[Obj]) -> Any:
    """Materialise a drawn recipe into real tensors, arrays, scalars, containers and objects."""
    import numpy as np

    kind = recipe[0]
    if kind == "tensor":
        return tf.zeros(recipe[2], dtype=recipe[1])
    if kind == "ndarray":
        return np.zeros(recipe[2], dtype=recipe[1])
    if kind == "scalar":
        return recipe[1]
    if kind == "object":
        return pool[recipe[1]]
    if kind == "dict":
        return {k: build(tf, v, pool) for k, v in recipe[1].items()}
    items = [build(tf, v, pool) for v in recipe[1]]
    return items if kind == "list" else tuple(items)


def build_calls(tf: Any, sequence: list[Any]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    pool = [Obj(), Obj()]
    calls = []
    for x, y, z in sequence:
        args = (build(tf, x, pool),) if y == MISSING else (build(tf, x, pool), build(tf, y, pool))
        kwargs = {} if z == MISSING else {"z": build(tf, z, pool)}
        calls.append((args, kwargs))
    return calls


def real_count(tf: Any, calls: list[Any], *, reduce: bool, fn: Any = candidate) -> int:
    wrapped = tf.function(fn, reduce_retracing=reduce)
    for args, kwargs in calls:
        with contextlib.suppress(Exception):  # unhashable values etc.: tf.function raises
            wrapped(*args, **kwargs)
    return int(wrapped.experimental_get_tracing_count())


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequence=SEQUENCES)
def test_predicted_counts_equal_real_tracing_counts(tf: Any, sequence: list[Any]) -> None:
    calls = build_calls(tf, sequence)
    prediction = predict_traces(candidate, calls)
    assert prediction.unknown_reason is None
    assert prediction.traces_plain == real_count(tf, calls, reduce=False)
    assert prediction.traces_reduce_retracing == real_count(tf, calls, reduce=True)
    if prediction.traces_with_signature is not None:
        assert prediction.traces_with_signature == 1
    assert replayed(candidate, calls) == prediction  # what combine answers from replay specs


def replayed(fn: Any, calls: list[Any]) -> TracePrediction:
    encoder = SpecEncoder()
    function = json.loads(json.dumps(parameters_spec(fn, encoder)))
    specs = [json.loads(json.dumps(encoder.call(args, kwargs))) for args, kwargs in calls]
    return replay_prediction(function, None, [(0, spec) for spec in specs])


# Mixed tensor + Python-scalar calls: `power` is required, so a signature is never synthesised.
MIXED_CALL = st.tuples(TENSORISH, st.tuples(st.just("scalar"), SCALARS), OPTIONAL)
MIXED_SEQUENCES = st.lists(MIXED_CALL, min_size=1, max_size=6)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequence=MIXED_SEQUENCES)
def test_mixed_tensor_and_scalar_counts_equal_real(tf: Any, sequence: list[Any]) -> None:
    pool = [Obj(), Obj()]
    calls = [
        (
            (build(tf, x, pool), build(tf, power, pool)),
            {} if scale == MISSING else {"scale": build(tf, scale, pool)},
        )
        for x, power, scale in sequence
    ]
    prediction = predict_traces(mixed, calls)
    assert prediction.unknown_reason is None
    assert prediction.traces_plain == real_count(tf, calls, reduce=False, fn=mixed)
    assert prediction.traces_reduce_retracing == real_count(tf, calls, reduce=True, fn=mixed)
    assert prediction.signature is None
    assert prediction.signature_withheld is not None
    assert replayed(mixed, calls) == prediction
