"""Call the trace-key predictor at flush time: lazily, guarded, only where TensorFlow is loaded."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import sys
from types import FunctionType
from typing import Any

from tracehybrid.runtime.hooks import python_code
from tracehybrid.runtime.state import CandidateState

PredictionRow = tuple[int, str, int | None, int | None, int | None, str | None, str, str]
ReplayRows = tuple[list[tuple[int, str, str | None]], list[tuple[int, int, int, str | None, str]]]
_FIELDS = {
    "plain": ("traces_plain",),
    "reduce_retracing": ("traces_reduce_retracing",),
    "signature": ("traces_with_signature", "traces_signature"),
}


def _walk_module(state: CandidateState) -> Any:
    obj: Any = sys.modules.get(state.module_name or "")
    for part in state.spec.qualname.split("."):
        if obj is None or part == "<locals>":
            return None
        obj = getattr(obj, part, None)
    return obj if obj is not None and python_code(obj) in state.codes else None


def find_function(state: CandidateState) -> Any:
    """The live function (or tf.function) object of a candidate: by module path, else via gc."""
    found = state.function if state.function is not None else _walk_module(state)
    if found is not None:
        return found
    for ref in gc.get_referrers(*state.codes):
        if isinstance(ref, FunctionType) and ref.__code__ in state.codes:
            return ref
    return None


def _as_json(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    elif hasattr(value, "__dict__"):
        value = vars(value)
    return json.dumps(value, default=str, sort_keys=True)


def _field(prediction: Any, names: tuple[str, ...]) -> int | None:
    for name in names:
        value = getattr(prediction, name, None)
        if isinstance(value, int):
            return value
    return None


def _row(state: CandidateState, source: str, prediction: Any) -> PredictionRow:
    untraceable = getattr(prediction, "untraceable", None)
    explanations = getattr(prediction, "explanations", None) or []
    return (
        state.index,
        source,
        *(_field(prediction, names) for names in _FIELDS.values()),
        json.dumps(untraceable, default=str) if untraceable else None,
        json.dumps(explanations, default=str),
        _as_json(prediction),
    )  # type: ignore[return-value]


def _error_row(state: CandidateState, source: str, reason: str) -> PredictionRow:
    return (state.index, source, None, None, None, None, "[]", json.dumps({"error": reason}))


def predict_rows(states: list[CandidateState], source: str) -> list[PredictionRow]:
    """One prediction row per candidate with eager samples; errors become rows, never exceptions."""
    if "tensorflow" not in sys.modules:
        return []
    try:
        predict_traces = importlib.import_module("tracehybrid.runtime.tracekeys").predict_traces
    except Exception as exc:  # the predictor is optional: a missing one is stated, not fatal
        return [_error_row(s, source, f"predictor unavailable: {exc}") for s in states if s.samples]
    rows = []
    for state in states:
        if not state.samples:
            continue
        try:
            rows.append(_row(state, source, _predict(predict_traces, state)))
        except Exception as exc:
            rows.append(_error_row(state, source, f"{type(exc).__name__}: {exc}"))
    return rows


def _predict(predict_traces: Any, state: CandidateState) -> Any:
    target = find_function(state)
    if target is None:
        raise LookupError(f"no live function object for {state.spec.qualname}")
    py_fn = getattr(target, "python_function", target)
    input_signature = getattr(target, "input_signature", None)
    calls = [(args, kwargs) for _sig, args, kwargs in state.samples]
    return predict_traces(py_fn, calls, input_signature=input_signature)


def replay_rows(states: list[CandidateState]) -> ReplayRows:
    """Replay specs of every candidate's samples, so `combine` can predict across processes.

    Only at the final flush: the samples are encoded once, in first-seen order. A candidate whose
    function cannot be found or described gets no rows; combine then keeps this process's answer.
    """
    if "tensorflow" not in sys.modules:
        return [], []
    specs = importlib.import_module("tracehybrid.runtime.tracekeys_specs")
    encoder = specs.SpecEncoder()
    functions: list[tuple[int, str, str | None]] = []
    samples: list[tuple[int, int, int, str | None, str]] = []
    for state in states:
        if not state.samples:
            continue
        try:
            function, signature = _function_spec(specs, encoder, state)
            calls = [encoder.call(args, kwargs) for _sig, args, kwargs in state.samples]
        except Exception:  # an exotic value or signature: this process's prediction still stands
            continue
        functions.append((state.index, json.dumps(function), signature))
        samples += [
            (state.index, position, sig, None, json.dumps(call))
            for position, ((sig, _args, _kwargs), call) in enumerate(
                zip(state.samples, calls, strict=True)
            )
        ]
    return functions, samples


def _function_spec(specs: Any, encoder: Any, state: CandidateState) -> tuple[Any, str | None]:
    target = find_function(state)
    if target is None:
        raise LookupError(f"no live function object for {state.spec.qualname}")
    py_fn = getattr(target, "python_function", target)
    signature = specs.signature_spec(getattr(target, "input_signature", None))
    return specs.parameters_spec(py_fn, encoder), None if signature is None else json.dumps(
        signature
    )
