"""One suite run: the test command once with the graph plugin, timed, and what it recorded."""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid.child_process import run_child
from tracehybrid.contract import RerunTally, SuiteRunTime
from tracehybrid.launcher import check_command, prepend_path
from tracehybrid.measure.inrun.isolation import coverage_environment
from tracehybrid.measure.inrun.record import merge_dir, record_files
from tracehybrid.measure.inrun.selection import read_left_out, write_selection
from tracehybrid.measure.targets import (
    PLUGIN_MODULE,
    TARGETS_ENV,
    MeasureSettings,
    Target,
    TargetsFile,
)
from tracehybrid.store.reader import CandidateFacts

#: Outcome -> the contract's Run counter it adds to (results-v1 `Run`).
_COUNTED_AS = {
    "passed": "tests_passed",
    "xpassed": "tests_passed",
    "failed": "tests_failed",
    "error": "tests_failed",
    "skipped": "tests_skipped",
    "xfailed": "tests_skipped",
}


def contract_run(outcomes: dict[str, str], exit_code: int, wall_s: float) -> dict[str, Any]:
    """The results-v1 `Run` object from nodeid outcomes (xpassed counts as passed, error as
    failed, xfailed as skipped)."""
    counts = Counter(_COUNTED_AS.get(o, "tests_failed") for o in outcomes.values())
    return {
        "exit_code": exit_code,
        "tests_passed": counts["tests_passed"],
        "tests_failed": counts["tests_failed"],
        "tests_skipped": counts["tests_skipped"],
        "wall_s": round(wall_s, 3),
    }


@dataclass
class SuiteRun:
    """One run of the test command: exit code, wall time, outcomes and the merged records."""

    purpose: str  # eager | graph | bisect
    targets: list[Target]
    exit_code: int
    wall_s: float
    out_dir: Path
    outcomes: dict[str, str] = field(default_factory=dict)
    crashes: dict[str, str] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # target key -> merged facts
    problems: list[str] = field(default_factory=list)
    measure_s: float = 0.0
    processes: int = 0
    solo: dict[str, Any] = field(default_factory=dict)  # record.merge_solo of its processes
    rerun_kinds: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind: count, seconds
    not_run: list[str] = field(default_factory=list)  # left out: their traced-run outcome stands

    @property
    def suite_wall_s(self) -> float:
        """The command's wall time less the solo reruns, which are not part of the suite."""
        return max(0.0, self.wall_s - float(self.solo.get("seconds", 0.0)))

    def contract_run(self) -> dict[str, Any]:
        """The results-v1 `Run` object of this run (its wall time: `suite_wall_s`)."""
        return contract_run(self.outcomes, self.exit_code, self.suite_wall_s)

    def to_json(self) -> dict[str, Any]:
        """A summary for the proof's run log (outcomes are in the run's own graph.json)."""
        return {
            "purpose": self.purpose,
            "targets": [t.key for t in self.targets],
            **self.contract_run(),
            "measure_s": round(self.measure_s, 3),
            "solo_reruns": self.solo.get("reruns", 0),
            "solo_s": self.solo.get("seconds", 0.0),
            "rerun_kinds": self.rerun_kinds,
            "processes": self.processes,
            "out_dir": str(self.out_dir),
            "tests_not_run": len(self.not_run),
        }

    def timing(self) -> SuiteRunTime:
        """This run in the phase times: purpose, targets, wall time (reruns included), the
        in-process reruns by kind and the seconds spent measuring."""
        reruns = {
            kind: RerunTally(int(tally["count"]), float(tally["seconds"]))
            for kind, tally in self.rerun_kinds.items()
        }
        return SuiteRunTime(
            self.purpose, len(self.targets), self.wall_s, reruns, self.measure_s, self.processes,
            len(self.outcomes) - len(self.not_run), len(self.not_run),
        )  # fmt: skip


@dataclass(frozen=True)
class Baseline:
    """What a suite run is held against: the eager (traced-run) outcomes and the flaky tests,
    which let it look for culprits in process (`in_process`), and the tests it needs (None: all;
    those it leaves out count with their baseline outcome), with the traced run's callers of
    its targets (what a target starved by a culprit would have been called by)."""

    outcomes: dict[str, str]
    flaky: frozenset[str] = frozenset()
    in_process: bool = True
    tests: frozenset[str] | None = None
    callers: dict[str, frozenset[str] | None] = field(default_factory=dict)


#: Target key -> the tests that called it in the traced run; None: called outside any test.
Callers = dict[str, frozenset[str] | None]


def traced_callers(
    targets: Sequence[Target], runtime: dict[tuple[str, str, int], CandidateFacts]
) -> Callers:
    """Per target, the tests that called it in the traced run (RUNTIME, keyed by path, qualname
    and first line); a callee that is a target is recorded itself. None where it was called
    outside any test (import time, collection): every test may see what it made. A target the
    traced run never called is absent."""
    by_key = {(os.path.realpath(path), line, name): f for (path, name, line), f in runtime.items()}
    callers: Callers = {}
    for target in targets:
        fact = by_key.get(target.code_key)
        if fact is not None:
            callers[target.key] = None if fact.calls_outside_tests else frozenset(fact.tests)
    return callers


def tests_calling(targets: Sequence[Target], callers: Callers) -> frozenset[str] | None:
    """The tests that called one of TARGETS in the traced run (CALLERS): only they can change
    outcome with those targets as graphs. None, run everything, when one was called outside
    any test, or when no test called any of them."""
    tests: set[str] = set()
    for target in targets:
        if target.key in callers and callers[target.key] is None:
            return None
        tests |= callers.get(target.key) or frozenset()
    return frozenset(tests) if tests else None


def callers_of(
    targets: Sequence[Target], runtime: dict[tuple[str, str, int], CandidateFacts]
) -> frozenset[str] | None:
    """`tests_calling` TARGETS, from the traced run's RUNTIME facts."""
    return tests_calling(targets, traced_callers(targets, runtime))


def graph_environment(targets_file: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that makes every pytest process of the command load the graph plugin."""
    env = dict(os.environ if base is None else base)
    env[TARGETS_ENV] = str(targets_file.resolve())
    coverage_environment(env, targets_file.resolve().parent)  # `coverage run -m pytest`
    env["PYTEST_PLUGINS"] = prepend_path(PLUGIN_MODULE, env.get("PYTEST_PLUGINS"), ",")
    return env


def run_suite(
    cmd: list[str],
    targets: list[Target],
    out_dir: Path,
    settings: MeasureSettings,
    purpose: str = "graph",
    cwd: Path | None = None,
    baseline: Baseline | None = None,
) -> SuiteRun:
    """Run CMD once with TARGETS as graphs (none: the eager baseline, launched the same way).

    BASELINE lets the run look for culprits in process, and leave out the tests that cannot
    change outcome (`inrun/selection`): those count with their baseline outcomes.

    The command's output goes to `out_dir/output.log`. Raises TestCommandError when CMD cannot
    be started; a failing test run is a result, not an error.
    """
    check_command(cmd)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in record_files(out_dir):
        stale.unlink()
    against = baseline if baseline is not None and baseline.in_process else Baseline({})
    document = TargetsFile(
        out_dir.resolve(), targets, settings, against.outcomes, sorted(against.flaky)
    )
    document.callers = {
        key: None if tests is None else sorted(tests) for key, tests in against.callers.items()
    }
    targets_file = document.write(out_dir / "targets.json")
    write_selection(out_dir, baseline.tests if baseline is not None and targets else None)
    env = graph_environment(targets_file)
    with open(out_dir / "output.log", "wb") as log:
        start = time.perf_counter()
        # run_child, not subprocess.run: SIGTERM to tracehybrid must stop this child too.
        exit_code = run_child(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - start
    merged = merge_dir(out_dir)
    run = SuiteRun(
        purpose, list(targets), exit_code, wall, out_dir,
        merged["outcomes"], merged["crashes"], merged["targets"], merged["problems"],
        merged["measure_s"], merged["processes"], merged["solo"], merged["rerun_kinds"],
    )  # fmt: skip
    if baseline is not None and baseline.tests is not None:
        _count_left_out(run, read_left_out(out_dir), baseline.outcomes)
    return run


def _count_left_out(run: SuiteRun, left_out: list[str], baseline: dict[str, str]) -> None:
    """The tests RUN left out keep their traced-run outcome, and the exit code is the one the
    whole suite gives (pytest says 5, no tests, when it ran none; 0 when those it ran passed)."""
    run.not_run = [nodeid for nodeid in left_out if nodeid in baseline]
    for nodeid in run.not_run:
        run.outcomes.setdefault(nodeid, baseline[nodeid])
    if run.not_run and run.exit_code in (0, 5):
        failed = any(o in ("failed", "error") for o in run.outcomes.values())
        run.exit_code = 1 if failed else 0


def changed_tests(
    baseline: dict[str, str],
    outcomes: dict[str, str],
    ignore: set[str] | frozenset[str] = frozenset(),
) -> dict[str, tuple[str, str]]:
    """nodeid -> (baseline outcome, new outcome) for every test whose outcome changed.

    A baseline test that did not run at all (a collection error, a crash) counts as `missing`.
    """
    changed = {}
    for nodeid, before in baseline.items():
        if nodeid in ignore:
            continue
        after = outcomes.get(nodeid, "missing")
        if after != before:
            changed[nodeid] = (before, after)
    return changed


def touched_by(
    changed: dict[str, tuple[str, str]], run: SuiteRun, facts: dict[str, dict[str, Any]]
) -> set[str] | None:
    """The keys of the targets the CHANGED tests called (in RUN, or in the measured round whose
    FACTS are kept), directly, while tracing an outer graph, or outside any test (import time,
    wide fixtures): the only ones those changes can be laid on. None: every target, when a
    changed test is missing from RUN (a collection error: anything imported may be the cause).

    A target no changed test called keeps its proof: one flaky or unexplained test does not
    make every function of the suite unproven, only those it ran.
    """
    if not changed:
        return set()
    if any(run.outcomes.get(nodeid, "missing") == "missing" for nodeid in changed):
        return None
    tests = set(changed) | {""}
    touched = set()
    for key in {*run.facts, *facts}:
        called = set()
        for source in (run.facts.get(key, {}), facts.get(key, {})):
            called |= set(source.get("tests") or ()) | set(source.get("graph_tests") or ())
            called |= {str(e.get("test", "")) for e in source.get("exceptions") or ()}
        if called & tests:
            touched.add(key)
    return touched
