"""Orchestrates `tracehybrid run`: static analysis, the traced test run, combining the stores."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.progress import StageProgress
from tracehybrid.runtime.launcher import check_command, combine, run_traced
from tracehybrid.static import analyze_project
from tracehybrid.static.model import ProjectFacts
from tracehybrid.store.reader import CandidateFacts, read_facts

CANDIDATES_FILE = "candidates.json"


@dataclass(frozen=True)
class RunOutcome:
    """What one traced run produced: static facts, the test command's exit code, the store."""

    facts: ProjectFacts
    exit_code: int
    wall_s: float
    store: Path
    runtime: dict[tuple[str, str, int], CandidateFacts]  # (abs path, qualname, first_line)


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
    config: Config, cmd: list[str], out_dir: Path, progress: StageProgress
) -> RunOutcome:
    """Analyse, run CMD under the tracer, and combine the per-process stores."""
    check_command(cmd)  # fail in one line before spending time on analysis
    task = progress.stage("analysing source")
    facts = analyze_project(config, progress=task.update)
    candidates_file = write_candidates(facts, out_dir)
    progress.stage(f"running {' '.join(cmd)} under the tracer")
    started = time.perf_counter()
    exit_code = run_traced(cmd, candidates_file, out_dir)
    wall_s = time.perf_counter() - started
    progress.stage("combining trace stores")
    store = combine(out_dir)
    return RunOutcome(facts, exit_code, wall_s, store, read_facts(store))
