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


def find_functions(states: list[CandidateState]) -> dict[int, Any]:
    """{candidate index: live function} for every state found, with one heap scan for them all.

    `gc.get_referrers` walks every object in the heap: 40 ms a call once TensorFlow is loaded,
    so one call per candidate cost GPflow's suite 10 s at its final flush. One call for all the
    candidates the module walk misses returns the same first referrer per candidate, in the
    same heap order.
    """
    found: dict[int, Any] = {}
    missing: dict[Any, CandidateState] = {}
    for state in states:
        function = state.function if state.function is not None else _walk_module(state)
        if function is not None:
            found[state.index] = function
        else:
            missing.update(dict.fromkeys(state.codes, state))
    if missing:
        for ref in gc.get_referrers(*missing):
            owner = missing.get(ref.__code__) if isinstance(ref, FunctionType) else None
            if owner is not None and owner.index not in found:
                found[owner.index] = ref
    return found


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

    sampled = [state for state in states if state.samples]
    functions = find_functions(sampled)  # once for both uses below, not once per use
    live = [
        LiveCandidate(
            state.index,
            state.spec.qualname,
            state.samples,
            functools.partial(functions.get, state.index),
        )
        for state in sampled
    ]
    batch.predictions = process_rows(live, source)
    batch.replay_functions, batch.replay_samples = replay_rows(live)
