"""The proof ends with one final run: exactly the approved targets, whole suite, nothing measured.

Its wall time against the eager run's is the suite figure; when the first graph round pins its
culprits in process, no second measured round runs. A scripted prover replays the shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracehybrid.measure.final_run import keep_measured, unmeasured
from tracehybrid.measure.proof import ProofResult
from tracehybrid.measure.rounds import ProveOptions, Prover, prove_with
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.measure.targets import MeasureSettings, Target

BROKEN, OTHER = "test_a.py::test_broken", "test_a.py::test_other"
BASELINE = {BROKEN: "passed", OTHER: "passed"}
WALL = {"eager": 10.0, "graph": 30.0, "final": 8.0}


def target(name: str, line: int) -> Target:
    return Target("/project/a.py", name, line, line)


BAD, SLOW, FAST, LATE = target("bad", 1), target("slow", 2), target("fast", 3), target("late", 4)


class ScriptedProver(Prover):
    """BAD breaks BROKEN (pinned in process when measured); LATE breaks OTHER only in a final
    run (what no earlier round saw). Records what each run got."""

    measured_flags: list[dict[str, bool]]
    narrowed: list[frozenset[str] | None]  # each run's TESTS (None: all)

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,  # recorded; these scripts run every test
    ) -> SuiteRun:
        self.__dict__.setdefault("narrowed", []).append(tests)
        run = SuiteRun(purpose, list(targets), 0, WALL[purpose], self.out_dir)
        run.outcomes = dict(BASELINE)
        names = {t.qualname for t in targets}
        if "bad" in names:
            run.outcomes[BROKEN] = "failed"
            if measure:
                run.solo = {"culprits": {BAD.key: {BROKEN: "boom"}}}
        if "late" in names and purpose == "final":
            run.outcomes[OTHER] = "failed"
        if "late" in names and purpose == "graph" and len(targets) < 4:
            run.outcomes[OTHER] = "failed"
            run.solo = {"culprits": {LATE.key: {OTHER: "late boom"}}}
        run.facts = {t.key: _facts(t, purpose) for t in targets}
        self.measured_flags.append({t.qualname: t.measured for t in targets})
        self.runs.append(run)
        return run


def _facts(t: Target, purpose: str) -> dict[str, object]:
    compared = 3 if t.measured and purpose == "graph" else 0  # what only a measured call records
    return {
        "wrap": "wrapped",
        "calls": 2,
        "tests": dict.fromkeys(BASELINE, 1),
        "compared": compared,
    }


def approve_all_but_slow(result: ProofResult) -> list[Target]:
    """The verdicts: every proven target but SLOW (as the speed rule would reject it)."""
    return [
        p.target
        for p in result.targets.values()
        if p.status == "proven" and p.target.qualname != "slow"
    ]


def prove(tmp_path: Path, targets: list[Target]) -> tuple[ProofResult, ScriptedProver]:
    prover = ScriptedProver(["pytest"], dict(BASELINE), tmp_path, 1)
    prover.measured_flags = []
    options = ProveOptions(MeasureSettings(), approve=approve_all_but_slow)
    return prove_with(prover, targets, options), prover


def test_a_round_that_pins_its_culprit_goes_straight_to_the_final_run(tmp_path: Path) -> None:
    result, prover = prove(tmp_path, [BAD, SLOW, FAST])
    # The eager run waits until something is approved: then it comes before the final run.
    assert [run.purpose for run in prover.runs] == ["graph", "eager", "final"]
    assert [t.qualname for t in prover.runs[-1].targets] == ["fast"]  # exactly the approved
    statuses = {p.target.qualname: p.status for p in result.targets.values()}
    assert statuses == {"bad": "graph_failure", "slow": "proven", "fast": "proven"}
    assert result.graph.purpose == "final" and result.clean
    assert result.targets[FAST.key].facts["compared"] == 3
    figure = result.suite_figure()
    assert figure is not None
    assert (figure["eager_wall_s"], figure["graph_wall_s"], figure["ratio"]) == (10.0, 8.0, 1.25)
    assert figure["graph_functions"] == 1
    assert result.to_json()["suite"]["figure"] == figure


def test_a_final_run_that_changes_an_outcome_pins_the_culprit_without_timing_again(
    tmp_path: Path,
) -> None:
    result, prover = prove(tmp_path, [BAD, SLOW, FAST, LATE])
    purposes = [run.purpose for run in prover.runs]
    assert purposes == ["graph", "eager", "final", "graph", "final"]
    assert prover.measured_flags[3] == {"fast": False, "late": False}  # timed in round 1 already
    assert prover.narrowed[3] == frozenset({OTHER})  # just the test the final run changed
    assert result.targets[LATE.key].status == "graph_failure"
    assert [t.qualname for t in result.graph.targets] == ["fast"]
    assert result.clean
    assert result.targets[FAST.key].facts["compared"] == 3


def test_no_approval_means_neither_an_eager_nor_a_final_run(tmp_path: Path) -> None:
    result, prover = prove(tmp_path, [BAD, SLOW])
    assert [run.purpose for run in prover.runs] == ["graph"]  # one suite run spared
    assert result.no_approvals
    assert result.suite_figure() is None


def test_without_an_eager_run_there_is_no_suite_figure(tmp_path: Path) -> None:
    prover = ScriptedProver(["pytest"], dict(BASELINE), tmp_path, 1)
    prover.measured_flags = []
    options = ProveOptions(time_eager_suite=False, approve=approve_all_but_slow)
    result = prove_with(prover, [FAST], options)
    assert result.graph.purpose == "final"
    assert result.suite_figure() is None


def test_a_later_round_keeps_the_earlier_measured_facts() -> None:
    key = FAST.key
    facts = {key: {"timings": {"s": 1}, "calls": 2, "exceptions": [{"graph_only": True}]}}
    later = {key: {"timings": {}, "calls": 5, "exceptions": [{"graph_only": None}]}}
    keep_measured(facts, later, {key})
    assert facts[key]["timings"] == {"s": 1} and facts[key]["calls"] == 5
    assert facts[key]["exceptions"] == [{"graph_only": True}, {"graph_only": None}]
    assert [t.measured for t in unmeasured([FAST, SLOW], {key})] == [False, True]


SHY = "test_b.py::test_shy"
P, Q = target("p", 5), target("q", 6)


class UnpinnableProver(Prover):
    """SHY, which only P calls, fails in every run with P as a graph after the first graph round,
    but never in a bisection run (a flaky test, or an effect no subset reproduces): nothing can
    be pinned on P. (GPflow: a Monte Carlo test failed in two runs and passed in four.)"""

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,  # noqa: ARG002
        tests: frozenset[str] | None = None,  # noqa: ARG002 - these scripts run every test
    ) -> SuiteRun:
        run = SuiteRun(purpose, list(targets), 0, WALL.get(purpose, 5.0), self.out_dir)
        run.outcomes = {**BASELINE, SHY: "passed"}
        names = {t.qualname for t in targets}
        if "p" in names and purpose != "bisect" and len(self.runs) >= 2:
            run.outcomes[SHY] = "failed"
        run.facts = {
            t.key: {"wrap": "wrapped", "calls": 2, "compared": 3, "tests": _callers(t)}
            for t in targets
        }
        self.runs.append(run)
        return run


def _callers(t: Target) -> dict[str, int]:
    return {SHY: 1} if t.qualname == "p" else dict.fromkeys(BASELINE, 1)


def test_an_unpinnable_change_leaves_unproven_only_the_targets_its_test_called(
    tmp_path: Path,
) -> None:
    prover = UnpinnableProver(["pytest"], {**BASELINE, SHY: "passed"}, tmp_path, 1)
    options = ProveOptions(MeasureSettings(), approve=approve_all_but_slow)
    result = prove_with(prover, [P, Q, FAST], options)
    statuses = {p.target.qualname: p.status for p in result.targets.values()}
    assert statuses == {"p": "inconclusive", "q": "proven", "fast": "proven"}
    # The final run went again without P: it ran exactly what is approved, and changed nothing.
    final = [run for run in prover.runs if run.purpose == "final"]
    assert [t.qualname for t in final[0].targets] == ["p", "q", "fast"]
    assert [t.qualname for t in final[-1].targets] == ["q", "fast"]
    assert result.graph is final[-1] and result.clean


FLAKY = "test_a.py::test_flaky"


class FlakyProver(ScriptedProver):
    """FLAKY passed in the traced run and fails in every later run, with or without graphs; the
    graph round's in-process search lays it on FAST, whose graph calls it made."""

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,
    ) -> SuiteRun:
        run = super().run(targets, purpose, measure, tests)
        run.outcomes[FLAKY] = "failed"
        if purpose == "graph" and measure and FAST in targets:
            run.solo = {"culprits": {FAST.key: {FLAKY: "random failure"}}}
        return run


def test_a_rejection_that_rests_only_on_a_flaky_test_is_dropped_by_the_late_eager_run(
    tmp_path: Path,
) -> None:
    prover = FlakyProver(["pytest"], {**BASELINE, FLAKY: "passed"}, tmp_path, 1)
    prover.measured_flags = []
    options = ProveOptions(MeasureSettings(), approve=approve_all_but_slow)
    steady = target("steady", 5)
    result = prove_with(prover, [FAST, steady], options)
    assert [run.purpose for run in prover.runs] == ["graph", "eager", "final"]
    assert result.flaky == [FLAKY]
    assert result.targets[FAST.key].status == "proven"  # the final run proved it, FLAKY ignored
    assert [t.qualname for t in result.graph.targets] == ["fast", "steady"]


def test_with_nothing_approved_no_eager_run_is_made_and_the_rejection_stands(
    tmp_path: Path,
) -> None:
    """The in-process control rerun is then the only check of a changed test (here it blamed
    FAST, as scripted): a false rejection, never a false approval."""
    prover = FlakyProver(["pytest"], {**BASELINE, FLAKY: "passed"}, tmp_path, 1)
    prover.measured_flags = []
    options = ProveOptions(MeasureSettings(), approve=approve_all_but_slow)
    result = prove_with(prover, [FAST], options)
    assert [run.purpose for run in prover.runs] == ["graph"]
    assert result.targets[FAST.key].status == "graph_failure"
