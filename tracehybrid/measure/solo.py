"""Solo reruns: each target alone as a graph, on the tests where the graph run could not tell.

The graph run proves the targets together. A test that compares two of them (`f(x)` against
`g(x)` at a tight tolerance) passes when both are graphs and fails when only `f` is, which is
what applying a subset gives. So, after the main loop, each test that called two or more targets
runs again once per target whose graph outputs were not bit-identical to eager ones, with that
target alone in its new form and every other target as it was. A solo rerun that changes the
outcome is checked by a control rerun with no target changed (an order-dependent test proves
nothing), and then the tests that called the rejected targets run once more without them, so
the outcomes this process reports are those of the set that remains.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from _pytest.runner import runtestprotocol

from tracehybrid.measure.record import ProcessRecord, crash_line
from tracehybrid.runtime.pytest_plugin import outcome_of


class Forms:
    """Which targets take their new form during a rerun; None outside reruns (normal mode)."""

    new: frozenset[str] | None = None


FORMS = Forms()  # read on every call of a wrapped target: one attribute lookup
Rerun = tuple[str, frozenset[str]]  # (nodeid, keys of the targets in their new form)


@dataclass
class SoloReport:
    """What the solo reruns of one process found (the `solo` object of its record file)."""

    reruns: int = 0
    seconds: float = 0.0
    budget_s: float = 0.0
    failures: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> nodeid -> crash
    skipped: dict[str, list[str]] = field(default_factory=dict)  # key -> tests over the budget
    order_dependent: list[str] = field(default_factory=list)  # failed solo, failed control too
    confirmed: bool = True  # every test that called a rejected target ran again without it

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this report."""
        return {
            "reruns": self.reruns,
            "seconds": round(self.seconds, 3),
            "budget_s": round(self.budget_s, 3),
            "failures": self.failures,
            "skipped": self.skipped,
            "order_dependent": self.order_dependent,
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


def within_budget(
    record: ProcessRecord, planned: list[Rerun], budget_s: float
) -> tuple[list[Rerun], dict[str, list[str]]]:
    """The reruns whose estimated costs, added up in order, fit BUDGET_S, and the tests left
    out for each target (as the report's `skipped`)."""
    spent, kept = 0.0, []
    skipped: dict[str, list[str]] = {}
    for rerun in planned:
        spent += estimate_s(record, rerun)
        if spent <= budget_s:
            kept.append(rerun)
            continue
        for key in rerun[1]:
            skipped.setdefault(key, []).append(rerun[0])
    return kept, skipped


class SoloReruns:
    """Runs the solo, control and confirmation reruns of one pytest session's items."""

    def __init__(self, session: pytest.Session, record: ProcessRecord, budget_s: float) -> None:
        self.record = record
        ran = record.outcomes
        self.items = {item.nodeid: item for item in session.items if item.nodeid in ran}
        self.report = SoloReport(budget_s=budget_s)

    def run(self) -> SoloReport:
        """Run every rerun the plan asks for; fills `record.outcomes` with the final outcomes."""
        start = time.perf_counter()
        try:
            self._run()
        finally:
            self.report.seconds = time.perf_counter() - start
        return self.report

    def _run(self) -> None:
        planned, self.report.skipped = within_budget(
            self.record, plan(self.record, list(self.items)), self.report.budget_s
        )
        failed = [
            (rerun, crash)
            for rerun, (outcome, crash) in zip(planned, self._chain(planned), strict=True)
            if outcome != self.record.outcomes[rerun[0]]
        ]
        self.report.order_dependent = self._order_dependent({n for (n, _), _ in failed})
        for (nodeid, keys), crash in failed:
            if nodeid not in self.report.order_dependent:
                for key in keys:
                    self.report.failures.setdefault(key, {})[nodeid] = crash
        self._confirm(set(self.report.failures))

    def _order_dependent(self, nodeids: set[str]) -> list[str]:
        """Of NODEIDS, whose rerun changed, those that change with no target changed either:
        their outcome depends on what ran before, so their reruns prove nothing."""
        suspects = sorted(nodeids)
        controls = self._chain([(nodeid, frozenset()) for nodeid in suspects])
        return [
            nodeid
            for nodeid, (outcome, _) in zip(suspects, controls, strict=True)
            if outcome != self.record.outcomes[nodeid]
        ]

    def _confirm(self, rejected: set[str]) -> None:
        """Rerun the tests that called a rejected target with the rest in their new forms; their
        outcomes become this process's. Where that cannot be done, the prover runs the suite again.
        """
        if not rejected:
            return
        remaining = frozenset(self.record.targets) - rejected
        nodeids = [
            nodeid
            for nodeid in self.items
            if any(self.record.targets[key].tests.get(nodeid) for key in rejected)
            and nodeid not in self.report.order_dependent
        ]
        results = dict(zip(nodeids, self._chain([(n, remaining) for n in nodeids]), strict=True))
        changed = {n for n, (outcome, _) in results.items() if outcome != self.record.outcomes[n]}
        unreliable = set(self._order_dependent(changed))
        for nodeid, (outcome, crash) in results.items():
            if nodeid in unreliable:
                continue
            self.record.outcomes[nodeid] = outcome
            if crash:
                self.record.crashes[nodeid] = crash
            else:
                self.record.crashes.pop(nodeid, None)
        # A call made while tracing another graph is not attributed to a test, and an
        # order-dependent test cannot be rerun: then the prover must run the suite again.
        skipped = set(self.report.order_dependent) | unreliable
        self.report.confirmed = not any(
            rec.calls_in_graph or any(rec.tests.get(nodeid) for nodeid in skipped)
            for rec in (self.record.targets[key] for key in rejected)
        )

    def _chain(self, reruns: list[Rerun]) -> list[tuple[str, str]]:
        """(outcome, crash) of each rerun, run in order; fixtures above a test are kept for the
        next rerun that shares them, as pytest keeps them between consecutive tests."""
        results = []
        for index, (nodeid, forms) in enumerate(reruns):
            item = self.items[nodeid]
            following = reruns[index + 1][0] if index + 1 < len(reruns) else None
            # The same test next: tear down down to its parent (its function fixtures).
            nextitem: Any = item.parent if following == nodeid else self.items.get(following or "")
            results.append(self._once(item, nextitem, forms))
        self.report.reruns += len(reruns)
        return results

    def _once(self, item: pytest.Item, nextitem: Any, forms: frozenset[str]) -> tuple[str, str]:
        FORMS.new = forms
        try:
            reports = runtestprotocol(item, log=False, nextitem=nextitem)
        finally:
            FORMS.new = None
        outcome: str | None = None
        crash = ""
        for report in reports:
            outcome = outcome_of(report, outcome)
            crash = crash or crash_line(report)
        return outcome or "missing", crash
