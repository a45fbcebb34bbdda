"""`tracehybrid combine`: merge CI shards' run folders into one run, or trace stores as before."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from tracehybrid.commands.store import do_combine as combine_stores
from tracehybrid.config import load_config
from tracehybrid.errors import ExitCode, UsageError
from tracehybrid.progress import StageProgress
from tracehybrid.report.model import load_results
from tracehybrid.report.text import render_text
from tracehybrid.shards import merge_runs
from tracehybrid.workspace import RunDir, find_project_root


def do_combine(args: argparse.Namespace) -> int:
    """Folders: merge the shards' runs (results, report, SARIF); files or nothing: the stores."""
    paths: list[Path] = list(args.stores)
    if not any(path.is_dir() for path in paths):
        return combine_stores(args)
    files = [path for path in paths if path.is_file()]
    if files:
        raise UsageError(
            f"{files[0]} is a file: give either run folders (one per shard) or store files"
        )
    folders = paths  # a missing one is named by the merge, with its shard number
    config = load_config(find_project_root(Path.cwd()))
    out = RunDir.of(config, args.out)
    keep = bool(args.keep_stores or config.keep_stores)
    with StageProgress(enabled=not args.quiet) as progress:
        outcome = merge_runs(config, folders, out, progress, keep_stores=keep)
    for line in outcome.differences:
        print(f"note[shard-decision]: {line}", file=sys.stderr)
    if outcome.differences:
        print(
            f"note[shard-decision]: {len(outcome.differences)} functions decided otherwise in a "
            "shard than over all shards; the merged verdicts are the suite's",
            file=sys.stderr,
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 120))
    if "json" in outcome.written:
        render_text(load_results(outcome.written["json"]), console, quiet=args.quiet)
    if "html" in outcome.written:
        console.print(f"HTML report: {outcome.written['html']}", soft_wrap=True, highlight=False)
    return ExitCode.OK
