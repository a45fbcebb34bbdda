"""Orchestrates `tracehybrid run`: analyse, trace the tests, reconcile, prove as graphs, report."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.config import Config
from tracehybrid.errors import DataError
from tracehybrid.measure.proof import ProofResult
from tracehybrid.measure.rerun import ProveOptions, prove
from tracehybrid.measure.targets import MeasureSettings, Target
from tracehybrid.progress import StageProgress
from tracehybrid.reconcile import Proposal, reconcile
from tracehybrid.results import (
    RESULTS_FILE,
    ProofView,
    TracedRun,
    build_results,
    write_json_atomically,
)
from tracehybrid.results.storeviews import read_views
from tracehybrid.runtime.launcher import check_command, combine, run_traced
from tracehybrid.static import analyze_project
from tracehybrid.static.model import ProjectFacts
from tracehybrid.store.reader import CandidateFacts, read_facts
from tracehybrid.store.schema import COMBINED_STORE_NAME

CANDIDATES_FILE = "candidates.json"
RUN_FILE = "run.json"  # the traced command, its exit code and wall time: `report` rebuilds from it
PROOF_FILE = "proof.json"


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


def write_candidates(facts: ProjectFacts, out_dir: Path) -> Path:
    """Hand the static candidates to the tracer as JSON (the tracer never imports static/)."""
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
        if fn.is_candidate
    ]
    source_roots = sorted({str((root / fn.path).parent) for fn in facts.functions})
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / CANDIDATES_FILE
    document = {"candidates": items, "out_dir": str(out_dir), "source_roots": source_roots}
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def run_pipeline(
    config: Config, cmd: list[str], out_dir: Path, progress: StageProgress, *, graph: bool = True
) -> RunOutcome:
    """Analyse, trace CMD, reconcile, and (with `graph`) prove the proposals as graphs."""
    check_command(cmd)  # fail in one line before spending time on analysis
    for stale in (RUN_FILE, PROOF_FILE, RESULTS_FILE):
        (out_dir / stale).unlink(missing_ok=True)
    task = progress.stage("analysing source")
    facts = analyze_project(config, progress=task.update)
    candidates_file = write_candidates(facts, out_dir)
    progress.stage(f"running {' '.join(cmd)} under the tracer")
    started = time.perf_counter()
    exit_code = run_traced(cmd, candidates_file, out_dir)
    wall_s = time.perf_counter() - started
    progress.stage("combining trace stores")
    store = combine(out_dir)
    runtime = read_facts(store)
    _write_run_record(out_dir, cmd, exit_code, wall_s)
    proposals = reconcile(facts.functions, runtime, config)
    proof = _prove(config, cmd, proposals, store, out_dir, progress) if graph else None
    traced = TracedRun(cmd, exit_code, wall_s, read_views(store), runtime)
    view = ProofView.of(proof) if proof is not None else None
    document, _ = build_results(config, proposals, traced, view)
    results = write_json_atomically(out_dir / RESULTS_FILE, document)
    return RunOutcome(facts, exit_code, wall_s, store, runtime, proposals, proof, results)


def _prove(
    config: Config,
    cmd: list[str],
    proposals: list[Proposal],
    store: Path,
    out_dir: Path,
    progress: StageProgress,
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
    baseline = read_views(store).outcomes
    jobs = config.jobs or min(2, os.cpu_count() or 1)
    # The traced run is the eager baseline: one fewer run of the suite (its tracer costs ~10%).
    settings = MeasureSettings(solo_budget=config.solo_budget)
    options = ProveOptions(settings, Path.cwd(), time_eager_suite=False, on_run=progress.suite_run)
    proof = prove(cmd, targets, baseline, out_dir / "graph", jobs, options)
    proof.write(out_dir / PROOF_FILE)
    return proof


def _write_run_record(out_dir: Path, cmd: list[str], exit_code: int, wall_s: float) -> None:
    record = {"format": 1, "test_command": cmd, "exit_code": exit_code, "wall_s": wall_s}
    write_json_atomically(out_dir / RUN_FILE, record)


def rebuild_results(config: Config, out_dir: Path) -> dict[str, Any]:
    """The results document again, from a run's stores: trace.db, proof.json and run.json.

    Static facts are recomputed (from the cache when the source is unchanged).
    """
    try:
        record = json.loads((out_dir / RUN_FILE).read_text(encoding="utf-8"))
        cmd, exit_code, wall_s = record["test_command"], record["exit_code"], record["wall_s"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"{out_dir}: no complete run to report on; run `tracehybrid run` first"
        ) from exc
    store = out_dir / COMBINED_STORE_NAME
    runtime = read_facts(store)
    facts = analyze_project(config)
    proposals = reconcile(facts.functions, runtime, config)
    proof_path = out_dir / PROOF_FILE
    view = ProofView.load(proof_path) if proof_path.exists() else None
    traced = TracedRun(list(cmd), int(exit_code), float(wall_s), read_views(store), runtime)
    document, _ = build_results(config, proposals, traced, view)
    return document
