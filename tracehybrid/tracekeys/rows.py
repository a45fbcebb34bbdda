"""Trace-key predictions as store rows: in the traced process, and once more after combine."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tracehybrid.store.schema import COMBINED_SOURCE
from tracehybrid.store.serial_order import CandidateReplay, ReplaySpec
from tracehybrid.store.writer import PredictionRow, ReplayFunctionRow, ReplaySampleRow
from tracehybrid.tracekeys.predictor import TracePrediction, predict_traces
from tracehybrid.tracekeys.replay import replay_prediction
from tracehybrid.tracekeys.specs import SpecEncoder, parameters_spec, signature_spec

Sample = tuple[int, tuple[Any, ...], dict[str, Any]]  # (signature id, args, kwargs)
# (function spec, input_signature spec, (namespace, call spec) in order) -> the prediction
type Replayer = Callable[
    [ReplaySpec, ReplaySpec | None, Sequence[tuple[int, ReplaySpec]]], TracePrediction
]


@dataclasses.dataclass(frozen=True)
class LiveCandidate:
    """One candidate at the traced process's final flush: its eager samples and live function."""

    index: int  # candidate.id in the process store
    qualname: str
    samples: Sequence[Sample]
    # Finds the live function or tf.function object (None when gone); called where its failure
    # becomes this candidate's error row, never the flush's.
    find_function: Callable[[], object]


def prediction_row(
    candidate: int, source: str, prediction: TracePrediction, detail: dict[str, Any] | None = None
) -> PredictionRow:
    """The prediction table row of one answer; `detail` defaults to the whole prediction."""
    untraceable = list(prediction.untraceable)
    return (
        candidate,
        source,
        prediction.traces_plain,
        prediction.traces_reduce_retracing,
        prediction.traces_with_signature,
        json.dumps(untraceable) if untraceable else None,
        json.dumps(list(prediction.explanations)),
        json.dumps(
            dataclasses.asdict(prediction) if detail is None else detail,
            default=str,
            sort_keys=True,
        ),
    )


def _error_row(candidate: int, source: str, reason: str) -> PredictionRow:
    return (candidate, source, None, None, None, None, "[]", json.dumps({"error": reason}))


def _live_target(candidate: LiveCandidate) -> tuple[Any, Any]:
    """(the Python function tf.function would wrap, its user-given input_signature or None)."""
    target = candidate.find_function()
    if target is None:
        raise LookupError(f"no live function object for {candidate.qualname}")
    py_fn = getattr(target, "python_function", target)
    return py_fn, getattr(target, "input_signature", None)


def process_rows(candidates: Iterable[LiveCandidate], source: str) -> list[PredictionRow]:
    """One prediction row per sampled candidate; errors become rows, never exceptions."""
    rows = []
    for candidate in candidates:
        try:
            py_fn, input_signature = _live_target(candidate)
            calls = [(args, kwargs) for _sig, args, kwargs in candidate.samples]
            prediction = predict_traces(py_fn, calls, input_signature=input_signature)
            rows.append(prediction_row(candidate.index, source, prediction))
        except Exception as exc:
            rows.append(_error_row(candidate.index, source, f"{type(exc).__name__}: {exc}"))
    return rows


def replay_rows(
    candidates: Iterable[LiveCandidate],
) -> tuple[list[ReplayFunctionRow], list[ReplaySampleRow]]:
    """Replay specs of every candidate's samples, so the combined prediction can replay them.

    The samples are encoded once, in first-seen order. A candidate whose function cannot be found
    or described gets no rows; the combined store then keeps this process's answer.
    """
    encoder = SpecEncoder()
    functions: list[ReplayFunctionRow] = []
    samples: list[ReplaySampleRow] = []
    for candidate in candidates:
        try:
            py_fn, input_signature = _live_target(candidate)
            signature = signature_spec(input_signature)
            function = parameters_spec(py_fn, encoder)
            calls = [encoder.call(args, kwargs) for _sig, args, kwargs in candidate.samples]
        except Exception:  # an exotic value or signature: this process's prediction still stands
            continue
        sig_text = None if signature is None else json.dumps(signature)
        functions.append((candidate.index, json.dumps(function), sig_text))
        samples += [
            (candidate.index, position, sig, None, json.dumps(call))
            for position, ((sig, _args, _kwargs), call) in enumerate(
                zip(candidate.samples, calls, strict=True)
            )
        ]
    return functions, samples


def combined_rows(
    replays: Iterable[CandidateReplay], replayer: Replayer = replay_prediction
) -> dict[int, list[PredictionRow]]:
    """The prediction rows of each replayed candidate once its stores are combined.

    One process that saw every call keeps its own answer (source 'combined'); otherwise all the
    samples are replayed in serial order, and an unknown answer keeps the per-process ones too.
    """
    return {replay.candidate: _combined_answer(replay, replayer) for replay in replays}


def _combined_answer(replay: CandidateReplay, replayer: Replayer) -> list[PredictionRow]:
    if replay.stores == 1 and len(replay.process_rows) == 1:
        # One process saw every call, in this very order: its answer is the serial one.
        return [(replay.candidate, COMBINED_SOURCE, *replay.process_rows[0][2:])]
    calls = [(0, call) for call in replay.calls]
    prediction = replayer(replay.function, replay.signature, calls)
    detail = {
        **dataclasses.asdict(prediction),
        "replayed_samples": len(calls),
        "stores": replay.stores,
    }
    row = prediction_row(replay.candidate, COMBINED_SOURCE, prediction, detail)
    if prediction.unknown_reason is not None:
        return [*replay.process_rows, row]  # say why, and keep the per-process answers
    return [row]
