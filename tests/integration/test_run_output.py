"""What `tracehybrid run` tells the user: files it could not read, and a command to paste."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console
from tiny_project import MATHOPS, PYTEST, TESTS, make_project, run_tracehybrid, tracehybrid

from tracehybrid.report.html import render_html
from tracehybrid.report.model import build_model
from tracehybrid.report.text import render_text

pytestmark = pytest.mark.slow
SCHEMA = Path(__file__).resolve().parents[2] / "tracehybrid" / "data" / "results.schema.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "tiny_project", MATHOPS, TESTS)


def test_unreadable_files_reach_results_summary_and_report(project: Path) -> None:
    (project / "tiny" / "broken.py").write_text("def f(:\n    pass\n")
    (project / "tiny" / "latin.py").write_bytes(b"s = '\xe9t\xe9'\n")  # not UTF-8, no coding line
    done = run_tracehybrid(project)
    assert done.returncode == 0, done.stderr
    out_dir = project / ".tracehybrid"
    document = json.loads((out_dir / "results.json").read_text())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    unreadable = {entry["path"]: entry for entry in document["unreadable_files"]}
    assert set(unreadable) == {"tiny/broken.py", "tiny/latin.py"}
    assert unreadable["tiny/broken.py"]["line"] == 1
    assert "cannot parse" in unreadable["tiny/broken.py"]["message"]
    assert "warning[unparsable]: tiny/broken.py:1:" in done.stderr
    assert "2 files could not be read, so not analysed: tiny/broken.py:1" in done.stdout
    html = (out_dir / "report.html").read_text()
    assert "Files not analysed" in html and "<code>tiny/latin.py:1</code>" in html
    text = tracehybrid(project, "report", "--format", "text")
    assert "could not be read" in text.stdout


def test_a_clean_run_has_no_unreadable_files(project: Path) -> None:
    document = json.loads((project / ".tracehybrid" / "results.json").read_text())
    assert "unreadable_files" not in document
    assert "Files not analysed" not in (project / ".tracehybrid" / "report.html").read_text()


def test_the_progress_line_quotes_the_command(project: Path) -> None:
    done = run_tracehybrid(project, cmd=[*PYTEST, "-k", "double or waits"])
    assert done.returncode == 0, done.stderr
    assert "-q -p no:cacheprovider -k 'double or waits' under the tracer" in done.stderr


def _document(unreadable: Any) -> dict[str, Any]:
    return {
        "format_version": 1,
        "project_root": "/p",
        "functions": [],
        "summary": {"candidates": 0, "approved": 0, "rejected": 0},
        "unreadable_files": unreadable,
    }


def test_the_report_ignores_malformed_entries() -> None:
    entries = [{"path": "a.py", "line": 3, "message": "cannot parse: x"}, {"line": 1}, "b.py"]
    model = build_model(_document(entries))
    assert [f.location for f in model.unreadable_files] == ["a.py:3"]
    assert build_model(_document("nonsense")).unreadable_files == []
    assert "<code>a.py:3</code> cannot parse: x" in render_html(model)
    console = Console(record=True, width=200)
    render_text(model, console, quiet=True)
    assert "1 file could not be read, so not analysed: a.py:3 (cannot parse: x)" in (
        console.export_text()
    )
