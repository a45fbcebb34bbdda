"""Fixtures for the graph rerun: measure_project copied once, its baseline and one full proof."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from measure_targets import project_targets

from tracehybrid.measure.proof import ProofResult
from tracehybrid.measure.rerun import ProveOptions, prove
from tracehybrid.measure.suite import SuiteRun, run_suite
from tracehybrid.measure.targets import MeasureSettings

PROJECT = Path(__file__).resolve().parent.parent / "projects" / "measure_project"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]
#: Small budgets: the sessions prove behaviour, benchmarks/ measure speed.
QUICK = MeasureSettings(repeats=3, min_repeat_s=0.0005, max_calls_per_repeat=10, budget_s=0.3)


@dataclass
class Proved:
    root: Path
    baseline: SuiteRun
    proof: ProofResult

    def facts(self, qualname: str) -> dict[str, Any]:
        return next(p for p in self.proof.targets.values() if p.target.qualname == qualname).facts


@pytest.fixture(scope="session")
def tf() -> Any:
    """TensorFlow, imported once per session (it costs seconds)."""
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """measure_project copied to a temporary directory (records and caches stay out of tests/)."""
    root = tmp_path_factory.mktemp("measure") / "project"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture(scope="session")
def baseline(project: Path) -> SuiteRun:
    """The suite with the plugin loaded and no targets: the eager outcomes."""
    out = project.parent / "baseline"
    return run_suite(PYTEST, [], out, MeasureSettings(enabled=False), "eager", project)


@pytest.fixture(scope="session")
def proved(project: Path, baseline: SuiteRun) -> Proved:
    """Every target of measure_project proven at once, bisecting with two jobs."""
    options = ProveOptions(settings=QUICK, cwd=project)
    proof = prove(
        PYTEST, project_targets(project), baseline.outcomes, project.parent / "proof", 2, options
    )
    return Proved(project, baseline, proof)
