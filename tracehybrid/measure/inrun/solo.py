"""What the in-process reruns found, their one wall-time budget, and which solo reruns to make.

The graph run proves the targets together. A test that compares two of them (`f(x)` against
`g(x)` at a tight tolerance) passes when both are graphs and fails when only `f` is, which is
what applying a subset gives. So each test that called two or more targets whose graph outputs
were not bit-identical to eager ones runs again once per such target, with that target alone in
its new form and every other target as it was (`reruns.InProcessProof` runs them).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracehybrid.measure.inrun.record import ProcessRecord

Rerun = tuple[str, frozenset[str]]  # (nodeid, keys of the targets in their new form)

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_perf_counter = time.perf_counter


class RerunBudget:
    """The one wall-time budget that every kind of in-process rerun draws on, in order.

    A rerun starts only when its estimated cost `fits` in what is `left` on the clock, so no
    kind can spend what the kinds after it were promised, and none starts past the end.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = _perf_counter) -> None:
        self.seconds = max(0.0, seconds)
        self._clock = clock
        self._start = clock()

    def spent(self) -> float:
        """Wall time since the reruns began."""
        return self._clock() - self._start

    def left(self) -> float:
        """Wall time still to spend (never negative)."""
        return max(0.0, self.seconds - self.spent())

    def fits(self, cost_s: float) -> bool:
        """True when a rerun estimated at COST_S would end within the budget."""
        return cost_s <= self.left()

    def fits_within(self, cost_s: float, allowance_s: float) -> bool:
        """True when COST_S would end within ALLOWANCE_S of the start, or within the budget if
        larger: for the one kind allowed to spend past the shared budget."""
        return cost_s <= max(0.0, max(allowance_s, self.seconds) - self.spent())


@dataclass
class SoloReport:
    """What the in-process reruns of one process found (`solo` in its record file): culprits,
    solo failures, and tests whose failure measurement had masked."""

    reruns: int = 0
    seconds: float = 0.0
    budget_s: float = 0.0
    # key -> nodeid -> crash: targets that alone changed a test the graph run changed
    culprits: dict[str, dict[str, str]] = field(default_factory=dict)
    # key -> nodeid -> crash: targets that changed a test only alone (the graph run passed it)
    failures: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # key -> tests over the budget
    order_dependent: list[str] = field(default_factory=list)  # a control rerun changed them too
    measured: int = 0  # tests in which a measurement ran eager references
    unmeasured: int = 0  # of those, rerun without measuring (within what budget is left)
    masked: list[str] = field(default_factory=list)  # tests that fail once nothing is measured
    confirmed: bool = True  # every test that called a rejected target ran again without it

    @property
    def rejected(self) -> set[str]:
        """The keys of every target these reruns rejected."""
        return set(self.culprits) | set(self.failures)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this report."""
        return {
            "reruns": self.reruns,
            "seconds": round(self.seconds, 3),
            "budget_s": round(self.budget_s, 3),
            "culprits": self.culprits,
            "failures": self.failures,
            "skipped": self.skipped,
            "order_dependent": self.order_dependent,
            "measured": self.measured,
            "unmeasured": self.unmeasured,
            "masked": self.masked,
            "confirmed": self.confirmed,
        }


def plan(record: ProcessRecord, nodeids: Sequence[str]) -> list[Rerun]:
    """(test, {target}) where the test's solo run of that target could differ from both runs
    already made: the eager baseline and the graph run; cheapest first.

    A target whose graph outputs were bit-identical to eager ones changes nothing alone (its
    solo run is the baseline); when every other target the test called was bit-identical, its
    solo run is the graph run. Only tests with two or more targets of the first kind remain.
    """
    reruns = []
    for nodeid in nodeids:
        differ = [
            key
            for key, rec in record.targets.items()
            if rec.tests.get(nodeid) and not rec.identical
        ]
        if len(differ) >= 2:
            reruns += [(nodeid, frozenset({key})) for key in differ]
    return sorted(reruns, key=lambda rerun: estimate_s(record, rerun))


def estimate_s(record: ProcessRecord, rerun: Rerun) -> float:
    """The rerun's likely cost: the test's time in the graph run, plus what each other target
    it called loses per call by going back to eager (from the measured timings)."""
    nodeid, forms = rerun
    cost = record.durations.get(nodeid, 0.0)
    for key, rec in record.targets.items():
        calls = rec.tests.get(nodeid, 0)
        if key in forms or not calls or rec.target.dehybridize:
            continue
        timings = list(rec.timings.values())
        if timings:
            eager = statistics.median(t["eager"]["median_s"] for t in timings)
            graph = statistics.median(t["graph"]["median_s"] for t in timings)
            cost += calls * max(0.0, eager - graph)
    return cost
