"""`tracehybrid report`: render the run's results.json (or, with --rebuild, the run's stores)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from tracehybrid.config import load_config
from tracehybrid.contract import MissingResultsError
from tracehybrid.errors import DataError, ExitCode
from tracehybrid.report.html import render_html
from tracehybrid.report.jsonreport import render_json
from tracehybrid.report.model import ReportModel, build_model, load_results
from tracehybrid.report.sarif import render_sarif
from tracehybrid.report.text import render_text
from tracehybrid.session import rebuild_results
from tracehybrid.workspace import RunDir, find_project_root


def do_report(args: argparse.Namespace) -> int:
    """Write or print the report of the last `tracehybrid run`.

    By default it renders results.json as the run wrote it, which is what `apply` applies; with
    --rebuild it recomputes the results from the run's stores on today's source, as before.
    """
    root = find_project_root(Path.cwd())
    config = load_config(root)
    run_dir = RunDir.of(config, args.dir).resolved()
    model = build_model(rebuild_results(config, run_dir)) if args.rebuild else _load(run_dir)
    if args.format == "json":
        _emit(json.dumps(render_json(model), indent=1) + "\n", args.out)
    elif args.format == "sarif":
        _emit(json.dumps(render_sarif(model), indent=1) + "\n", args.out)
    elif args.format == "text":
        render_text(model, Console(), quiet=args.quiet)
    else:
        path: Path = args.out or run_dir.html_report
        path.write_text(render_html(model), encoding="utf-8")
        print(f"HTML report: {path}")
    return ExitCode.OK


def _load(run_dir: RunDir) -> ReportModel:
    try:
        return load_results(run_dir.results)
    except MissingResultsError as exc:
        if not run_dir.run_record.exists():  # no run at all: --rebuild could not help either
            raise DataError(
                f"{run_dir.path}: no complete run to report on; run `tracehybrid run` first"
            ) from exc
        raise DataError(
            f"no results file at {run_dir.results}: run `tracehybrid run -- pytest` first, or "
            "`tracehybrid report --rebuild` to recompute the results from the run's stores"
        ) from exc


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
