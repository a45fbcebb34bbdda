"""Bisection never blames a whole set for what it cannot reproduce.

On GPflow one function (`Parameter.assign`) broke two tests as a graph; the graph run's own
process pinned it on one and missed the other. Bisecting the other 106 functions without it could
not reproduce the second test, so every part passed and all 106 were rejected "together": 0
approvals. A scripted prover replays that shape without running anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracehybrid.measure.rounds import ProveOptions, Prover, _isolate, prove_with
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.measure.targets import MeasureSettings, Target

FIRST, SECOND = "test_params.py::test_assign", "test_params.py::test_constraints"
BASELINE = {FIRST: "passed", SECOND: "passed", "test_params.py::test_other": "passed"}


def target(name: str, line: int) -> Target:
    return Target("/project/params.py", name, line, line)


TARGETS = [target("assign", 3), *(target(f"helper{i}", 10 + i) for i in range(6))]


def called() -> dict[str, object]:
    """A target's facts in a run: wrapped, and called by every test."""
    return {"wrap": "wrapped", "calls": 3, "tests": dict.fromkeys(BASELINE, 1)}


class GpflowShapedProver(Prover):
    """`assign` as a graph breaks both tests; the in-process search finds it for FIRST only."""

    def run(self, targets: Sequence[Target], purpose: str, measure: bool) -> SuiteRun:
        run = SuiteRun(purpose, list(targets), 0, 0.1, self.out_dir)
        run.outcomes = dict(BASELINE)
        if any(t.qualname == "assign" for t in targets):
            run.outcomes[FIRST] = run.outcomes[SECOND] = "error"
            if measure:
                run.solo = {"culprits": {TARGETS[0].key: {FIRST: "AttributeError: transform"}}}
        run.facts = {t.key: called() for t in targets}
        self.runs.append(run)
        return run


def test_the_in_process_culprit_is_removed_before_anything_is_bisected(tmp_path: Path) -> None:
    prover = GpflowShapedProver(["pytest"], dict(BASELINE), tmp_path, 2)
    options = ProveOptions(MeasureSettings(), time_eager_suite=False)
    result = prove_with(prover, TARGETS, options)
    statuses = {proof.target.qualname: proof.status for proof in result.targets.values()}
    assert statuses.pop("assign") == "graph_failure"
    assert set(statuses.values()) == {"proven"}
    assert [run.purpose for run in result.runs] == ["graph", "graph"]  # no bisection needed


class MeasuredOnlyProver(Prover):
    """A test changes only in runs that measure: no subset reproduces it without measuring."""

    def run(self, targets: Sequence[Target], purpose: str, measure: bool) -> SuiteRun:
        run = SuiteRun(purpose, list(targets), 0, 0.1, self.out_dir)
        run.outcomes = dict(BASELINE)
        if measure:
            run.outcomes[SECOND] = "failed"
        run.facts = {t.key: called() for t in targets}
        self.runs.append(run)
        return run


def test_a_change_no_unmeasured_run_reproduces_blames_nobody(tmp_path: Path) -> None:
    prover = MeasuredOnlyProver(["pytest"], dict(BASELINE), tmp_path, 2)
    measured = prover.run(TARGETS, "graph", measure=True)
    assert _isolate(prover, TARGETS, measured) == []
