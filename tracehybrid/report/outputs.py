"""Write every report format beside results.json; a failing renderer is a warning, never fatal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tracehybrid.errors import DataError
from tracehybrid.report.html import render_html
from tracehybrid.report.model import ReportModel, load_results
from tracehybrid.report.sarif import render_sarif
from tracehybrid.workspace import RunDir


def write_reports(results: Path, out_dir: Path) -> dict[str, Path]:
    """results.json, report.html and results.sarif in `out_dir`; returns what was written."""
    written = {"json": results}
    try:
        model = load_results(results)
    except DataError as exc:
        print(f"warning[report]: {exc.one_line()}", file=sys.stderr)
        return written
    run_dir = RunDir(out_dir)
    for path, render in ((run_dir.html_report, _html), (run_dir.sarif_report, _sarif)):
        try:
            path.write_text(render(model), encoding="utf-8")
            written[path.suffix.lstrip(".")] = path
        except Exception as exc:  # a renderer bug must not lose the run's results
            print(f"warning[report]: could not write {path.name}: {exc}", file=sys.stderr)
    return written


def _html(model: ReportModel) -> str:
    return render_html(model)


def _sarif(model: ReportModel) -> str:
    return json.dumps(render_sarif(model), indent=1)
