"""predict_traces against real tf.function tracing counts, one value class at a time."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import namedtuple
from typing import Any

import pytest
from tracing_counts import real_counts

from tracehybrid.tracekeys import predictor, tf_internals
from tracehybrid.tracekeys.predictor import TracePrediction, predict_traces

pytestmark = pytest.mark.tensorflow

Pair = namedtuple("Pair", ["a", "b"])


class Plain:
    """Keyed by identity (weakref)."""


@dataclasses.dataclass(eq=False)
class NoEq:
    a: int = 1


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: int = 1


@dataclasses.dataclass
class Cfg:
    a: int = 1


def body(x: Any, lr: Any = 0.001, flag: Any = False) -> None:
    """Candidate under test: the body is irrelevant to the cache key."""
    del x, lr, flag


@pytest.fixture(scope="session")
def tf() -> Any:
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")  # the retracing warning is noise here
    return tf


@pytest.fixture(scope="session")
def np() -> Any:
    return pytest.importorskip("numpy")


def check(
    tf: Any, calls: list[tuple[tuple[Any, ...], dict[str, Any]]], fn: Any = body
) -> TracePrediction:
    """Predict, compare both counts with real TensorFlow, and return the prediction."""
    prediction = predict_traces(fn, calls)
    assert prediction.unknown_reason is None
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == real_counts(
        tf, fn, calls
    )
    return prediction


def test_defaults_are_bound(tf: Any) -> None:
    x = tf.zeros([3])
    prediction = check(tf, [((x,), {}), ((x, 0.001), {}), ((), {"x": x, "lr": 0.001})])
    assert prediction.traces_plain == 1
    assert prediction.explanations == ()


def test_true_one_and_one_point_zero_share_a_key(tf: Any) -> None:
    x = tf.zeros([3])
    calls = [((x,), {"flag": v}) for v in (True, 1, 1.0)]
    assert check(tf, calls).traces_plain == 1
    assert check(tf, [*calls, ((x,), {"flag": 2})]).traces_plain == 2


def test_tensors_keyed_by_shape_and_dtype(tf: Any) -> None:
    same_shape = [((tf.constant([float(i), 0.0]),), {}) for i in range(3)]
    assert check(tf, same_shape).traces_plain == 1
    growing = [((tf.zeros([n]),), {}) for n in (1, 2, 3, 4)]
    prediction = check(tf, growing)
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == (4, 2)
    dtypes = [((tf.zeros([2], dtype),), {}) for dtype in (tf.float32, tf.float64, tf.int32)]
    assert check(tf, dtypes).traces_plain == 3


def test_unknown_rank_after_rank_change_under_reduce_retracing(tf: Any) -> None:
    calls = [((tf.zeros(shape),), {}) for shape in ([1], [2], [3], [2, 2], [3, 3, 3])]
    prediction = check(tf, calls)
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == (5, 3)


def test_ndarrays_keyed_like_tensors(tf: Any, np: Any) -> None:
    calls = [
        ((np.zeros(3),), {}),
        ((np.ones(3),), {}),
        ((np.zeros(4),), {}),
        ((np.zeros(3, np.float32),), {}),
        ((tf.zeros([3]),), {}),  # same key as the float32 ndarray
    ]
    assert check(tf, calls).traces_plain == 3


def test_numpy_scalars_are_tensors_not_literals(tf: Any, np: Any) -> None:
    calls = [((np.float32(1),), {}), ((np.float32(2),), {}), ((np.int64(2),), {})]
    assert check(tf, calls).traces_plain == 2


def test_variables_keyed_by_spec_and_aliasing(tf: Any) -> None:
    v1, v2 = tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])
    v3 = tf.Variable([1.0, 2.0, 3.0])
    frozen = tf.Variable([1.0, 2.0], trainable=False)
    assert check(tf, [((v,), {}) for v in (v1, v2)]).traces_plain == 1
    assert check(tf, [((v,), {}) for v in (v1, v3, frozen)]).traces_plain == 3
    aliasing = [((v1,), {"lr": v1}), ((v1,), {"lr": v2}), ((v2,), {"lr": v2})]
    assert check(tf, aliasing).traces_plain == 2


def test_containers_are_structural(tf: Any) -> None:
    x = tf.zeros([2])
    calls = [
        (([x],), {}),
        (([x, x],), {}),
        (((x, x),), {}),
        (({"k": x},), {}),
        (({"k": x, "j": 1},), {}),
        ((Pair(x, 1),), {}),
        ((Pair(x, 1),), {}),
        ((Pair(x, 2),), {}),
    ]
    assert check(tf, calls).traces_plain == 7


def test_objects_by_identity_and_frozen_dataclasses_by_value(tf: Any) -> None:
    x = tf.zeros([2])
    plain = Plain()
    no_eq = NoEq()
    calls = [
        ((x,), {"lr": plain}),
        ((x,), {"lr": plain}),
        ((x,), {"lr": Plain()}),
        ((x,), {"lr": no_eq}),
        ((x,), {"lr": NoEq()}),
        ((x,), {"lr": Frozen(1)}),
        ((x,), {"lr": Frozen(1)}),
        ((x,), {"lr": Frozen(2)}),
    ]
    assert check(tf, calls).traces_plain == 6


def test_unhashable_values_are_untraceable(tf: Any) -> None:
    x = tf.zeros([2])
    calls = [((x,), {}), ((x,), {"lr": Cfg()}), ((x,), {"flag": {1, 2}}), (({"k": [Cfg()]},), {})]
    prediction = check(tf, calls)
    assert prediction.traces_plain == 1
    assert prediction.untraceable == (
        "lr: unhashable dataclass Cfg",
        "flag: unhashable set",
        "x['k'][0]: unhashable dataclass Cfg",
    )
    with pytest.raises(TypeError, match="Could not generate a generic TraceType"):
        tf.function(body)(x, lr=Cfg())


def test_binding_failures_are_untraceable(tf: Any) -> None:
    prediction = check(tf, [((), {}), ((tf.zeros([1]),), {"nope": 1})])
    assert prediction.traces_plain == 0
    assert prediction.untraceable == (
        "call 1: missing a required argument: 'x'",
        "call 2: got an unexpected keyword argument 'nope'",
    )


class LoudRepr:
    """An argument whose repr is costly (a variable's repr prints its value): never asked for."""

    def __repr__(self) -> str:
        raise AssertionError("the binding error formatted the arguments")


def test_binding_reasons_are_tensorflows_own_without_the_arguments_repr(tf: Any) -> None:
    from tensorflow.python.eager.polymorphic_function import function_type_utils

    tfi = tf_internals.internals()
    signature = [tf.TensorSpec(shape=[None], dtype=tf.float32)]
    cases = [
        (None, (), {}),
        (None, (1.0,), {"nope": 1}),
        (None, (1.0, 2.0, 3.0, 4.0), {}),
        (signature, (tf.zeros([2, 2]),), {}),
    ]
    for input_signature, args, kwargs in cases:
        poly, defaults = tfi.make_function_type(body, input_signature)
        reasons = []
        for canonicalize in (function_type_utils.canonicalize_function_inputs, tfi.canonicalize):
            with pytest.raises(TypeError) as caught:
                canonicalize(args, kwargs, poly, defaults)
            reasons.append(predictor._binding_reason(caught.value))
        assert reasons[0] == reasons[1]
    poly, defaults = tfi.make_function_type(body, None)
    with pytest.raises(TypeError, match="unexpected keyword"):
        tfi.canonicalize((LoudRepr(),), {"nope": LoudRepr()}, poly, defaults)


def varargs(*args: Any, **kwargs: Any) -> None:
    del args, kwargs


def test_reduce_retracing_raises_when_arity_grows(tf: Any) -> None:
    """TF 2.21 bug: generalising keys with different parameter counts raises IndexError."""
    x = tf.zeros([2])
    calls = [((x,), {}), ((x, x), {}), ((x,), {"extra": 1})]
    prediction = check(tf, calls, varargs)
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == (3, 1)
    assert len(prediction.untraceable) == 2
    assert all("reduce_retracing=True" in line for line in prediction.untraceable)


class Model:
    def step(self, x: Any) -> None:
        del x


def test_methods_trace_once_per_instance(tf: Any) -> None:
    class Traced:
        @tf.function
        def step(self, x: Any) -> None:
            del x

    m1, m2 = Model(), Model()
    calls = [((m, tf.zeros([n])), {}) for m, n in ((m1, 2), (m2, 2), (m1, 3), (m1, 2))]
    prediction = predict_traces(Model.step, calls)
    t1, t2 = Traced(), Traced()
    for (m, x), _ in calls:
        (t1 if m is m1 else t2).step(x)
    real = t1.step.experimental_get_tracing_count() + t2.step.experimental_get_tracing_count()
    assert prediction.traces_plain == real == 3
    busiest = max(
        t1.step.experimental_get_tracing_count(), t2.step.experimental_get_tracing_count()
    )
    assert prediction.per_cache_plain == busiest == 2
    assert prediction.explanations == (
        "self: new Model instance (tf.function keeps one cache each)",
        "x: float32[3] (was float32[2])",
    )


def test_bound_method_is_one_cache(tf: Any) -> None:
    model = Model()
    calls = [((tf.zeros([n]),), {}) for n in (2, 3, 2)]
    assert check(tf, calls, model.step).traces_plain == 2


def test_explanations_name_the_argument_and_the_nearest_key(tf: Any) -> None:
    def fn(x: Any, xs: Any = (), opts: Any = None, lr: Any = 0.001, **kw: Any) -> None:
        del x, xs, opts, lr, kw

    x4, x8 = tf.zeros([4]), tf.zeros([8])
    calls = [
        ((x4,), {}),
        ((x8,), {}),
        ((tf.zeros([4], tf.int32),), {}),
        ((x8,), {"lr": 0.01}),  # nearest is the x8 key: only lr differs
        ((x4, [x4, x4]), {}),
        ((x4, [x4, x4, x4]), {}),
        ((x4,), {"opts": {"a": 1}}),
        ((x4,), {"opts": {"a": 1, "k": 2}}),
        ((x4,), {"flag": True}),
    ]
    prediction = check(tf, calls, fn)
    assert prediction.explanations == (
        "x: float32[8] (was float32[4])",
        "x: int32[4] (was float32[4])",
        "lr: 0.01 (was 0.001)",
        "xs: list of 2 (was tuple of 0)",
        "xs: list of 3 (was list of 2)",
        "opts: dict of 1 (was None)",
        "opts['k']: new key",
        "flag: True (new value)",
    )


def test_given_input_signature_counts_under_it(tf: Any, np: Any) -> None:
    signature = [tf.TensorSpec(shape=[None], dtype=tf.float32)]
    calls = [((tf.zeros([n]),), {}) for n in (1, 2, 3)] + [((np.zeros(5, np.float32),), {})]
    prediction = predict_traces(body, calls, input_signature=signature)
    real = tf.function(body, input_signature=signature)
    for args, kwargs in calls:
        real(*args, **kwargs)
    assert prediction.traces_plain == real.experimental_get_tracing_count() == 1
    assert prediction.signature == ("tf.TensorSpec(shape=[None], dtype=tf.float32)",)
    rejected = predict_traces(body, [((tf.zeros([2, 2]),), {})], input_signature=signature)
    assert rejected.traces_plain == 0
    assert rejected.untraceable[0].startswith("call 1: Can not cast TensorSpec(shape=(2, 2)")


def test_pure_keys_are_memoised_and_objects_are_not(tf: Any) -> None:
    predictor.clear_caches()
    calls = [((tf.zeros([n]),), {}) for n in (5, 6, 5, 6)]
    first = predict_traces(body, calls)
    assert (
        len(tf_internals._MONO_MEMO) == 4
    )  # two shapes, plain and under the synthesised signature
    assert predict_traces(body, calls) == first
    assert len(tf_internals._MONO_MEMO) == 4
    predict_traces(body, [((tf.zeros([5]),), {"lr": Plain()})])
    assert len(tf_internals._MONO_MEMO) == 4


@pytest.fixture
def fresh_internals() -> Any:
    predictor.clear_caches()
    yield
    predictor.clear_caches()


def test_missing_internals_degrade_to_unknown(
    tf: Any, monkeypatch: pytest.MonkeyPatch, fresh_internals: None
) -> None:
    def broken_import() -> None:
        raise ImportError("cannot import name 'function_type_utils'")

    monkeypatch.setattr(tf_internals, "_import_internals", broken_import)
    prediction = predict_traces(body, [((tf.zeros([1]),), {})])
    assert prediction.traces_plain is None
    assert prediction.traces_reduce_retracing is None
    assert prediction.unknown_reason == (
        "unknown: tensorflow tracing internals unavailable "
        "(ImportError: cannot import name 'function_type_utils')"
    )


def test_changed_internal_signature_fails_the_self_check(
    tf: Any, monkeypatch: pytest.MonkeyPatch, fresh_internals: None
) -> None:
    from tensorflow.python.eager.polymorphic_function import function_type_utils

    def changed(args: Any, kwargs: Any, polymorphic_type: Any) -> Any:  # one argument fewer
        raise AssertionError("never reached")

    monkeypatch.setattr(function_type_utils, "make_canonicalized_monomorphic_type", changed)
    prediction = predict_traces(body, [((tf.zeros([1]),), {})])
    assert prediction.unknown_reason is not None
    assert prediction.unknown_reason.startswith("unknown: tensorflow tracing internals unavailable")
    assert "TypeError" in prediction.unknown_reason


def test_failure_mid_prediction_degrades_to_unknown(
    tf: Any, monkeypatch: pytest.MonkeyPatch, fresh_internals: None
) -> None:
    def no_cache() -> Any:
        raise RuntimeError("FunctionCache moved")

    broken = dataclasses.replace(predictor.internals(), function_cache=no_cache)
    monkeypatch.setattr(predictor, "internals", lambda: broken)
    prediction = predict_traces(body, [((tf.zeros([1]),), {})])
    assert (
        prediction.unknown_reason
        == "unknown: prediction failed (RuntimeError: FunctionCache moved)"
    )


def test_module_imports_without_tensorflow() -> None:
    code = (
        "import sys; sys.modules['tensorflow'] = None\n"
        "from tracehybrid.tracekeys.predictor import predict_traces\n"
        "p = predict_traces(lambda x: x, [((1,), {})])\n"
        "print(p.unknown_reason)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.startswith(
        "unknown: tensorflow tracing internals unavailable (ModuleNotFoundError"
    )
    quiet = "import sys, tracehybrid.tracekeys.predictor; print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", quiet], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
