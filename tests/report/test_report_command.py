"""`tracehybrid report` renders the run's results.json; `--rebuild` recomputes from its stores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracehybrid.errors import ExitCode

pytestmark = pytest.mark.slow
TRACEHYBRID = [sys.executable, "-m", "tracehybrid"]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def _tracehybrid(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRACEHYBRID, *args], check=False, cwd=project, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project without TensorFlow (a run of a few seconds), after one complete run."""
    root = tmp_path_factory.mktemp("report_command")
    (root / "pyproject.toml").write_text('[project]\nname = "tiny"\nversion = "0"\n')
    (root / "tiny").mkdir()
    (root / "tiny" / "__init__.py").write_text("")
    (root / "tiny" / "mathops.py").write_text("def double(x):\n    return x * 2\n")
    (root / "test_tiny.py").write_text(
        "from tiny.mathops import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
    )
    done = _tracehybrid(root, "run", "--", *PYTEST)
    assert done.returncode == 0, done.stderr
    return root


def test_report_renders_results_json_and_rebuild_recomputes_on_todays_source(
    project: Path,
) -> None:
    results = project / ".tracehybrid" / "results.json"
    written = json.loads(results.read_text(encoding="utf-8"))
    broken = project / "tiny" / "broken.py"
    broken.write_text("def f(:\n    pass\n")  # the source changes after the run
    try:
        shown = _tracehybrid(project, "report", "--format", "json")
        rebuilt = _tracehybrid(project, "report", "--rebuild", "--format", "json")
    finally:
        broken.unlink()
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == written  # what `apply` would apply, as the run wrote it
    assert rebuilt.returncode == 0, rebuilt.stderr
    unreadable = json.loads(rebuilt.stdout).get("unreadable_files", [])
    assert [entry["path"] for entry in unreadable] == ["tiny/broken.py"]


def test_a_missing_results_file_names_run_and_rebuild(project: Path) -> None:
    results = project / ".tracehybrid" / "results.json"
    kept = results.read_bytes()
    results.unlink()
    try:
        missing = _tracehybrid(project, "report", "--format", "text")
        rebuilt = _tracehybrid(project, "report", "--rebuild", "--format", "text", "--quiet")
    finally:
        results.write_bytes(kept)
    assert missing.returncode == ExitCode.USAGE
    assert missing.stderr.count("\n") == 1
    assert missing.stderr.startswith("error[data]:")
    assert str(results) in missing.stderr
    assert "`tracehybrid run" in missing.stderr
    assert "--rebuild" in missing.stderr
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "0 candidates" in rebuilt.stdout
