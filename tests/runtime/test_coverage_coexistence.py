"""The tracer runs beside coverage.py's sys.monitoring core, and both measure the same run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracehybrid.store.reader import read_facts

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]


def test_tracehybrid_and_coverage_sysmon_both_measure(
    outcomes_project: Path, tmp_path: Path
) -> None:
    coverage = pytest.importorskip("coverage")
    project = tmp_path / "project"
    shutil.copytree(outcomes_project, project, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "COVERAGE_CORE": "sysmon", "COVERAGE_FILE": str(tmp_path / "cov")}
    cmd = [sys.executable, "-m", "coverage", "run", "--include=mathops.py", "-m", "pytest", "-q"]
    run = [sys.executable, "-m", "tracehybrid", "run", "--quiet", "--no-graph", "--", *cmd]
    out = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 1, out.stdout + out.stderr  # the project has failing tests on purpose
    assert "Traceback" not in out.stderr.replace("tests failed", "")

    store = project / ".tracehybrid" / "trace.db"
    facts = {fact.qualname: fact for fact in read_facts(store).values()}
    assert facts["logged"].calls.get("eager", 0) > 0
    assert {e.kind for e in facts["_log_size"].effects} >= {"logging", "tensor_numpy"}

    data = coverage.CoverageData(basename=str(tmp_path / "cov"))
    data.read()
    measured = {Path(name).name: data.lines(name) for name in data.measured_files()}
    assert measured["mathops.py"], "coverage measured nothing: the tracer took its tool id"
    report = subprocess.run(
        [sys.executable, "-m", "coverage", "debug", "sys"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "sysmon" in report.stdout  # coverage really used its sys.monitoring core
