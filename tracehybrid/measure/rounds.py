"""Prove a set of targets on the project's tests: graph rounds, then the final run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tracehybrid.measure.final_run import FINAL, Approver
from tracehybrid.measure.graph_rounds import GraphRounds
from tracehybrid.measure.isolate import isolate
from tracehybrid.measure.proof import ProofResult, build_result
from tracehybrid.measure.prover import Prover
from tracehybrid.measure.suite_run import Callers, SuiteRun, changed_tests, touched_by
from tracehybrid.measure.targets import MeasureSettings, Target

__all__ = ["ProofResult", "ProveOptions", "Prover", "isolate", "prove", "prove_with"]


@dataclass(frozen=True)
class ProveOptions:
    """How `prove` runs: measurement budgets, working directory, eager timing, rounds."""

    settings: MeasureSettings = field(default_factory=MeasureSettings)
    cwd: Path | None = None
    time_eager_suite: bool = True  # one extra run: the fair eager wall time and a flakiness check
    max_rounds: int = 5
    on_run: Callable[[SuiteRun, int], None] | None = None  # called after each run (progress)
    # Per target, the tests that called it in the traced run: a run leaves out the tests that
    # called none of its targets, which keep their outcome (None: every run runs every test).
    callers: Callers | None = None
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
    prover.on_run, prover.callers = options.on_run, options.callers
    return prove_with(prover, targets, options)


def prove_with(prover: Prover, targets: list[Target], options: ProveOptions) -> ProofResult:
    """The rounds of `prove` with a given PROVER (which runs the command).

    With `approve`, the eager run waits until something is approved (`_Confirm`): a proof that
    approves nothing never needs the suite's plain time, and is spared one suite run.
    """
    eager = None
    if options.time_eager_suite and options.approve is None:
        eager = _eager_run(prover)
    rounds = GraphRounds(prover, list(targets))
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
class _Confirm:
    """The final run: exactly the approved targets, whole suite, nothing measured or rerun.

    When it changes an outcome, a graph run of just the changed tests with the approved set pins
    the culprits in process (or by bisection), and the final run is made again without them.
    When nothing can be pinned, the targets the changed tests called are left unproven
    (`touched_by`) and the final run is made again without them. When the verdicts on its result
    approve a different set, again with that set: the final run always ran exactly what is
    approved. Before the first final run, the eager run (with TIME_EAGER): its flaky tests no
    longer hold a rejection.
    """

    rounds: GraphRounds
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
                result.no_approvals = True  # nothing changes: the suite runs as it is
                return result
            final = prover.run(approved, FINAL, measure=False)
            changed = prover.changed(final)
            if changed:
                if rounds.settle(approved, frozenset(changed)):
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
