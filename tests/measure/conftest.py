"""Fixtures for the graph run: measure_project copied once, its baseline and one full proof."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from measure_targets import PROJECT, PYTEST, QUICK, Proved, project_targets

from tracehybrid.measure.rounds import ProveOptions, prove
from tracehybrid.measure.suite_run import SuiteRun, run_suite
from tracehybrid.measure.targets import MeasureSettings


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
