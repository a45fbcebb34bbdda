"""After the graph run's tests, still in its process: find culprits, rerun solos, confirm.

Every rerun draws on one wall-time budget (`solo.RerunBudget`): a fraction (`rerun-budget`) of the
tests' own time in this run, its measurement left out, the nearest stand-in for the plain suite
that a pytest process has. The kinds spend it in this order, each cheapest test first, and a rerun
starts only when its estimate (with the control rerun a changed outcome would need) fits:

1. Culprits. Each test whose outcome differs from the eager baseline runs again with no target
   changed (a control: a test that fails that way depends on order and blames nobody), then once
   per target it called, with that target alone in its new form. A target that still changes
   the outcome is a culprit. This settles in seconds what bisection settles with whole suites,
   so it goes first, and may spend up to the main loop's time (at least CULPRIT_FLOOR_S) even
   past the shared budget: a test it leaves unsettled costs the prover two or more bisection
   runs of the whole suite (GPflow: a 0.5 budget left two tests to five bisection runs, 390 s).
   A test that does not fit even so is left to the prover's bisection.
   Then what the culprits hid (`hidden`): targets they starved, and exceptions they caused
   inside other targets' graphs, seen again in reruns of the tests they changed.
2. Solo reruns (`solo.plan`): targets that change a test only when they alone are graphs. What
   does not fit is reported per target (`skipped`, results.json's `not_run_alone`).
3. Confirmation. The tests that called a rejected target run once more without it, and their
   outcomes become this process's: the record then describes the set that remains. If one does
   not fit, the process is not `confirmed` and the prover runs the suite again.
4. Unmeasured reruns of the tests in which a measurement ran eager references.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tracehybrid.measure.inrun.hidden import Hidden
from tracehybrid.measure.inrun.record import ProcessRecord
from tracehybrid.measure.inrun.rerunner import Rerunner, Result
from tracehybrid.measure.inrun.solo import Rerun, RerunBudget, SoloReport, estimate_s, plan

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_perf_counter = time.perf_counter


CULPRIT_FLOOR_S = 10.0  # culprit search may always spend this long: a bisection run costs more


class InProcessProof:
    """The reruns of one pytest session after its main loop."""

    def __init__(
        self,
        session: pytest.Session,
        record: ProcessRecord,
        loop_s: float,
        fraction: float,
        baseline: dict[str, str] | None,
        clock: Callable[[], float] = _perf_counter,
        callers: dict[str, list[str] | None] | None = None,
    ) -> None:
        self.record = record
        # The traced run's callers of each target (targets.json's `callers`); empty: unknown.
        self.callers = callers or {}
        ran = record.outcomes
        self.rerunner = Rerunner({i.nodeid: i for i in session.items if i.nodeid in ran})
        self.items = self.rerunner.items
        self.baseline = baseline or {}
        # The tests' own time: the main loop without the measurement this process added to it.
        self.budget = RerunBudget(fraction * max(0.0, loop_s - record.measure_s), clock)
        self.culprit_allowance_s = max(CULPRIT_FLOOR_S, loop_s)
        self.report = SoloReport(budget_s=self.budget.seconds)
        self._controlled: set[str] = set()  # tests whose control rerun kept their outcome

    def run(self, ignore: frozenset[str] = frozenset()) -> SoloReport:
        """Every rerun within the budget; fills `record.outcomes` with the remaining set's."""
        try:
            changed = [n for n in self.items if n not in ignore and self._changed(n)]
            self._find_culprits(changed)
            Hidden(self).run(changed)  # what the culprits kept from being seen
            self._solo([n for n in self.items if n not in changed])
            self._confirm(self.report.rejected)
            self._unmeasured(changed)
        finally:
            self.rerunner.close()
            self.report.seconds = self.budget.spent()
            self.report.reruns = self.rerunner.count
        return self.report

    def expected(self, nodeid: str) -> str:
        """The outcome a rerun must reproduce: the baseline's, else the graph run's."""
        return self.baseline.get(nodeid) or self.record.outcomes[nodeid]

    def chain(
        self, kind: str, reruns: list[Rerun], measured: frozenset[str] = frozenset()
    ) -> list[Result]:
        """RERUNS, counted and timed as reruns of KIND (the phase times of `results.json`);
        the targets MEASURED are called as in the main loop (`rerunner.forms`)."""
        start = _perf_counter()
        try:
            return self.rerunner.chain(reruns, measured)
        finally:
            self.record.count_reruns(kind, len(reruns), _perf_counter() - start)

    def _changed(self, nodeid: str) -> bool:
        return self.record.outcomes[nodeid] != self.expected(nodeid)

    def hits(self, nodeid: str) -> list[str]:
        """The targets the test called, directly or while tracing a graph."""
        return [
            key
            for key, rec in self.record.targets.items()
            if rec.tests.get(nodeid) or rec.graph_tests.get(nodeid)
        ]

    def _find_culprits(self, changed: list[str]) -> None:
        culprits = self.report.culprits
        for nodeid in sorted(changed, key=self._culprit_cost):  # cheapest first
            if not self.budget.fits_within(self._culprit_cost(nodeid), self.culprit_allowance_s):
                continue  # too long to settle here: bisection settles it with whole runs
            known = [key for key in self.hits(nodeid) if key in culprits]
            others = frozenset(self.record.targets) - set(culprits)
            if known and not self._changes(nodeid, others, "culprit"):
                if len(known) == 1:  # explained by the culprit found on an earlier test
                    self._record_alone(nodeid, known[0])
                continue
            if self._changes(nodeid, frozenset(), "control"):
                self.report.order_dependent.append(nodeid)
                continue
            suspects = [key for key in self.hits(nodeid) if key not in culprits]
            self.search(nodeid, suspects)

    def search(self, nodeid: str, suspects: list[str]) -> None:
        """Each suspect alone in its new form: those that reproduce the change are culprits.

        Stopping at the first culprit once a rerun with every other target as a graph keeps
        the outcome was tried, and cost more than it saved: that rerun traces every target the
        test calls, nested graphs inside outer ones (GPflow: 65 reruns in 39 s against 91 in
        34 s, the same culprits)."""
        reruns = [(nodeid, frozenset({key})) for key in suspects]
        for key, (outcome, crash) in zip(suspects, self.chain("culprit", reruns), strict=True):
            if outcome != self.expected(nodeid):
                self.report.culprits.setdefault(key, {})[nodeid] = crash

    def _culprit_cost(self, nodeid: str) -> float:
        """A control, one rerun per target the test called, and one more to charge a culprit."""
        return (len(self.hits(nodeid)) + 2) * self.record.durations[nodeid]

    def _record_alone(self, nodeid: str, key: str) -> None:
        """Charge NODEID to the culprit KEY with the crash it causes alone (the all-graph run's
        crash may be another target's); nothing when it does not change the test alone."""
        ((outcome, crash),) = self.chain("culprit", [(nodeid, frozenset({key}))])
        if outcome != self.expected(nodeid):
            self.report.culprits[key][nodeid] = crash

    def _changes(self, nodeid: str, forms: frozenset[str], kind: str) -> bool:
        ((outcome, _),) = self.chain(kind, [(nodeid, forms)])
        return outcome != self.expected(nodeid)

    def _solo(self, stable: list[str]) -> None:
        """Each planned solo rerun that fits (cheapest first), and a control where it fails."""
        for rerun in plan(self.record, stable):
            nodeid, keys = rerun
            control_s = self.record.durations[nodeid]
            if not self.budget.fits(estimate_s(self.record, rerun) + control_s):
                for key in keys:
                    self.report.skipped.setdefault(key, []).append(nodeid)
                continue
            ((outcome, crash),) = self.chain("solo", [rerun])
            if outcome == self.expected(nodeid) or nodeid in self.report.order_dependent:
                continue
            if nodeid not in self._controlled and self._order_dependent([nodeid]):
                self.report.order_dependent.append(nodeid)
                continue
            self._controlled.add(nodeid)  # its control kept the outcome: no need to ask again
            for key in keys:
                self.report.failures.setdefault(key, {})[nodeid] = crash

    def _order_dependent(self, nodeids: list[str]) -> list[str]:
        """Of NODEIDS, those whose outcome changes with no target changed either."""
        controls = self.chain("control", [(nodeid, frozenset()) for nodeid in nodeids])
        return [
            nodeid
            for nodeid, (outcome, _) in zip(nodeids, controls, strict=True)
            if outcome != self.expected(nodeid)
        ]

    def _unmeasured(self, changed: list[str]) -> None:
        """Rerun tests in which a measurement ran eager references, measuring nothing, cheapest
        first while the budget lasts. A test that then fails (and not in a control rerun)
        passed only thanks to the eager reference's side effects: its outcome becomes the failure,
        and the prover's bisection, which measures nothing, finds the culprit."""
        settled = set(changed) | set(self.report.order_dependent)
        candidates = sorted(
            (n for n in self.record.measured_tests if n in self.items and n not in settled),
            key=lambda nodeid: self.record.durations[nodeid],
        )
        self.report.measured = len(candidates)
        remaining = frozenset(self.record.targets) - self.report.rejected
        for nodeid in candidates:
            if not self.budget.fits(2 * self.record.durations[nodeid]):  # with its control
                break  # the rest cost at least as much
            ((outcome, crash),) = self.chain("unmeasured", [(nodeid, remaining)])
            self.report.unmeasured += 1
            if outcome != self.expected(nodeid) and not self._order_dependent([nodeid]):
                self.report.masked.append(nodeid)
                self.record.outcomes[nodeid] = outcome
                self.record.crashes[nodeid] = crash

    def _confirm(self, rejected: set[str]) -> None:
        """Rerun the tests that called a rejected target with the rest in their new forms,
        cheapest first while they fit."""
        if not rejected:
            return
        remaining = frozenset(self.record.targets) - rejected
        nodeids = sorted(
            (
                nodeid
                for nodeid in self.items
                if any(key in rejected for key in self.hits(nodeid))
                and nodeid not in self.report.order_dependent
            ),
            key=lambda nodeid: self.record.durations[nodeid],
        )
        unsettled = set(self.report.order_dependent)
        for nodeid in nodeids:
            if not self.budget.fits(2 * self.record.durations[nodeid]):  # with its control
                unsettled.add(nodeid)  # not confirmed here: the prover runs the suite again
                continue
            ((outcome, crash),) = self.chain("confirmation", [(nodeid, remaining)])
            if outcome != self.expected(nodeid) and self._order_dependent([nodeid]):
                unsettled.add(nodeid)
                continue
            self.record.outcomes[nodeid] = outcome
            if crash:
                self.record.crashes[nodeid] = crash
            else:
                self.record.crashes.pop(nodeid, None)
        # A call made while tracing another graph is not attributed to a test, and an
        # order-dependent or unconfirmed test cannot vouch for the rest: then the prover must
        # run the suite again.
        self.report.confirmed = not any(
            rec.calls_in_graph or any(rec.tests.get(nodeid) for nodeid in unsettled)
            for rec in (self.record.targets[key] for key in rejected)
        )
