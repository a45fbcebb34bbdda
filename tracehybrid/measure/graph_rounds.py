"""Graph rounds: run the targets as graphs, pin what changed an outcome, run again without it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tracehybrid.measure.final_run import keep_measured, unmeasured
from tracehybrid.measure.isolate import in_process_rejections, isolate
from tracehybrid.measure.proof import ProofResult, Rejection, build_result, was_called
from tracehybrid.measure.prover import Prover
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.measure.targets import Target, called_when_traced


@dataclass
class GraphRounds:
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
            found = in_process_rejections(prover, active, graph)
            if not prover.changed(graph) and (not found or graph.solo.get("confirmed", False)):
                self.rejections += found  # the solo reruns already proved the set without them
                break
            if not active:
                break
            if prover.changed(graph) and not found:
                # Only when the run's own process pinned nothing: bisecting the others while the
                # in-process culprits are left out cannot reproduce the tests those changed, and
                # would blame the whole rest "together". The next round shows what they leave.
                found = self._bisect(active, graph)
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

    def settle(self, active: list[Target], tests: frozenset[str]) -> bool:
        """Pin what changed TESTS in a final run of ACTIVE: one graph run of just those tests
        (nothing measured again), its in-process culprit search, else bisection. True when
        culprits were found: their rejections are kept, and the final run judges the rest.
        A whole graph round over ACTIVE cost GPflow 79 s for one flaky test; this, 15 s."""
        run = self.prover.run(unmeasured(active, self.timed), "graph", measure=True, tests=tests)
        found = in_process_rejections(self.prover, active, run)
        if self.prover.changed(run) and not found:
            found = self._bisect(active, run)
        self.rejections += found
        self.pending = self.pending or bool(found)
        return bool(found)

    def _bisect(self, active: list[Target], run: SuiteRun) -> list[Rejection]:
        """`isolate` by bisection runs, their wall time counted in the prover's `bisection_s`."""
        started = time.perf_counter()
        try:
            return isolate(self.prover, active, run)
        finally:
            self.prover.bisection_s += time.perf_counter() - started

    def _feed_starved(
        self, active: list[Target], found: list[Rejection], graph: SuiteRun
    ) -> list[Rejection]:
        """Targets the culprits starved: never called in GRAPH, as the tests that would call
        them failed first (a fixture that builds its data with a culprit). One more run of just
        the changed tests, without the culprits, calls and measures them; its in-process
        rejections are returned. Without it they would stay unproven ("no test called it")."""
        culprits = {r.target.key for r in found}
        rest = [t for t in active if t.key not in culprits]
        changed = frozenset(self.prover.changed(graph))
        starved = {
            t.key
            for t in rest
            if _wrapped_but_not_called(graph.facts.get(t.key, {})) and self._called_by(t, changed)
        }
        if not starved or not changed:
            return []
        # Just the starved ones as graphs (the others were proven in GRAPH; the final run has
        # them all together): far less tracing (GPflow: 15 targets, not 125).
        hungry = [t for t in rest if t.key in starved]
        run = self.prover.run(hungry, "graph", measure=True, tests=changed)
        # Only what this run did call: the others keep the facts of the whole round.
        fed = {k: item for k, item in run.facts.items() if was_called(item)}
        self.facts.update(fed)
        return in_process_rejections(self.prover, hungry, run)

    def _called_by(self, target: Target, tests: frozenset[str]) -> bool:
        """Whether one of TESTS called TARGET in the traced run (unknown: it may have): only
        then can a run of just those tests call it (a closure no graph reaches, say, cannot)."""
        callers = self.prover.callers
        return callers is None or called_when_traced(callers, target.key, tests)

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


def _wrapped_but_not_called(facts: dict[str, Any]) -> bool:
    """Not called in the run, though it could have been: a target the plugin could not wrap
    (GPflow's closures `data_input_to_tensor.<locals>.convert_to_tensor`) is never called as a
    graph, and no run can feed it."""
    return facts.get("wrap") != "not_wrapped" and not was_called(facts)
