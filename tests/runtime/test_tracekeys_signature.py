"""Synthesised input_signature: per-axis generalisation, valid source, one trace for all calls."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest
from tracing_counts import real_counts

from tracehybrid.tracekeys.predictor import TracePrediction, predict_traces

pytestmark = pytest.mark.tensorflow

Batch = namedtuple("Batch", ["features", "labels"])


def step(x: Any, y: Any = None, lr: float = 0.001) -> None:
    del x, y, lr


@pytest.fixture(scope="session")
def tf() -> Any:
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    return tf


@pytest.fixture(scope="session")
def np() -> Any:
    return pytest.importorskip("numpy")


def traced_once_with(tf: Any, prediction: TracePrediction, calls: list[Any], fn: Any = step) -> int:
    """Evaluate the synthesised source as Python and count real traces under it."""
    assert prediction.signature_source is not None
    signature = eval(prediction.signature_source, {"tf": tf, "Batch": Batch})
    wrapped = tf.function(fn, input_signature=signature)
    for args, kwargs in calls:
        wrapped(*args, **kwargs)
    return int(wrapped.experimental_get_tracing_count())


def test_varying_axes_generalise_to_none(tf: Any, np: Any) -> None:
    calls = [
        ((tf.zeros([3, 2]), tf.zeros([3], tf.int32)), {}),
        ((np.zeros([5, 2], np.float32), tf.zeros([5], tf.int32)), {}),
        ((tf.ones([1, 2]), np.zeros([1], np.int32)), {}),
    ]
    prediction = predict_traces(step, calls)
    assert prediction.signature == (
        "tf.TensorSpec(shape=[None, 2], dtype=tf.float32)",
        "tf.TensorSpec(shape=[None], dtype=tf.int32)",
    )
    assert prediction.signature_source == (
        "[tf.TensorSpec(shape=[None, 2], dtype=tf.float32), "
        "tf.TensorSpec(shape=[None], dtype=tf.int32)]"
    )
    assert (prediction.traces_plain, prediction.traces_with_signature) == (3, 1)
    assert traced_once_with(tf, prediction, calls) == 1


def test_nests_of_tensors(tf: Any) -> None:
    def fit(batch: Any, extras: Any) -> None:
        del batch, extras

    calls = [
        ((Batch(tf.zeros([4, 3]), tf.zeros([4])), {"w": [tf.zeros([2])]}), {}),
        ((Batch(tf.zeros([8, 3]), tf.zeros([8])), {"w": [tf.zeros([7])]}), {}),
    ]
    prediction = predict_traces(fit, calls)
    assert prediction.signature == (
        "Batch(features=tf.TensorSpec(shape=[None, 3], dtype=tf.float32), "
        "labels=tf.TensorSpec(shape=[None], dtype=tf.float32))",
        "{'w': [tf.TensorSpec(shape=[None], dtype=tf.float32)]}",
    )
    assert prediction.traces_with_signature == 1
    assert traced_once_with(tf, prediction, calls, fit) == 1


def test_fixed_axes_stay_fixed_or_withhold(tf: Any) -> None:
    calls = [((tf.zeros([n, 4]),), {}) for n in (1, 2, 3)]
    kept = predict_traces(step, calls, fixed_axes={"x": {-1}})
    assert kept.signature == ("tf.TensorSpec(shape=[None, 4], dtype=tf.float32)",)
    withheld = predict_traces(step, calls, fixed_axes={"x": {0}})
    assert (withheld.signature, withheld.traces_with_signature) == (None, None)
    assert withheld.signature_withheld == "x: axis 0 is read statically but varies"
    assert withheld.traces_plain == 3


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ("int32", "x: dtype differs between calls (int32[2] vs float32[2])"),
        ("rank", "x: rank differs between calls (float32[2,2] vs float32[2])"),
        ("scalar", "x: not a tensor or ndarray in every call"),
    ],
)
def test_inconsistent_calls_withhold(tf: Any, second: str, reason: str) -> None:
    other = {"int32": tf.zeros([2], tf.int32), "rank": tf.zeros([2, 2]), "scalar": 3.0}[second]
    prediction = predict_traces(step, [((tf.zeros([2]),), {}), ((other,), {})])
    assert prediction.signature is None
    assert prediction.signature_withheld == reason


def test_trailing_python_arguments_must_keep_their_defaults(tf: Any) -> None:
    calls = [((tf.zeros([2]),), {}), ((tf.zeros([3]),), {"lr": 0.001})]
    covered = predict_traces(step, calls)
    assert covered.signature == ("tf.TensorSpec(shape=[None], dtype=tf.float32)",)
    assert traced_once_with(tf, covered, calls) == 1

    changed = [*calls, ((tf.zeros([4]),), {"lr": 0.01})]
    prediction = predict_traces(step, changed)
    assert prediction.signature is None
    assert prediction.signature_withheld is not None
    assert prediction.signature_withheld.startswith("the signature would reject call 3: ")
    real = tf.function(step, input_signature=[tf.TensorSpec([None], tf.float32)])
    with pytest.raises(TypeError):
        real(tf.zeros([4]), lr=0.01)


def test_signature_under_methods_is_one_trace_per_instance(tf: Any) -> None:
    class Layer:
        def call(self, x: Any) -> None:
            del x

    a, b = Layer(), Layer()
    calls = [((a, tf.zeros([2])), {}), ((a, tf.zeros([3])), {}), ((b, tf.zeros([5])), {})]
    prediction = predict_traces(Layer.call, calls)
    assert prediction.signature == ("tf.TensorSpec(shape=[None], dtype=tf.float32)",)
    assert (prediction.traces_plain, prediction.traces_with_signature) == (3, 2)


def by_power(x: Any, power: Any) -> Any:
    return x**power


def scaled(x: Any, factor: Any, *, bias: Any) -> Any:
    return x * factor + bias


@pytest.mark.parametrize(
    ("fn", "make_calls", "withheld"),
    [
        (
            by_power,
            lambda tf: [((tf.zeros([2]), 3), {}), ((tf.zeros([5]), 3), {})],
            "power: not a tensor or ndarray in every call and has no default",
        ),
        (
            scaled,
            lambda tf: [((tf.zeros([2]), tf.zeros([2])), {"bias": 1.0})] * 2,
            "bias: not a tensor or ndarray in every call and has no default",
        ),
        (
            by_power,
            lambda tf: [((2.0, tf.constant(2.0)), {}), ((2.0, tf.constant(3.0)), {})],
            "x: not a tensor or ndarray in every call",
        ),
    ],
)
def test_required_python_arguments_withhold_the_signature(
    tf: Any, fn: Any, make_calls: Any, withheld: str
) -> None:
    calls = make_calls(tf)
    prediction = predict_traces(fn, calls)
    assert prediction.unknown_reason is None
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == real_counts(
        tf, fn, calls, untraceable_ok=False
    )
    assert (prediction.signature, prediction.traces_with_signature) == (None, None)
    assert prediction.signature_withheld is not None
    assert prediction.signature_withheld.startswith(withheld)


def test_required_python_argument_retrace_is_explained(tf: Any) -> None:
    calls = [((tf.constant(2.0), 1), {}), ((tf.constant(2.0), 2), {})]
    prediction = predict_traces(by_power, calls)
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == (2, 2)
    assert prediction.explanations == ("power: 2 (was 1)",)
    with pytest.raises(TypeError, match="missing type constraint for power"):  # TF refuses too
        tf.function(by_power, input_signature=[tf.TensorSpec([], tf.float32)])
