"""The outcome of proving targets: a status per target, its evidence, and the suite timings."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tracehybrid.errors import DataError
from tracehybrid.measure.suite_run import SuiteRun, changed_tests, touched_by
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import Timing, combine_timings


class RunLog(Protocol):
    """What the result reads of the rounds' prover (rounds.Prover), named here so proof.py does not
    import the module that imports it."""

    ignore: set[str]
    runs: list[SuiteRun]
    bisection_s: float

    def changed(self, run: SuiteRun) -> dict[str, tuple[str, str]]: ...


PROOF_FORMAT = 1  # of proof.json

#: proven: ran as a graph in passing tests, outcomes and outputs unchanged.
STATUSES = (
    "proven",
    "graph_failure",  # a test's outcome changed (or it raised only as a graph)
    "output_mismatch",  # outputs differ from eager on the tests' inputs
    "not_wrapped",  # could not be replaced at import time (the reason is given)
    "not_called",  # wrapped, but no test called it: nothing proven
    "inconclusive",  # outcomes changed but no target could be blamed (flaky suite?)
)


@dataclass
class Rejection:
    """A target whose graph changed test outcomes, found by bisection."""

    target: Target
    tests: list[str]
    crashes: dict[str, str] = field(default_factory=dict)  # nodeid -> failure message
    together: list[Target] = field(default_factory=list)  # set when it fails only in combination
    alone: bool = False  # found by a solo rerun: it fails only when the others stay as they were


@dataclass
class TargetProof:
    """Status and evidence of one target."""

    target: Target
    status: str
    failing_tests: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # the merged record of the last run
    timing: Timing | None = None  # over the timed signatures (medians)
    note: str = ""
    alone_unchecked: list[str] = field(default_factory=list)  # solo reruns over the budget

    def speedup(self) -> dict[str, float] | None:
        """The results-v1 `speedup` object (steady state, tracing excluded), or None."""
        if self.timing is None or not math.isfinite(self.timing.ratio):
            return None
        return {
            "eager_s_per_call": self.timing.eager.median_s,
            "graph_s_per_call": self.timing.graph.median_s,
            "ratio": round(self.timing.ratio, 4),
        }

    def to_json(self) -> dict[str, Any]:
        """The per-target object of `proof.json`."""
        facts = self.facts
        return {
            "target": self.target.to_json(),
            "status": self.status,
            "note": self.note,
            "failing_tests": self.failing_tests,
            "wrap_error": facts.get("wrap_error"),
            "calls": facts.get("calls", 0),
            "calls_in_graph": facts.get("calls_in_graph", 0),
            "traces": facts.get("traces", 0),
            # graph objects that traced (one per instance for a method), and the busiest cache
            "traced_objects": facts.get("traced_objects"),
            "max_object_traces": facts.get("max_object_traces"),
            # nodeids of the tests that called it as a graph, and inside an outer graph
            "tests": sorted(facts.get("tests", {})),
            "graph_tests": sorted(facts.get("graph_tests", {})),
            "exceptions": facts.get("exceptions", []),
            "mismatches": facts.get("mismatches", []),
            "not_compared": facts.get("not_compared", []),
            "warnings": facts.get("warnings", []),
            "speedup": self.speedup(),
            "timing": None if self.timing is None else self.timing.to_json(),
            "timings": facts.get("timings", {}),
            "trace_calls_s": facts.get("trace_calls_s", []),
            "steady_calls_s": facts.get("steady_calls_s", []),
            "alone_unchecked": self.alone_unchecked,
        }


UNEXPLAINED = "outcomes changed that no single target explains"


@dataclass
class ProofResult:
    """Per-target statuses, the eager and graph suite runs, and the log of every run."""

    targets: dict[str, TargetProof]
    graph: SuiteRun
    eager: SuiteRun | None
    flaky: list[str]
    unexplained: dict[str, tuple[str, str]]
    runs: list[SuiteRun]
    bisection_s: float = 0.0  # wall time of the bisection, its runs side by side included
    #: The last graph round (measured) when `graph` is the final run, which measures nothing.
    measured: SuiteRun | None = None
    no_approvals: bool = False  # the verdicts approved no target: no final run, nothing changes

    def final_run(self, final: SuiteRun, unexplained: dict[str, tuple[str, str]]) -> None:
        """FINAL (exactly the approved targets, whole suite, nothing measured) becomes the graph
        run: the suite's time after `apply`, and the outcomes the approvals are held to."""
        self.measured, self.graph = self.graph, final
        self.unexplained = unexplained

    def unsettle(self, keys: set[str]) -> None:
        """Leave the proven targets of KEYS unproven: an earlier run's changed outcomes, which
        nothing pinned, fell on tests that called them (`touched_by`)."""
        for key in keys:
            proof = self.targets.get(key)
            if proof is not None and proof.status == "proven":
                proof.status, proof.note = "inconclusive", UNEXPLAINED

    def suite_figure(self) -> dict[str, Any] | None:
        """The results `suite` object, measured: the eager run (the command with the plugin and
        no target) against the final run; None without both, or with no target approved."""
        if self.eager is None or (self.graph.purpose != "final" and not self.no_approvals):
            return None
        eager_s = self.eager.wall_s
        graph_s = eager_s if self.no_approvals else self.graph.wall_s
        return {
            "eager_wall_s": round(eager_s, 3),
            "graph_wall_s": round(graph_s, 3),
            "ratio": round(eager_s / graph_s, 4) if graph_s > 0 else None,
            "measured": True,
            "graph_functions": 0 if self.no_approvals else len(self.graph.targets),
            "note": "two runs of the command without the tracer, nothing measured: eager, no "
            "function changed; graph, exactly the approved functions as graphs, tracing included",
        }

    @property
    def clean(self) -> bool:
        """True when the final graph run changed no test outcome."""
        return not self.unexplained

    def by_status(self, status: str) -> list[TargetProof]:
        """The targets with STATUS."""
        return [p for p in self.targets.values() if p.status == status]

    def write(self, path: Path) -> Path:
        """Write `to_json()` to PATH (conventionally `<out>/proof.json`)."""
        path.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")
        return path

    def to_json(self) -> dict[str, Any]:
        """The `proof.json` document: suite timings, statuses and evidence, the run log."""
        eager_wall = None if self.eager is None else round(self.eager.wall_s, 3)
        return {
            "format": PROOF_FORMAT,
            "suite": {
                "figure": self.suite_figure(),
                "graph_purpose": self.graph.purpose,
                "eager": None if self.eager is None else self.eager.contract_run(),
                "graph": self.graph.contract_run(),
                "eager_wall_s": eager_wall,
                "graph_wall_s": round(self.graph.suite_wall_s, 3),
                "graph_measure_s": round(self.graph.measure_s, 3),
                "graph_solo_s": self.graph.solo.get("seconds", 0.0),
                # tests that call no target, left out of the graph run: no whole-suite time
                "graph_tests_not_run": len(self.graph.not_run),
                "note": "graph wall time includes tracing and the inline measurement, "
                "not the solo reruns",
            },
            "clean": self.clean,
            "flaky": self.flaky,
            "unexplained": {k: list(v) for k, v in self.unexplained.items()},
            "targets": {key: proof.to_json() for key, proof in self.targets.items()},
            "runs": [run.to_json() for run in self.runs],
            "bisection_s": round(self.bisection_s, 3),
        }


def was_called(facts: dict[str, Any]) -> bool:
    """A target's facts of one run: called at all, eagerly or only inside other graphs."""
    return bool(facts.get("calls") or facts.get("calls_in_graph"))


def _status(facts: dict[str, Any]) -> tuple[str, str]:
    if facts.get("wrap") == "not_wrapped":
        return "not_wrapped", str(facts.get("wrap_error") or "")
    if facts.get("wrap") != "wrapped":
        return "not_called", "its module was never imported"
    if not was_called(facts):
        return "not_called", "no test called it"
    if any(e.get("graph_only") for e in facts.get("exceptions", [])):
        return "graph_failure", "raised only as a graph; the tests did not notice"
    if facts.get("mismatches"):
        return "output_mismatch", ""
    if not facts.get("calls") and facts.get("calls_in_graph"):
        return "proven", "called only inside other graphs: not measured"
    return "proven", ""


def _timing(facts: dict[str, Any]) -> Timing | None:
    timings = [Timing.from_json(t) for t in facts.get("timings", {}).values()]
    return combine_timings(timings)


def build_result(
    targets: list[Target],
    rejections: list[Rejection],
    graph: SuiteRun,
    eager: SuiteRun | None,
    prover: RunLog,
    last_facts: dict[str, dict[str, Any]],
    unexplained: dict[str, tuple[str, str]] | None = None,
) -> ProofResult:
    """Assemble the result once the rounds are over; UNEXPLAINED: the changed outcomes no
    rejection explains (default: every change in GRAPH)."""
    if unexplained is None:
        unexplained = prover.changed(graph)
    touched = touched_by(unexplained, graph, last_facts)
    rejected = {r.target.key: r for r in rejections}
    proofs = {}
    for target in targets:
        facts = last_facts.get(target.key, {})
        rejection = rejected.get(target.key)
        if rejection is not None:
            failing = [{"test": t, "crash": rejection.crashes.get(t, "")} for t in rejection.tests]
            note = ""
            if rejection.together:
                names = ", ".join(t.qualname for t in rejection.together)
                note = f"only together with {names}"
            elif rejection.alone:
                note = "only when it alone runs as a graph, the other functions left as they were"
            proofs[target.key] = TargetProof(target, "graph_failure", failing, facts, None, note)
            continue
        status, note = _status(facts)
        if status == "proven" and (touched is None or target.key in touched):
            status, note = "inconclusive", UNEXPLAINED
        unchecked = sorted(set(graph.solo.get("skipped", {}).get(target.key, [])))
        proofs[target.key] = TargetProof(
            target, status, [], facts, _timing(facts), note, alone_unchecked=unchecked
        )
    flaky = sorted(prover.ignore)
    runs = list(prover.runs)
    return ProofResult(proofs, graph, eager, flaky, unexplained, runs, prover.bisection_s)


def read_proof_document(path: Path) -> dict[str, Any]:
    """proof.json as written by `ProofResult.write`, checked to be this version's format;
    OSError and ValueError pass through for the reader to word."""
    document = json.loads(path.read_text(encoding="utf-8"))
    found = document.get("format") if isinstance(document, dict) else None
    if found != PROOF_FORMAT:
        raise DataError(f"{path}: proof format {found!r}, expected {PROOF_FORMAT}")
    return dict(document)


__all__ = [
    "PROOF_FORMAT",
    "STATUSES",
    "ProofResult",
    "Rejection",
    "TargetProof",
    "build_result",
    "changed_tests",
    "read_proof_document",
]
