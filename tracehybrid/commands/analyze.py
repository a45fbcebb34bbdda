"""`tracehybrid analyze [PATH...]`: static analysis only, as a table or JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from rich.console import Console

from tracehybrid.config import load_config
from tracehybrid.errors import ExitCode, NoSourceError
from tracehybrid.progress import StageProgress
from tracehybrid.report.analyze_view import has_blocking_finding, render_table
from tracehybrid.static import analyze_project
from tracehybrid.workspace import find_project_root


def do_analyze(args: argparse.Namespace) -> int:
    """Analyse the given paths (default: the config's `source`, else the current folder)."""
    given: list[Path] = [p.resolve() for p in args.paths]
    for path in given:
        if not path.exists():
            raise NoSourceError(f"{path}: no such file or directory")
    root = find_project_root(given[0] if given else Path.cwd())
    config = load_config(root)
    if args.no_cache:
        config = dataclasses.replace(config, cache=False)
    # No paths: what the project configured (as `run` analyses it), else the current folder.
    paths = given or (None if config.source else [Path.cwd().resolve()])
    started = time.perf_counter()
    with StageProgress(enabled=not args.quiet and args.format == "table") as progress:
        task = progress.stage("analysing files")
        facts = analyze_project(config, paths, progress=task.update)
    elapsed = time.perf_counter() - started
    for warning in facts.warnings:
        print(warning.one_line(), file=sys.stderr)
    if facts.files_analysed == 0:
        shown = ", ".join(str(p) for p in paths or config.source)
        raise NoSourceError(f"{shown}: no Python source to analyse (tests and venvs are excluded)")
    if args.format == "json":
        print(json.dumps(facts.to_dict(), indent=2, sort_keys=False))
    else:
        console = Console()
        if not console.is_terminal:  # logs and pipes: wide enough that no column is cut
            console = Console(width=max(console.width, 140))
        render_table(console, facts, show_all=args.all, elapsed_s=elapsed)
    if args.exit_findings and any(
        fn.is_candidate and has_blocking_finding(fn) for fn in facts.functions
    ):
        return ExitCode.FINDINGS
    return ExitCode.OK
