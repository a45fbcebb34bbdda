"""Prove a set of targets on the project's tests in rounds: graph runs, bisection runs, repeat."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid.measure.bisect import Culprits, find_culprits
from tracehybrid.measure.final_run import FINAL, Approver, keep_measured, unmeasured
from tracehybrid.measure.proof import ProofResult, Rejection, build_result
from tracehybrid.measure.suite_run import Baseline, SuiteRun, changed_tests, run_suite, touched_by
from tracehybrid.measure.targets import MeasureSettings, Target

__all__ = ["ProofResult", "ProveOptions", "Prover", "prove", "prove_with"]


@dataclass
class Prover:
    """Runs the command in numbered directories under OUT_DIR and keeps the run log."""

    cmd: list[str]
    baseline: dict[str, str]
    out_dir: Path
    jobs: int = 1
    settings: MeasureSettings = field(default_factory=MeasureSettings)
    cwd: Path | None = None
    ignore: set[str] = field(default_factory=set)  # flaky tests: their changes prove nothing
    runs: list[SuiteRun] = field(default_factory=list)
    on_run: Callable[[SuiteRun, int], None] | None = None  # progress: each finished run
    bisection_s: float = 0.0  # wall time spent bisecting (its runs may overlap: not their sum)
    graph_tests: frozenset[str] | None = None  # the tests runs with targets need (None: all)
    _numbers: Any = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,
    ) -> SuiteRun:
        """One run of the command with TARGETS as graphs (the final run: the whole suite).
        TESTS narrows it to those tests; the others keep their baseline outcomes."""
        with self._lock:
            number = next(self._numbers)
        settings = self.settings if measure else MeasureSettings(enabled=False)
        directory = self.out_dir / f"run-{number:03d}-{purpose}"
        # Unmeasured runs only report outcomes: the culprits are the bisection's to find.
        if tests is None:
            tests = None if purpose == FINAL else self.graph_tests
        baseline = Baseline(self.baseline, frozenset(self.ignore), measure, tests)
        done = run_suite(self.cmd, list(targets), directory, settings, purpose, self.cwd, baseline)
        with self._lock:
            self.runs.append(done)
            changed = len(self.changed(done))
        if self.on_run is not None:
            self.on_run(done, changed)
        return done

    def changed(self, run: SuiteRun) -> dict[str, tuple[str, str]]:
        """Tests whose outcome in RUN differs from the baseline (flaky tests ignored)."""
        return changed_tests(self.baseline, run.outcomes, self.ignore)

    def changed_by(self, subset: Sequence[Target]) -> set[str]:
        """The tests that change when only SUBSET runs as graphs (measurement off)."""
        return set(self.changed(self.run(subset, "bisect", measure=False)))


def _suspects(active: list[Target], run: SuiteRun, changed: set[str]) -> list[Target]:
    """Targets the changed tests called, or that ran outside any test (import time, fixtures)."""
    if any(run.outcomes.get(nodeid, "missing") == "missing" for nodeid in changed):
        return active  # a test vanished (collection error): anything imported may be the cause
    suspects = []
    for target in active:
        facts = run.facts.get(target.key, {})
        called = set(facts.get("tests", {})) | {e["test"] for e in facts.get("exceptions", [])}
        if called & (changed | {""}):
            suspects.append(target)
    return suspects


def _culprits(prover: Prover, active: list[Target], run: SuiteRun) -> tuple[list[Target], Culprits]:
    """Bisect among the suspects first (presumed to hold the culprits, which saves a run), and
    over every active target when the presumption fails."""
    changed = set(prover.changed(run))
    suspects = _suspects(active, run, changed)
    if len(suspects) > 1 and len(suspects) < len(active):
        found = find_culprits(suspects, changed, prover.changed_by, prover.jobs)
        root = tuple(range(len(suspects)))
        unverified = [group for group, _ in found.together if group == root]
        if found.alone or (found.together and not unverified):
            return suspects, found
        if unverified and prover.changed_by(suspects):
            return suspects, found
    elif len(suspects) == 1 and len(active) > 1 and prover.changed_by(suspects):
        return suspects, Culprits(alone={0: changed})
    found = find_culprits(active, changed, prover.changed_by, prover.jobs)
    everything = tuple(range(len(active)))
    if any(group == everything for group, _ in found.together) and not prover.changed_by(active):
        # Every part passes and so does the whole set without measurement: the change came
        # from the measured run alone (or chance), and blames no target.
        found.together = [(g, t) for g, t in found.together if g != everything]
    return active, found


def _isolate(prover: Prover, active: list[Target], run: SuiteRun) -> list[Rejection]:
    """The rejections explaining the changed outcomes of RUN (which ran ACTIVE as graphs)."""
    pool, culprits = _culprits(prover, active, run)
    blamed = Counter(nodeid for tests in culprits.alone.values() for nodeid in tests)
    blamed.update(nodeid for _, tests in culprits.together for nodeid in tests)
    rejections = []
    for index, tests in culprits.alone.items():
        crashes = _own_crashes(prover, [pool[index]], tests, run, blamed)
        rejections.append(Rejection(pool[index], sorted(tests), crashes))
    for group, tests in culprits.together:
        together = [pool[i] for i in group]
        crashes = _own_crashes(prover, together, tests, run, blamed)
        rejections += [Rejection(t, sorted(tests), crashes, together) for t in together]
    return rejections


def _own_crashes(
    prover: Prover, culprits: list[Target], tests: set[str], run: SuiteRun, blamed: Counter[str]
) -> dict[str, str]:
    """The failures CULPRITS caused in TESTS: from the latest run with exactly them as graphs.

    RUN, where every active target was a graph, shows a test's first failure, which may be
    another culprit's; its text is kept only for a test that no other culprit changed.
    """
    keys = {target.key for target in culprits}
    own = next((r for r in reversed(prover.runs) if {t.key for t in r.targets} == keys), None)
    if own is not None:
        return {nodeid: own.crashes.get(nodeid, "") for nodeid in tests}
    return {nodeid: run.crashes.get(nodeid, "") for nodeid in tests if blamed[nodeid] == 1}


@dataclass(frozen=True)
class ProveOptions:
    """How `prove` runs: measurement budgets, working directory, eager timing, rounds."""

    settings: MeasureSettings = field(default_factory=MeasureSettings)
    cwd: Path | None = None
    time_eager_suite: bool = True  # one extra run: the fair eager wall time and a flakiness check
    max_rounds: int = 5
    on_run: Callable[[SuiteRun, int], None] | None = None  # called after each run (progress)
    # The tests that called a target in the traced run: the others keep their outcome (None: all).
    graph_tests: frozenset[str] | None = None
    # The verdicts on a provisional result: the targets they approve. With it, the proof ends
    # with the final run (exactly those, whole suite, nothing measured or rerun): the suite's
    # graph time, and the confirmation that together they change no outcome.
    approve: Approver | None = None


def prove(
    cmd: list[str],
    targets: list[Target],
    baseline_outcomes: dict[str, str],
    out_dir: Path,
    jobs: int,
    options: ProveOptions | None = None,
) -> ProofResult:
    """Rerun CMD with TARGETS as graphs until no test outcome differs from BASELINE_OUTCOMES.

    Culprits are found by bisection (JOBS runs at a time) and rejected as `graph_failure`.
    With `time_eager_suite` the command first runs once with the plugin and no targets: the
    fair eager wall time (same launch as the graph runs) and a check for flaky tests, whose
    changes are then ignored. Each target is measured in the first graph round it runs in; with
    `approve`, the proof ends with the final run (`_confirm`), else with a clean graph round.
    """
    options = options or ProveOptions()
    prover = Prover(list(cmd), dict(baseline_outcomes), out_dir, max(1, jobs))
    prover.settings, prover.cwd = options.settings, options.cwd
    prover.on_run, prover.graph_tests = options.on_run, options.graph_tests
    return prove_with(prover, targets, options)


def prove_with(prover: Prover, targets: list[Target], options: ProveOptions) -> ProofResult:
    """The rounds of `prove` with a given PROVER (which runs the command).

    With `approve`, the eager run waits until something is approved (`_confirm`): a proof that
    approves nothing never needs the suite's plain time, and is spared one suite run.
    """
    late_eager = options.approve is not None
    eager = None
    if options.time_eager_suite and not late_eager:
        eager = _eager_run(prover)
    rounds = _Rounds(prover, list(targets))
    graph = rounds.play(list(targets), options.max_rounds, stop_early=options.approve is not None)
    if options.approve is None:
        return build_result(targets, rounds.rejections, graph, eager, prover, rounds.facts)
    confirm = _Confirm(rounds, options.approve, options.max_rounds, options.time_eager_suite)
    return confirm.run(graph)


def _eager_run(prover: Prover) -> SuiteRun:
    """The command with the plugin and no target: the fair eager wall time (launched as the
    graph runs are), and the flaky tests (those that differ from the traced run), ignored."""
    eager = prover.run([], "eager", measure=False)
    prover.ignore |= set(changed_tests(prover.baseline, eager.outcomes))
    return eager


@dataclass
class _Rounds:
    """Graph rounds and what they found: each target is timed in the first round it runs in,
    and later rounds (in-process culprit search only) keep those timings."""

    prover: Prover
    targets: list[Target]
    rejections: list[Rejection] = field(default_factory=list)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    timed: set[str] = field(default_factory=set)  # keys of the targets already measured
    pending: bool = False  # the last round pinned culprits and stopped: the final run confirms
    # Called by the tests a final run changed when nothing could be pinned: left unproven.
    unsettled: set[str] = field(default_factory=set)

    def play(self, active: list[Target], max_rounds: int, stop_early: bool) -> SuiteRun:
        """Graph rounds over ACTIVE until no outcome changes or nothing more can be pinned;
        with STOP_EARLY, once a round has pinned its culprits (the final run confirms)."""
        prover, self.pending = self.prover, False
        for _ in range(max_rounds):
            graph = prover.run(unmeasured(active, self.timed), "graph", measure=True)
            keep_measured(self.facts, graph.facts, self.timed)
            self.timed |= {t.key for t in active}
            found = _in_process_rejections(prover, active, graph)
            if not prover.changed(graph) and (not found or graph.solo.get("confirmed", False)):
                self.rejections += found  # the solo reruns already proved the set without them
                break
            if not active:
                break
            if prover.changed(graph) and not found:
                # Only when the run's own process pinned nothing: bisecting the others while the
                # in-process culprits are left out cannot reproduce the tests those changed, and
                # would blame the whole rest "together". The next round shows what they leave.
                started = time.perf_counter()
                found = _isolate(prover, active, graph)
                prover.bisection_s += time.perf_counter() - started
            if not found:  # cannot be pinned on any target: stop rather than loop
                break
            found += self._feed_starved(active, found, graph)
            self.rejections += found
            rejected = {r.target.key for r in found}
            active = [t for t in active if t.key not in rejected]
            if stop_early:
                self.pending = True
                break
        return graph

    def _feed_starved(
        self, active: list[Target], found: list[Rejection], graph: SuiteRun
    ) -> list[Rejection]:
        """Targets the culprits starved: never called in GRAPH, as the tests that would call
        them failed first (a fixture that builds its data with a culprit). One more run of just
        the changed tests, without the culprits, calls and measures them; its in-process
        rejections are returned. Without it they would stay unproven ("no test called it")."""
        culprits = {r.target.key for r in found}
        rest = [t for t in active if t.key not in culprits]
        starved = {t.key for t in rest if not graph.facts.get(t.key, {}).get("calls")}
        changed = frozenset(self.prover.changed(graph))
        if not starved or not changed:
            return []
        self.timed -= starved
        run = self.prover.run(unmeasured(rest, self.timed), "graph", measure=True, tests=changed)
        fed = {key: item for key, item in run.facts.items() if key in starved}
        keep_measured(self.facts, fed, self.timed)
        self.timed |= starved
        return _in_process_rejections(self.prover, rest, run)

    def forgive(self, flaky: set[str]) -> None:
        """Drop the rejections that rest only on FLAKY tests (found flaky after the fact)."""
        self.rejections = [r for r in self.rejections if not set(r.tests) <= flaky]

    def result(
        self, graph: SuiteRun, eager: SuiteRun | None, final: SuiteRun | None
    ) -> ProofResult:
        """The result so far. Before the final run, a round that pinned culprits holds no
        changed outcome against the others: the final run, without the culprits, is the judge."""
        changed = self.prover.changed(final) if final is not None else None
        if final is None and self.pending:
            changed = {}
        result = build_result(
            self.targets, self.rejections, graph, eager, self.prover, self.facts, changed
        )
        result.unsettle(self.unsettled)
        if final is not None:
            result.final_run(final, self.prover.changed(final))
        return result


@dataclass
class _Confirm:
    """The final run: exactly the approved targets, whole suite, nothing measured or rerun.

    When it changes an outcome, a graph round over the approved set pins the culprits in process
    (or by bisection), and the final run is made again without them. When nothing can be pinned,
    the targets the changed tests called are left unproven (`touched_by`) and the final run is
    made again without them. When the verdicts on its result approve a different set, again
    with that set: the final run always ran exactly what is approved. Before the first final
    run, the eager run (with TIME_EAGER): its flaky tests no longer hold a rejection.
    """

    rounds: _Rounds
    approve: Approver
    tries: int
    time_eager: bool
    eager: SuiteRun | None = None

    def run(self, graph: SuiteRun) -> ProofResult:
        rounds, prover = self.rounds, self.rounds.prover
        result = rounds.result(graph, self.eager, None)
        for _ in range(self.tries):
            approved = self.approve(result)
            if approved and self.time_eager and self.eager is None:
                self.eager = _eager_run(prover)
                rounds.forgive(prover.ignore)
                result = rounds.result(graph, self.eager, None)
                approved = self.approve(result)
            if not approved:
                result.no_approvals = True  # nothing changes: the suite runs as in the eager run
                return result
            final = prover.run(approved, FINAL, measure=False)
            changed = prover.changed(final)
            if changed:
                before = len(rounds.rejections)
                graph = rounds.play(approved, 1, stop_early=True)
                if len(rounds.rejections) > before:
                    result = rounds.result(graph, self.eager, None)
                    continue
                # Nothing pinned (a flaky test, or an effect no subset reproduces): the targets
                # the changed tests called stay unproven, and the final run goes again without.
                touched = touched_by(changed, final, rounds.facts)
                rounds.unsettled |= {t.key for t in approved} if touched is None else touched
            result = rounds.result(graph, self.eager, final)
            if {t.key for t in self.approve(result)} == {t.key for t in approved}:
                return result  # (with changed outcomes: none of them could be laid on a target)
        return result


def _in_process_rejections(prover: Prover, active: list[Target], run: SuiteRun) -> list[Rejection]:
    """Targets that alone in their new form changed a test's outcome, in the run's process:
    culprits of the tests it changed, and targets that change a test only alone."""
    rejections = []
    for target in active:
        for kind in ("culprits", "failures"):
            found = run.solo.get(kind, {}).get(target.key, {})
            tests = {
                nodeid: crash for nodeid, crash in found.items() if nodeid not in prover.ignore
            }
            if tests:
                alone = kind == "failures"
                rejections.append(Rejection(target, sorted(tests), tests, alone=alone))
                break
    return rejections
