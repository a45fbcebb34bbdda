"""Turn the tracer's in-memory state into store rows (formatting here, not on the hot path)."""

from __future__ import annotations

from typing import Any

from tracehybrid.runtime import effects
from tracehybrid.runtime.probes import DICT, describe
from tracehybrid.runtime.state import OVERFLOW_SIGNATURE, Buffers, CandidateState
from tracehybrid.runtime.sysmon import HOOK_KEY
from tracehybrid.store.writer import Batch


def signature_text(state: CandidateState, key: Any, identities: dict[int, int]) -> str:
    """`x: tensor float32[8], lr: float=0.01` for a body call; positional/keyword form for hooks."""
    if type(key) is tuple and key and key[0] == HOOK_KEY:
        names = state.param_names + ("*",) * len(key[1])
        parts = [f"{n}: {describe(k, identities)}" for n, k in zip(names, key[1], strict=False)]
        if key[2][0] == DICT:
            parts += [f"{name}: {describe(k, identities)}" for name, k in key[2][2]]
        return ", ".join(parts)
    names = state.all_names()
    return ", ".join(
        f"{name}: {describe(k, identities)}" for name, k in zip(names, key, strict=False)
    )


def candidate_row(state: CandidateState) -> tuple[int, str, str, int, int, str, int]:
    """The candidate table row of a state."""
    spec = state.spec
    return (
        state.index,
        spec.path,
        spec.qualname,
        spec.line,
        spec.first_line,
        spec.kind,
        state.overflow_calls,
    )


def new_signature_rows(
    state: CandidateState, already: int, identities: dict[int, int]
) -> list[tuple[int, int, str]]:
    """Rows for signatures allocated since `already` were written, plus the overflow row if used."""
    rows = [
        (state.index, ordinal, signature_text(state, key, identities))
        for ordinal, key in enumerate(state.signature_keys[already:], start=already + 1)
    ]
    if state.overflow_calls:
        rows.append((state.index, OVERFLOW_SIGNATURE, "<signatures over the cap>"))
    return rows


def add_buffers(batch: Batch, buffers: Buffers) -> None:
    """Append the counts, records and effects of one buffer swap to a batch."""
    batch.counts.extend(
        (cand, sig, test, mode, calls, raised, total, low, high)
        for (cand, sig, test, mode), (calls, total, low, high, raised) in buffers.counts.items()
    )
    batch.records.extend(
        (cand, sig, test, mode, wall, int(raised))
        for cand, sig, test, mode, wall, raised in buffers.records
    )
    batch.effects.extend(
        (cand, kind, effects.CATEGORY.get(kind, "side_effect"), path, line, test, detail, count)
        for (cand, kind, path, line, test, detail), count in buffers.effects.items()
    )
