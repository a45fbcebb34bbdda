"""One wall-time budget for every in-process rerun: its order, cheapest first, and what did not fit.

The reruns themselves are pytest's (`rerunner.Rerunner`, exercised by the real sessions of
test_measure_sessions.py); here a scripted rerunner stands in for them so that each rerun takes
exactly its test's recorded duration on a clock the test controls, and the schedule is exact.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tracehybrid.measure.inrun.record import ProcessRecord
from tracehybrid.measure.inrun.reruns import InProcessProof
from tracehybrid.measure.inrun.solo import Rerun, RerunBudget
from tracehybrid.measure.targets import Target

# A changed the outcome in the graph run; B and C call f and g, whose outputs were inexact;
# D and E ran measurements.
A, B, C, D, E = (f"t.py::test_{name}" for name in "abcde")
DURATIONS = {A: 1.0, B: 2.0, C: 0.5, D: 0.3, E: 5.0}


def target(name: str) -> Target:
    return Target(f"/p/{name}.py", name, 1, 1, "@tf.function")


F, G, H = target("f"), target("g"), target("h")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class ScriptedReruns:
    """Reruns as `Rerunner.chain` makes them: each advances the clock by its test's duration;
    only the culprit's rerun of A fails, as it failed in the graph run."""

    def __init__(self, clock: Clock, budget_end: float) -> None:
        self.clock = clock
        self.budget_end = budget_end
        self.made: list[Rerun] = []
        self.overran: list[Rerun] = []
        self.count = 0
        self.items = dict.fromkeys(DURATIONS)

    def chain(
        self,
        reruns: list[Rerun],
        measured: frozenset[str] = frozenset(),  # noqa: ARG002 - nothing is starved here
    ) -> list[tuple[str, str]]:
        results = []
        for rerun in reruns:
            self.clock.now += DURATIONS[rerun[0]]
            self.made.append(rerun)
            if self.clock.now > self.budget_end:
                self.overran.append(rerun)
            failed = rerun == (A, frozenset({F.key}))
            results.append(("failed", "AssertionError") if failed else ("passed", ""))
        self.count += len(reruns)
        return results

    def close(self) -> None:
        return None


def record(tmp_path: Path) -> ProcessRecord:
    rec = ProcessRecord([F, G, H], tmp_path)
    rec.durations.update(DURATIONS)
    rec.outcomes.update(dict.fromkeys(DURATIONS, "passed"))
    rec.outcomes[A] = "failed"
    calls = {A: [F], B: [F, G], C: [F, G], D: [H], E: [H]}
    for nodeid, called in calls.items():
        for called_target in called:
            rec.targets[called_target.key].tests[nodeid] = 1
    for key in (F.key, G.key):
        rec.targets[key].compared = rec.targets[key].inexact = 1
    rec.targets[H.key].compared = 1
    rec.measured_tests.update({D, E})
    rec.measure_s = 4.0
    return rec


def proof_within(tmp_path: Path, fraction: float) -> tuple[InProcessProof, ScriptedReruns]:
    """InProcessProof over a 16 s main loop, 4 s of it measurement: 12 s of tests' own time."""
    clock = Clock()
    session: Any = SimpleNamespace(items=[])
    baseline = dict.fromkeys(DURATIONS, "passed")
    proof = InProcessProof(session, record(tmp_path), 16.0, fraction, baseline, clock)
    scripted = ScriptedReruns(clock, clock.now + proof.budget.seconds)
    proof.rerunner = scripted  # type: ignore[assignment]
    proof.items = scripted.items  # type: ignore[assignment]
    return proof, scripted


def test_the_kinds_share_the_budget_in_order_cheapest_first(tmp_path: Path) -> None:
    proof, scripted = proof_within(tmp_path, 0.5)  # 6 s
    report = proof.run()
    remaining = frozenset({G.key, H.key})
    assert scripted.made == [
        (A, frozenset()),  # culprit search first: the control of the changed test,
        (A, frozenset({F.key})),  # then its one suspect, which is the culprit
        (C, frozenset({F.key})),  # solo reruns, cheapest first; B's (2 s + its control) no
        (C, frozenset({G.key})),  # longer fit
        (C, remaining),  # confirmation without f, cheapest first; B's does not fit
        (A, remaining),
        (D, remaining),  # unmeasured: D fits, E (5 s) does not
    ]
    assert report.culprits == {F.key: {A: "AssertionError"}}
    assert report.skipped == {F.key: [B], G.key: [B]}  # reported per function: not run alone
    assert not report.confirmed  # B was not confirmed here: the prover runs the suite again
    assert (report.measured, report.unmeasured) == (2, 1)
    assert proof.record.outcomes[A] == "passed"  # confirmed without f
    assert report.budget_s == 6.0 and report.seconds == pytest.approx(4.8)


CULPRIT_SEARCH = [(A, frozenset()), (A, frozenset({F.key}))]  # A's control, then its suspect


def test_nothing_starts_that_would_end_past_the_budget(tmp_path: Path) -> None:
    for fraction in (0.0, 0.1, 0.25, 0.5, 1.0, 3.0):
        proof, scripted = proof_within(tmp_path, fraction)
        report = proof.run()
        # Only culprit search may go past the shared budget, up to the main loop's time.
        assert [r for r in scripted.overran if r not in CULPRIT_SEARCH] == [], fraction
        assert report.seconds <= max(report.budget_s, proof.culprit_allowance_s)


def test_with_no_budget_only_culprit_search_runs(tmp_path: Path) -> None:
    proof, scripted = proof_within(tmp_path, 0.0)
    report = proof.run()
    # Culprit search still runs within the main loop's time: bisecting instead costs whole suites.
    assert scripted.made == CULPRIT_SEARCH and report.reruns == 2
    assert report.culprits == {F.key: {A: "AssertionError"}}
    assert report.skipped == {F.key: [C, B], G.key: [C, B]}
    assert (report.measured, report.unmeasured) == (2, 0)


def test_a_generous_budget_makes_every_rerun(tmp_path: Path) -> None:
    proof, scripted = proof_within(tmp_path, 3.0)  # 36 s
    report = proof.run()
    assert report.skipped == {} and report.confirmed
    assert (report.measured, report.unmeasured) == (2, 2)
    assert len(scripted.made) == 2 + 4 + 3 + 2


def test_the_budget_is_wall_time_spent_against_a_fixed_end() -> None:
    clock = Clock()
    budget = RerunBudget(2.0, clock)
    assert (budget.spent(), budget.left()) == (0.0, 2.0) and budget.fits(2.0)
    clock.now += 1.5
    assert budget.left() == 0.5 and budget.fits(0.5) and not budget.fits(0.6)
    clock.now += 1.0  # a rerun that took longer than its estimate: nothing is left, not less
    assert budget.left() == 0.0 and not budget.fits(0.0001)
    assert RerunBudget(-1.0, clock).seconds == 0.0
