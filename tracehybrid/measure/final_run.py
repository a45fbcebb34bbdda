"""The final run of a proof, and what later graph rounds keep of the first: its timings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from tracehybrid.measure.proof import ProofResult
from tracehybrid.measure.targets import Target

#: The purpose of the final run: exactly the approved targets as graphs, the whole suite, nothing
#: measured and no in-process reruns. Its wall time is the suite's time after `apply`.
FINAL = "final"

#: The verdicts on a provisional proof result: the targets they would approve.
Approver = Callable[[ProofResult], list[Target]]

#: What only a measured call records (timing, output comparison, whether an exception is the
#: graph's own): a target timed in an earlier round keeps that round's, as later rounds skip it.
MEASURED_FACTS = ("timings", "compared", "inexact", "mismatches", "not_compared")


def unmeasured(targets: Iterable[Target], timed: set[str]) -> list[Target]:
    """TARGETS, those already TIMED (keys) marked not to be measured again: their calls in a
    later round are counted and their tests rerun in process, but nothing is timed or compared."""
    return [replace(t, measure=False) if t.key in timed else t for t in targets]


def keep_measured(
    facts: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], timed: set[str]
) -> None:
    """Update FACTS with a round's NEW facts per target; for a target already TIMED in an
    earlier round, its measured facts stay the earlier round's, and so do the exceptions that
    round found to be the graph's own (an unmeasured call cannot tell)."""
    for key, item in new.items():
        earlier = facts.get(key)
        if key not in timed or earlier is None:
            facts[key] = item
            continue
        merged = dict(item)
        merged.update({name: earlier[name] for name in MEASURED_FACTS if name in earlier})
        own = [e for e in earlier.get("exceptions", []) if e.get("graph_only")]
        merged["exceptions"] = [*own, *item.get("exceptions", [])]
        facts[key] = merged
