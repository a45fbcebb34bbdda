"""Bisection never blames a whole set for what it cannot reproduce.

On GPflow one function (`Parameter.assign`) broke two tests as a graph; the graph run's own
process pinned it on one and missed the other. Bisecting the other 106 functions without it could
not reproduce the second test, so every part passed and all 106 were rejected "together": 0
approvals. A scripted prover replays that shape without running anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracehybrid.measure.rounds import ProveOptions, Prover, isolate, prove_with
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

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,  # noqa: ARG002 - these scripts run every test
    ) -> SuiteRun:
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

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,  # noqa: ARG002 - these scripts run every test
    ) -> SuiteRun:
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
    assert isolate(prover, TARGETS, measured) == []


FIXTURE_TESTS = (FIRST, SECOND)  # both use a fixture that builds data with `make_data`


class StarvingProver(Prover):
    """`make_data` as a graph breaks the fixture of FIRST and SECOND before their bodies run, so
    `pad`, which only SECOND's body calls, is never called while `make_data` is a graph (the
    keras project's `make_corpus` and `pad_or_truncate`)."""

    narrowed: list[tuple[frozenset[str] | None, dict[str, bool]]]

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,
    ) -> SuiteRun:
        run = SuiteRun(purpose, list(targets), 0, 0.1, self.out_dir)
        run.outcomes = dict(BASELINE)
        names = {t.qualname for t in targets}
        ran = set(BASELINE) if tests is None else set(tests)
        run.facts = {t.key: {"wrap": "wrapped", "calls": 0, "tests": {}} for t in targets}
        if "inner" in names and tests is None:  # called only inside other graphs, whole runs
            run.facts[TARGET_INNER.key] = {"wrap": "wrapped", "calls_in_graph": 3, "tests": {}}
        if "make_data" in names:
            for nodeid in FIXTURE_TESTS:
                run.outcomes[nodeid] = "error"
            if measure:
                crashes = dict.fromkeys(FIXTURE_TESTS, "TypeError: SeedSequence expects int")
                run.solo = {"culprits": {TARGET_MAKE.key: crashes}}
        elif "pad" in names and SECOND in ran:
            run.facts[TARGET_PAD.key] = {"wrap": "wrapped", "calls": 2, "tests": {SECOND: 2}}
        if tests is not None:
            flags = {t.qualname: t.measure is not False for t in targets}
            self.narrowed.append((tests, flags))
        self.runs.append(run)
        return run


TARGET_MAKE, TARGET_PAD = target("make_data", 40), target("pad", 50)
TARGET_INNER = target("inner", 60)


def test_a_target_starved_by_a_culprit_is_run_again_on_just_the_changed_tests(
    tmp_path: Path,
) -> None:
    prover = StarvingProver(["pytest"], dict(BASELINE), tmp_path, 2)
    prover.narrowed = []
    options = ProveOptions(MeasureSettings(), time_eager_suite=False)
    result = prove_with(prover, [TARGET_MAKE, TARGET_PAD, TARGET_INNER], options)
    statuses = {proof.target.qualname: proof.status for proof in result.targets.values()}
    # `inner`, only ever called inside other graphs, is not starved: it keeps its round's facts.
    assert statuses == {"make_data": "graph_failure", "pad": "proven", "inner": "proven"}
    # One extra run of just the two changed tests, without the culprit, measuring `pad`.
    assert prover.narrowed == [(frozenset(FIXTURE_TESTS), {"pad": True})]  # just the starved


def test_no_run_for_a_starved_target_that_no_changed_test_called_when_traced(
    tmp_path: Path,
) -> None:
    """With the traced run's callers known, a target never called in the graph run is fed only
    through the changed tests that called it: `closure`, which the traced run saw called only
    by OTHER (a test that did not change), needs no run of FIRST and SECOND."""
    prover = StarvingProver(["pytest"], dict(BASELINE), tmp_path, 2)
    prover.narrowed = []
    closure = target("closure", 70)
    prover.callers = {
        TARGET_MAKE.key: frozenset(FIXTURE_TESTS),
        TARGET_PAD.key: frozenset({SECOND}),
        closure.key: frozenset({"test_params.py::test_other"}),
    }
    options = ProveOptions(MeasureSettings(), time_eager_suite=False, callers=prover.callers)
    prove_with(prover, [TARGET_MAKE, TARGET_PAD, closure], options)
    assert prover.narrowed == [(frozenset(FIXTURE_TESTS), {"pad": True})]
