"""At the final flush, find each sampled candidate's live function and have tracekeys predict it."""

from __future__ import annotations

import functools
import gc
import sys
from types import FunctionType
from typing import Any

from tracehybrid.runtime.hooks import python_code
from tracehybrid.runtime.state import CandidateState
from tracehybrid.store.writer import Batch


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


def add_predictions(batch: Batch, states: list[CandidateState], source: str) -> None:
    """This process's trace-key predictions and replay specs, only where TensorFlow is loaded.

    The live objects die with the process, so what replay cannot rebuild (ragged and sparse
    tensors, extension types) is predicted here; `combine` replays the specs across processes.
    """
    if "tensorflow" not in sys.modules:
        return  # no tensor was ever passed: nothing for tf.function to key on
    # Imported here, at the final flush: the tracer's start-up never loads the predictor.
    from tracehybrid.tracekeys.rows import (  # noqa: PLC0415
        LiveCandidate,
        process_rows,
        replay_rows,
    )

    live = [
        LiveCandidate(
            state.index, state.spec.qualname, state.samples, functools.partial(find_function, state)
        )
        for state in states
        if state.samples
    ]
    batch.predictions = process_rows(live, source)
    batch.replay_functions, batch.replay_samples = replay_rows(live)
