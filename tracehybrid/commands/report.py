"""`tracehybrid report`: rebuild the results from a run's stores and render them in one format."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from tracehybrid.config import load_config
from tracehybrid.errors import ExitCode
from tracehybrid.report.html import render_html
from tracehybrid.report.model import build_model
from tracehybrid.report.outputs import HTML_FILE
from tracehybrid.report.sarif import render_sarif
from tracehybrid.report.text import render_text
from tracehybrid.session import rebuild_results
from tracehybrid.workspace import find_project_root


def do_report(args: argparse.Namespace) -> int:
    """Write or print the report of the last `tracehybrid run`."""
    root = find_project_root(Path.cwd())
    config = load_config(root)
    out_dir = (args.dir or root / config.output_dir).resolve()
    document = rebuild_results(config, out_dir)
    if args.format == "json":
        _emit(json.dumps(document, indent=1) + "\n", args.out)
    elif args.format == "sarif":
        _emit(json.dumps(render_sarif(build_model(document)), indent=1) + "\n", args.out)
    elif args.format == "text":
        render_text(build_model(document), Console(), quiet=args.quiet)
    else:
        path: Path = args.out or out_dir / HTML_FILE
        path.write_text(render_html(build_model(document)), encoding="utf-8")
        print(f"HTML report: {path}")
    return ExitCode.OK


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
