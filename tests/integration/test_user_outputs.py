"""The user's files belong to the user's run: graph-mode runs never write where the command does.

outputs_project is run twice with `--junitxml`, pytest-cov (data, XML and HTML reports),
`--basetemp` and pytest's cache: once traced alone (`--no-graph`), once through the whole
pipeline, whose graph runs change test outcomes (`ops.peek` fails as a graph, in subtests too).
The user's files must be the same, timings and timestamps aside.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "projects" / "outputs_project"
COMMAND = [
    sys.executable, "-m", "pytest", "-q", "--junitxml=out/junit.xml", "--basetemp=bt",
    "--cov=.", "--cov-report=xml:out/cov.xml", "--cov-report=html:out/htmlcov",
]  # fmt: skip
#: What differs between two runs of the same tests: clocks, durations, host names, versions.
VOLATILE = re.compile(
    r'(time|timestamp|hostname|version|line-rate|branch-rate)="[^"]*"|<!--.*?-->', re.S
)

pytestmark = pytest.mark.slow


def _run(tmp: Path, name: str, *flags: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    project = tmp / name
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    done = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "run", "--quiet", *flags, "--", *COMMAND],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return project, done


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("outputs")
    alone, alone_done = _run(tmp, "alone", "--no-graph")
    full, full_done = _run(tmp, "full")
    return {"alone": alone, "full": full, "alone_done": alone_done, "full_done": full_done}


def _normal(project: Path, name: str) -> str:
    text = (project / "out" / name).read_text(encoding="utf-8")
    return VOLATILE.sub("", text.replace(str(project), "<project>"))


def _covered(project: Path) -> dict[str, list[int]]:
    import coverage

    data = coverage.CoverageData(basename=str(project / ".coverage"))
    data.read()
    return {Path(f).name: sorted(data.lines(f) or []) for f in data.measured_files()}


def test_the_graph_runs_changed_outcomes(runs: dict[str, Any]) -> None:
    results = json.loads((runs["full"] / ".tracehybrid" / "results.json").read_text())
    peek = next(f for f in results["functions"] if f["qualname"] == "peek")
    assert peek["verdict"] == "rejected" and peek["reasons"][0]["code"] == "TH301"
    # They wrote their own junit files, into the run folder.
    assert list((runs["full"] / ".tracehybrid").rglob("user-outputs/*junit.xml"))


def test_exit_code_and_junit_are_the_users_run(runs: dict[str, Any]) -> None:
    assert runs["alone_done"].returncode == runs["full_done"].returncode == 0
    alone, full = (_normal(runs[k], "junit.xml") for k in ("alone", "full"))
    assert alone == full
    assert 'failures="0"' in full and 'errors="0"' in full


def test_coverage_data_and_reports_are_the_users_run(runs: dict[str, Any]) -> None:
    assert _covered(runs["alone"]) == _covered(runs["full"])
    assert _normal(runs["alone"], "cov.xml") == _normal(runs["full"], "cov.xml")
    assert not list(runs["full"].glob(".coverage.*"))  # no stray parallel data files


def test_basetemp_and_cache_are_the_users_run(runs: dict[str, Any]) -> None:
    for project in (runs["alone"], runs["full"]):
        assert (project / "bt" / "test_smooth0" / "seen.txt").read_text() == "smooth"
    lastfailed = [
        p / ".pytest_cache" / "v" / "cache" / "nodeids" for p in (runs["alone"], runs["full"])
    ]
    assert lastfailed[0].read_text() == lastfailed[1].read_text()
