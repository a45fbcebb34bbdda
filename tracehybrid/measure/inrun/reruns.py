"""After the graph run's tests, still in its process: find culprits, rerun solos, confirm.

1. Culprits. Each test whose outcome differs from the eager baseline runs again with no target
   changed (a control: a test that fails that way depends on order and blames nobody), then once
   per target it called, with that target alone in its new form. A target that still changes
   the outcome is a culprit. This settles in seconds what bisection settles with whole suites.
2. Solo reruns (`solo.plan`): targets that change a test only when they alone are graphs.
3. Confirmation. The tests that called a rejected target run once more without it, and their
   outcomes become this process's: the record then describes the set that remains.
Whatever cannot be settled here is left to the prover, which bisects with whole runs.
"""

from __future__ import annotations

import time

import pytest

from tracehybrid.measure.inrun.record import ProcessRecord
from tracehybrid.measure.inrun.rerunner import Rerunner, Result
from tracehybrid.measure.inrun.solo import Rerun, SoloReport, plan, within_budget

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_perf_counter = time.perf_counter

#: Culprit search stops after this long (or the main loop's own time, if longer): the prover's
#: bisection takes over the tests still unexplained.
MIN_CULPRIT_BUDGET_S = 10.0


class InProcessProof:
    """The reruns of one pytest session after its main loop."""

    def __init__(
        self,
        session: pytest.Session,
        record: ProcessRecord,
        loop_s: float,
        solo_budget: float,
        baseline: dict[str, str] | None,
    ) -> None:
        self.record = record
        ran = record.outcomes
        self.rerunner = Rerunner({i.nodeid: i for i in session.items if i.nodeid in ran})
        self.items = self.rerunner.items
        self.baseline = baseline or {}
        self.culprit_budget_s = max(MIN_CULPRIT_BUDGET_S, loop_s)
        self.report = SoloReport(budget_s=loop_s * solo_budget)

    def run(self, ignore: frozenset[str] = frozenset()) -> SoloReport:
        """Every rerun; fills `record.outcomes` with the outcomes of the remaining set."""
        start = _perf_counter()
        try:
            changed = [n for n in self.items if n not in ignore and self._changed(n)]
            self._find_culprits(changed, start + self.culprit_budget_s)
            self._solo([n for n in self.items if n not in changed])
            self._confirm(self.report.rejected)
            self._unmeasured(changed, start)
        finally:
            self.rerunner.close()
            self.report.seconds = _perf_counter() - start
            self.report.reruns = self.rerunner.count
        return self.report

    def _expected(self, nodeid: str) -> str:
        """The outcome a rerun must reproduce: the baseline's, else the graph run's."""
        return self.baseline.get(nodeid) or self.record.outcomes[nodeid]

    def _chain(self, kind: str, reruns: list[Rerun]) -> list[Result]:
        """RERUNS, counted and timed as reruns of KIND (the phase times of `results.json`)."""
        start = _perf_counter()
        try:
            return self.rerunner.chain(reruns)
        finally:
            self.record.count_reruns(kind, len(reruns), _perf_counter() - start)

    def _changed(self, nodeid: str) -> bool:
        return self.record.outcomes[nodeid] != self._expected(nodeid)

    def _hits(self, nodeid: str) -> list[str]:
        """The targets the test called, directly or while tracing a graph."""
        return [
            key
            for key, rec in self.record.targets.items()
            if rec.tests.get(nodeid) or rec.graph_tests.get(nodeid)
        ]

    def _find_culprits(self, changed: list[str], deadline: float) -> None:
        culprits = self.report.culprits
        for nodeid in changed:
            reruns_needed = len(self._hits(nodeid)) + 2  # a control, the solos, a confirmation
            if _perf_counter() + reruns_needed * self.record.durations[nodeid] > deadline:
                continue  # too long to settle here: bisection settles it with whole runs
            known = [key for key in self._hits(nodeid) if key in culprits]
            others = frozenset(self.record.targets) - set(culprits)
            if known and not self._changes(nodeid, others, "culprit"):
                if len(known) == 1:  # explained by the culprit found on an earlier test
                    self._record_alone(nodeid, known[0])
                continue
            if self._changes(nodeid, frozenset(), "control"):
                self.report.order_dependent.append(nodeid)
                continue
            suspects = [key for key in self._hits(nodeid) if key not in culprits]
            reruns = [(nodeid, frozenset({key})) for key in suspects]
            for key, (outcome, crash) in zip(suspects, self._chain("culprit", reruns), strict=True):
                if outcome != self._expected(nodeid):
                    culprits.setdefault(key, {})[nodeid] = crash

    def _record_alone(self, nodeid: str, key: str) -> None:
        """Charge NODEID to the culprit KEY with the crash it causes alone (the all-graph run's
        crash may be another target's); nothing when it does not change the test alone."""
        ((outcome, crash),) = self._chain("culprit", [(nodeid, frozenset({key}))])
        if outcome != self._expected(nodeid):
            self.report.culprits[key][nodeid] = crash

    def _changes(self, nodeid: str, forms: frozenset[str], kind: str) -> bool:
        ((outcome, _),) = self._chain(kind, [(nodeid, forms)])
        return outcome != self._expected(nodeid)

    def _solo(self, stable: list[str]) -> None:
        planned, self.report.skipped = within_budget(
            self.record, plan(self.record, stable), self.report.budget_s
        )
        failed = [
            (rerun, crash)
            for rerun, (outcome, crash) in zip(planned, self._chain("solo", planned), strict=True)
            if outcome != self._expected(rerun[0])
        ]
        suspects = sorted({nodeid for (nodeid, _), _ in failed})
        self.report.order_dependent += self._order_dependent(suspects)
        for (nodeid, keys), crash in failed:
            if nodeid not in self.report.order_dependent:
                for key in keys:
                    self.report.failures.setdefault(key, {})[nodeid] = crash

    def _order_dependent(self, nodeids: list[str]) -> list[str]:
        """Of NODEIDS, those whose outcome changes with no target changed either."""
        controls = self._chain("control", [(nodeid, frozenset()) for nodeid in nodeids])
        return [
            nodeid
            for nodeid, (outcome, _) in zip(nodeids, controls, strict=True)
            if outcome != self._expected(nodeid)
        ]

    def _unmeasured(self, changed: list[str], start: float) -> None:
        """Rerun tests in which a measurement ran eager references, measuring nothing, cheapest
        first while the solo budget lasts. A test that then fails (and not in a control rerun)
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
            spent = _perf_counter() - start
            if spent + self.record.durations[nodeid] > self.report.budget_s:
                break
            ((outcome, crash),) = self._chain("unmeasured", [(nodeid, remaining)])
            self.report.unmeasured += 1
            if outcome != self._expected(nodeid) and not self._order_dependent([nodeid]):
                self.report.masked.append(nodeid)
                self.record.outcomes[nodeid] = outcome
                self.record.crashes[nodeid] = crash

    def _confirm(self, rejected: set[str]) -> None:
        """Rerun the tests that called a rejected target with the rest in their new forms."""
        if not rejected:
            return
        remaining = frozenset(self.record.targets) - rejected
        nodeids = [
            nodeid
            for nodeid in self.items
            if any(key in rejected for key in self._hits(nodeid))
            and nodeid not in self.report.order_dependent
        ]
        reruns: list[Rerun] = [(n, remaining) for n in nodeids]
        results = dict(zip(nodeids, self._chain("confirmation", reruns), strict=True))
        differ = sorted(n for n, (outcome, _) in results.items() if outcome != self._expected(n))
        unreliable = set(self._order_dependent(differ))
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
        unsettled = set(self.report.order_dependent) | unreliable
        self.report.confirmed = not any(
            rec.calls_in_graph or any(rec.tests.get(nodeid) for nodeid in unsettled)
            for rec in (self.record.targets[key] for key in rejected)
        )
