"""Orchestrates `tracehybrid run`: analyse, trace the tests, reconcile, prove as graphs, report."""

from __future__ import annotations

import json
import shlex
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tracehybrid.config import Config
from tracehybrid.contract import PhaseTimes, write_json_atomically
from tracehybrid.errors import DataError, InterruptedRunError, TestCommandError
from tracehybrid.launcher import check_command, combine, run_traced
from tracehybrid.measure.final_run import FINAL
from tracehybrid.measure.proof import ProofResult, read_proof_document
from tracehybrid.measure.rounds import ProveOptions, prove
from tracehybrid.measure.suite_run import traced_callers
from tracehybrid.measure.targets import DEHYBRIDIZE, MeasureSettings, Target
from tracehybrid.measure.workers import pytest_workers
from tracehybrid.progress import StageProgress
from tracehybrid.results import TracedRun, build_results, decide_proposal, proposal_key
from tracehybrid.results.storeviews import StoreViews, read_views
from tracehybrid.static import analyze_project
from tracehybrid.static.model import ProjectFacts
from tracehybrid.store.reader import CandidateFacts, read_facts
from tracehybrid.verdict import ProofView, Proposal, reconcile
from tracehybrid.workspace import RunDir

RUN_RECORD_FORMAT = (
    1  # run.json: the traced command, exit code and wall time `report` rebuilds from
)
#: pytest's exit codes (pytest.ExitCode) and what they mean.
PYTEST_CODES = {
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}
PYTEST_INTERRUPTED = 2
# pytest's other exit codes that mean the run itself went wrong, not that tests failed.
PYTEST_PROBLEMS = {code: PYTEST_CODES[code] for code in (3, 4, 5)}


@dataclass(frozen=True)
class RunOutcome:
    """What one `tracehybrid run` produced."""

    facts: ProjectFacts
    exit_code: int
    wall_s: float
    store: Path
    runtime: dict[tuple[str, str, int], CandidateFacts]  # (abs path, qualname, first_line)
    proposals: list[Proposal]
    proof: ProofResult | None
    results: Path | None
    timings: PhaseTimes  # where the time went; `record_reports_time` adds the reports


def record_reports_time(outcome: RunOutcome, seconds: float) -> None:
    """Add the reports' SECONDS to the run's timings and to its results.json, which the
    reports were made from (so report.html shows every phase but its own)."""
    outcome.timings.add("reports", seconds)
    if outcome.results is None:
        return
    document = json.loads(outcome.results.read_text(encoding="utf-8"))
    document["timings"] = outcome.timings.to_json()
    write_json_atomically(outcome.results, document)


def write_candidates(facts: ProjectFacts, out_dir: Path) -> Path:
    """Hand the static candidates to the tracer as JSON (the tracer never imports static/);
    OUT_DIR is a RunDir's folder, where the tracer writes its stores."""
    root = facts.root.resolve()
    items = [
        {
            "path": str(root / fn.path),
            "qualname": fn.qualname,
            "line": fn.line,
            "first_line": fn.first_line,
            "kind": fn.kind,
            "write_lines": fn.write_lines,
        }
        for fn in facts.functions
        if fn.watched  # static candidates, and the untyped functions a tensor may promote
    ]
    source_roots = sorted({str((root / fn.path).parent) for fn in facts.functions})
    out_dir.mkdir(parents=True, exist_ok=True)
    path = RunDir(out_dir).candidates
    document = {"candidates": items, "out_dir": str(out_dir), "source_roots": source_roots}
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def run_pipeline(
    config: Config,
    cmd: list[str],
    run_dir: RunDir,
    progress: StageProgress,
    *,
    graph: bool = True,
    keep_stores: bool | None = None,
    evidence: Path | None = None,
) -> RunOutcome:
    """Analyse, trace CMD, reconcile, and (with `graph`) prove the proposals as graphs.

    RUN_DIR should be a fresh folder (a RunFolder's stage): a run that stops half-way leaves
    what it wrote there. KEEP_STORES keeps the per-process trace stores (None: the env var).
    EVIDENCE, a trace store of every CI shard's calls (two-stage mode), decides the proposals in
    place of this run's own calls, so that every shard proves the same candidates.
    """
    clock = PhaseTimes()
    check_command(cmd)  # fail in one line before spending time on analysis
    with clock.phase("static"):
        task = progress.stage("analysing source")
        facts = analyze_project(config, progress=task.update)
        candidates_file = write_candidates(facts, run_dir.path)
    progress.stage(f"running {shlex.join(cmd)} under the tracer")
    started = time.perf_counter()
    exit_code = _run_traced_through(cmd, candidates_file, run_dir.path)
    wall_s = time.perf_counter() - started
    clock.add("traced_run", wall_s)
    with clock.phase("combine"):
        progress.stage("combining trace stores")
        store = combine(run_dir.path, keep_stores=keep_stores)
        runtime = read_facts(store)
        _write_run_record(run_dir, cmd, exit_code, wall_s)
    with clock.phase("reconcile"):
        decided_on = read_facts(evidence) if evidence is not None else runtime
        proposals = reconcile(facts.functions, decided_on, config)
    proof = _prove(config, cmd, proposals, runtime, run_dir, progress, clock) if graph else None
    with clock.phase("results"):
        traced = TracedRun(cmd, exit_code, wall_s, read_views(store), runtime)
        view = ProofView.of(proof) if proof is not None else None
        document, _ = build_results(config, proposals, traced, view, facts.warnings)
    _measured_suite(document, proof.suite_figure() if proof is not None else None)
    document["timings"] = clock.to_json()
    results = write_json_atomically(run_dir.results, document)
    return RunOutcome(facts, exit_code, wall_s, store, runtime, proposals, proof, results, clock)


def is_pytest(cmd: list[str]) -> bool:
    """True when CMD runs pytest (`pytest ...`, `python -m pytest ...`)."""
    return "pytest" in Path(cmd[0]).name or (len(cmd) > 2 and cmd[1:3] == ["-m", "pytest"])


def _run_traced_through(cmd: list[str], candidates_file: Path, out_dir: Path) -> int:
    """CMD's exit code, when the traced run went through the whole suite; else stop the run.

    A run cut short is a partial baseline: graph runs measured against it approve functions
    that a complete run rejects. So an interrupted run, or pytest reporting that it could not
    run the suite, ends `tracehybrid run` here (exit code 128 + signal; else pytest's code).
    """
    quoted = shlex.join(cmd)
    try:
        exit_code = run_traced(cmd, candidates_file, out_dir)
    except InterruptedRunError as exc:
        raise InterruptedRunError(
            f"the traced run `{quoted}` was {exc}", exit_code=exc.exit_code
        ) from None
    for signum in (signal.SIGINT, signal.SIGTERM):
        if exit_code in (-signum, 128 + signum):
            name = signal.Signals(signum).name
            message = f"the traced run `{quoted}` was stopped by {name} (exit code {exit_code})"
            raise InterruptedRunError(message, exit_code=128 + signum)
    if is_pytest(cmd) and exit_code == PYTEST_INTERRUPTED:
        cause = "pytest exit code 2: Ctrl-C, or errors during collection"
        raise InterruptedRunError(f"the traced run `{quoted}` was interrupted ({cause})")
    if is_pytest(cmd) and exit_code in PYTEST_PROBLEMS:
        problem = PYTEST_PROBLEMS[exit_code]
        message = f"`{quoted}` exited with {exit_code} ({problem}); no results written"
        raise TestCommandError(message, exit_code=exit_code)
    return exit_code


def _prove(
    config: Config,
    cmd: list[str],
    proposals: list[Proposal],
    runtime: dict[tuple[str, str, int], CandidateFacts],
    run_dir: RunDir,
    progress: StageProgress,
    clock: PhaseTimes,
) -> ProofResult | None:
    root = config.root.resolve()
    targets = [
        Target(str(root / p.fn.path), p.fn.qualname, p.fn.line, p.fn.first_line, p.decorator or "")
        for p in proposals
        if p.to_prove
    ]
    if not targets:
        return None
    progress.stage(f"rerunning the tests with {len(targets)} functions as graphs")
    views = read_views(run_dir.combined_store)
    jobs = config.parallel_bisection_runs(workers=pytest_workers(cmd))
    settings = MeasureSettings(solo_budget=config.rerun_budget, decide_at=config.min_speedup)
    # The traced run is the outcomes' baseline, but its tracer makes it no measure of the suite's
    # time: the eager run (no target, nothing measured) is, and the final run (exactly the
    # approved targets, nothing measured) gives the time after `apply`.
    eager_run = config.suite_time  # `suite-time = false`: no suite figure, two runs fewer
    options = ProveOptions(settings, Path.cwd(), eager_run, on_run=progress.suite_run)
    # Tests that call no target cannot change outcome: each graph run leaves out the tests that
    # call none of its targets (a later round, or a bisection run, has fewer of them).
    approve = approver(config, proposals, targets, views) if config.suite_time else None
    options = replace(options, callers=traced_callers(targets, runtime), approve=approve)
    started = time.perf_counter()
    try:
        proof = prove(cmd, targets, views.outcomes, run_dir.graph_runs, jobs, options)
    except InterruptedRunError as exc:
        raise InterruptedRunError(f"the graph run was {exc}", exit_code=exc.exit_code) from None
    proof.write(run_dir.proof)
    _proof_phases(clock, proof, time.perf_counter() - started)
    return proof


def _proof_phases(clock: PhaseTimes, proof: ProofResult, elapsed_s: float) -> None:
    """Split the proof's ELAPSED_S: the eager run, the bisection and the final runs as measured,
    the graph runs the rest (with the bookkeeping between runs, a small part)."""
    eager_s = proof.eager.wall_s if proof.eager is not None else 0.0
    if proof.eager is not None:
        clock.add("eager_run", eager_s)
    if proof.bisection_s > 0:
        clock.add("bisection_runs", proof.bisection_s)
    final_s = sum(run.wall_s for run in proof.runs if run.purpose == FINAL)
    clock.add("graph_runs", elapsed_s - eager_s - proof.bisection_s - final_s)
    if final_s > 0:
        clock.add("final_run", final_s)
    clock.suite_runs = [run.timing() for run in proof.runs]


def _write_run_record(run_dir: RunDir, cmd: list[str], exit_code: int, wall_s: float) -> None:
    record = {
        "format": RUN_RECORD_FORMAT,
        "test_command": cmd,
        "exit_code": exit_code,
        "wall_s": wall_s,
    }
    write_json_atomically(run_dir.run_record, record)


def rebuild_results(config: Config, run_dir: RunDir) -> dict[str, Any]:
    """The results document again, from a run's stores: trace.db, proof.json and run.json.

    Static facts are recomputed (from the cache when the source is unchanged).
    """
    cmd, exit_code, wall_s = _read_run_record(run_dir)
    store = run_dir.combined_store
    runtime = read_facts(store)
    facts = analyze_project(config)
    proposals = reconcile(facts.functions, runtime, config)
    view = ProofView.load(run_dir.proof) if run_dir.proof.exists() else None
    traced = TracedRun(cmd, exit_code, wall_s, read_views(store), runtime)
    document, _ = build_results(config, proposals, traced, view, facts.warnings)
    if view is not None:
        figure = read_proof_document(run_dir.proof)["suite"].get("figure")
        _measured_suite(document, figure if isinstance(figure, dict) else None)
    return document


def approver(
    config: Config, proposals: list[Proposal], targets: list[Target], views: StoreViews
) -> Callable[[ProofResult], list[Target]]:
    """The verdicts on a provisional proof result, as `build_results` will reach them: the
    targets they approve, which the proof's final run runs as graphs."""
    by_key = {target.key: target for target in targets}

    def approved(result: ProofResult) -> list[Target]:
        view, chosen = ProofView.of(result), []
        for proposal in proposals:
            key = proposal_key(config, proposal)
            if key not in by_key:
                continue
            decision = decide_proposal(config, proposal, view, views)
            if decision.verdict == "approved":
                # What apply writes: a proven signature that measured slower goes back to eager.
                decorator = decision.proposal.decorator or DEHYBRIDIZE
                chosen.append(replace(by_key[key], decorator=decorator))
        return chosen

    return approved


def _measured_suite(document: dict[str, Any], figure: dict[str, Any] | None) -> None:
    """The `suite` extra from the proof's eager and final runs (neither traced nor measured),
    in place of the one set against the traced run; without them, no suite figure at all: the
    traced run is slower by its tracer, and the graph rounds by their measurement."""
    if figure is not None:
        document["suite"] = figure
    else:
        document.pop("suite", None)


def _read_run_record(run_dir: RunDir) -> tuple[list[str], int, float]:
    """run.json's command, exit code and wall time; DataError when absent, partial or foreign."""
    try:
        record = json.loads(run_dir.run_record.read_text(encoding="utf-8"))
        cmd, exit_code, wall_s = record["test_command"], record["exit_code"], record["wall_s"]
        version = record.get("format")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(
            f"{run_dir.path}: no complete run to report on; run `tracehybrid run` first"
        ) from exc
    if version != RUN_RECORD_FORMAT:
        raise DataError(
            f"{run_dir.run_record}: format {version!r}, expected {RUN_RECORD_FORMAT}; "
            "run `tracehybrid run` again"
        )
    return list(cmd), int(exit_code), float(wall_s)
