"""The key screen: skips TensorFlow's comparison only where a light parameter already decides it."""

from __future__ import annotations

from typing import Any

import pytest

from tracehybrid.tracekeys.predictor import predict_traces
from tracehybrid.tracekeys.screen import KeyScreen, weight
from tracehybrid.tracekeys.tf_internals import internals

pytestmark = pytest.mark.tensorflow


def apply_all(grads: Any, step_fn: Any) -> None:
    """Shaped like dm-sonnet's `_apply_optimizer`: a long list of tensors and a callable."""
    del grads, step_fn


class Step:
    """An optimizer's bound method stands in: keyed by identity."""

    def __call__(self) -> None:
        return None


def key(tf: Any, *args: Any) -> Any:
    tfi = internals()
    poly, defaults = tfi.make_function_type(apply_all, None)
    bound = tfi.canonicalize(args, {}, poly, defaults)
    return tfi.monomorphic(bound.args, bound.kwargs, {}, poly)[0]


def grads(tf: Any, size: int) -> list[Any]:
    return [tf.zeros([size, 3]) for _ in range(40)]


def test_weight_counts_every_node_of_a_nested_structure(tf: Any) -> None:
    mono = key(tf, [tf.zeros([2]), (tf.zeros([1]), {"a": tf.zeros([3])})], Step())
    heavy, light = (p.type_constraint for p in mono.parameters.values())
    assert weight(light) == 1
    assert weight(heavy) >= 6  # the list, its tensor, the tuple, its tensor, the dict, its tensor


def test_a_different_light_parameter_is_decided_without_the_heavy_one(tf: Any) -> None:
    a, b = key(tf, grads(tf, 2), Step()), key(tf, grads(tf, 2), Step())
    screen = KeyScreen()
    assert screen.cannot_match(a, b)
    assert screen.cannot_merge(a, b)
    assert a.most_specific_common_subtype([b]) is None  # what TensorFlow itself answers
    assert not a.is_supertype_of(b)


def test_when_only_the_heavy_parameter_differs_tensorflow_decides(tf: Any) -> None:
    step = Step()
    a, b = key(tf, grads(tf, 2), step), key(tf, grads(tf, 5), step)
    screen = KeyScreen()
    assert not screen.cannot_match(a, b)
    assert not screen.cannot_merge(a, b)
    assert a.most_specific_common_subtype([b]) is not None  # shapes relax: the keys do meet


def test_predictions_with_the_screen_equal_real_tracing_counts(tf: Any) -> None:
    steps = [Step(), Step()]
    calls = [
        ((grads(tf, size), steps[index % 2]), {})
        for index, size in enumerate([2, 2, 3, 4, 2, 5, 3, 3])
    ]
    prediction = predict_traces(apply_all, calls)
    counts = []
    for reduce in (False, True):
        wrapped = tf.function(apply_all, reduce_retracing=reduce)
        for args, _ in calls:
            wrapped(*args)
        counts.append(wrapped.experimental_get_tracing_count())
    assert (prediction.traces_plain, prediction.traces_reduce_retracing) == tuple(counts)
    assert counts[1] < counts[0]  # reduce_retracing did merge keys: the screen let it
