"""Which tests a graph run needs, from the traced run's facts; and how the timings say so."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tracehybrid.contract import PhaseTimes, SuiteRunTime, read_timings
from tracehybrid.measure.final_run import FINAL
from tracehybrid.measure.inrun.selection import SELECTION_FILE
from tracehybrid.measure.prover import Prover
from tracehybrid.measure.suite_run import callers_of, traced_callers
from tracehybrid.measure.targets import Target
from tracehybrid.store.reader import CandidateFacts


def fact(path: Path, name: str, line: int, tests: list[str], outside: int = 0) -> CandidateFacts:
    found = CandidateFacts(str(path), name, line, line, "eager", calls={"eager": 3})
    found.tests = dict.fromkeys(tests, "passed")
    found.calls_outside_tests = outside
    return found


def runtime(*facts: CandidateFacts) -> dict[tuple[str, str, int], CandidateFacts]:
    return {f.key: f for f in facts}


def test_the_tests_of_every_target_and_no_other(tmp_path: Path) -> None:
    ops = tmp_path / "ops.py"
    seen = runtime(
        fact(ops, "double", 3, ["t.py::a", "t.py::b"]),
        fact(ops, "half", 9, ["t.py::b", "t.py::c"]),
        fact(ops, "not_a_target", 20, ["t.py::d"]),
    )
    targets = [Target(os.path.realpath(ops), "double", 3, 3), Target(str(ops), "half", 9, 9)]
    assert callers_of(targets, seen) == frozenset({"t.py::a", "t.py::b", "t.py::c"})


def test_a_call_outside_any_test_runs_everything(tmp_path: Path) -> None:
    ops = tmp_path / "ops.py"
    seen = runtime(fact(ops, "double", 3, ["t.py::a"]), fact(ops, "at_import", 9, [], outside=1))
    targets = [Target(str(ops), "double", 3, 3), Target(str(ops), "at_import", 9, 9)]
    assert callers_of(targets, seen) is None
    assert callers_of(targets[:1], seen) == frozenset({"t.py::a"})


def test_targets_no_test_called_leave_nothing_to_select(tmp_path: Path) -> None:
    target = Target(str(tmp_path / "ops.py"), "never", 3, 3)
    assert callers_of([target], {}) is None


def test_the_timings_say_how_many_tests_ran_in_graph_mode() -> None:
    partial = SuiteRunTime("graph", 19, 12.5, tests_run=49, tests_not_run=28)
    whole = SuiteRunTime("graph", 19, 20.0, tests_run=77)
    assert partial.to_json()["tests_not_run"] == 28 and partial.to_json()["tests_run"] == 49
    assert "tests_run" not in whole.to_json()  # the whole suite ran: nothing to add
    clock = PhaseTimes({"graph_runs": 32.5}, [partial, whole], 40.0)
    read = read_timings(clock.to_json())
    assert read is not None
    assert [(r.tests_run, r.tests_not_run) for r in read.suite_runs] == [(49, 28), (0, 0)]


def test_each_run_selects_the_callers_of_its_own_targets(tmp_path: Path) -> None:
    """A later round or a bisection run with fewer targets runs fewer tests; the final run, the
    suite's time after `apply`, runs them all. (The command here runs no test: only the
    selection handed to the graph plugin is looked at.)"""
    ops = tmp_path / "ops.py"
    seen = runtime(
        fact(ops, "double", 3, ["t.py::a", "t.py::b"]), fact(ops, "half", 9, ["t.py::c"])
    )
    double, half = Target(str(ops), "double", 3, 3), Target(str(ops), "half", 9, 9)
    baseline = dict.fromkeys(["t.py::a", "t.py::b", "t.py::c", "t.py::d"], "passed")
    prover = Prover([sys.executable, "-c", "pass"], baseline, tmp_path / "runs")
    prover.callers = traced_callers([double, half], seen)

    def selected(targets: list[Target], purpose: str = "graph") -> list[str] | None:
        run = prover.run(targets, purpose, measure=True)
        chosen = run.out_dir / SELECTION_FILE
        # The graph plugin also learns each target's traced callers (the starved ones' tests).
        callers = json.loads((run.out_dir / "targets.json").read_text())["callers"]
        assert set(callers) == {t.key for t in targets}
        return json.loads(chosen.read_text())["tests"] if chosen.exists() else None

    assert selected([double, half]) == ["t.py::a", "t.py::b", "t.py::c"]
    assert selected([half]) == ["t.py::c"]
    assert selected([double], "bisect") == ["t.py::a", "t.py::b"]
    assert selected([double, half], FINAL) is None
