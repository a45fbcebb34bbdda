"""`tracehybrid run [--out DIR] -- CMD...`: the whole pipeline on the project's own tests."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from tracehybrid.child_process import stopping_children
from tracehybrid.config import Config, load_config
from tracehybrid.errors import InterruptedRunError, UsageError
from tracehybrid.progress import StageProgress
from tracehybrid.report.model import load_results
from tracehybrid.report.outputs import write_reports
from tracehybrid.report.text import render_text
from tracehybrid.runfolder import RunFolder
from tracehybrid.session import (
    PYTEST_CODES,
    RunOutcome,
    is_pytest,
    record_reports_time,
    run_pipeline,
)
from tracehybrid.shards.candidates import candidate_evidence
from tracehybrid.workspace import RunDir, find_project_root


def do_run(args: argparse.Namespace) -> int:
    """Run CMD traced, prove the proposals, write the reports; CMD's exit code passes through.

    The run writes into a stage folder and replaces the previous results only once complete;
    while it runs it holds the output folder's lock, and a signal stops it and its children.
    """
    cmd = _command(args)
    root = find_project_root(Path.cwd())
    config = load_config(root)
    run_dir = RunDir.of(config, args.out).resolved()
    # Everything the run writes, the analysis cache included, goes where --out says.
    config = dataclasses.replace(config, output_dir=str(run_dir.path))
    _check_writable(run_dir.path)
    try:
        with stopping_children(), RunFolder(run_dir) as folder:
            outcome, written = _run_and_report(config, cmd, folder, args)
    except InterruptedRunError as exc:
        message = f"{exc}; no results written (previous results are kept)"
        raise InterruptedRunError(message, exit_code=exc.exit_code) from None
    for warning in outcome.facts.warnings:  # files not analysed: never dropped in silence
        print(warning.one_line(), file=sys.stderr)
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 120))
    _print_summary(console, written, quiet=args.quiet)
    if outcome.exit_code != 0:  # whose code it is: the command's, never tracehybrid's (64-78)
        print(f"tracehybrid: {whose_exit_code(cmd, outcome.exit_code)}", file=sys.stderr)
    return outcome.exit_code


def whose_exit_code(cmd: list[str], code: int) -> str:
    """One line saying that CODE is the test command's own, with pytest's meaning of it."""
    meaning = PYTEST_CODES.get(code) if is_pytest(cmd) else None
    suffix = f" (pytest: {meaning})" if meaning else ""
    return f"exit code {code} is the test command's own{suffix}"


def _command(args: argparse.Namespace) -> list[str]:
    cmd: list[str] = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise UsageError("give the test command after `--`, e.g. `tracehybrid run -- pytest`")
    return cmd


def _run_and_report(
    config: Config, cmd: list[str], folder: RunFolder, args: argparse.Namespace
) -> tuple[RunOutcome, dict[str, Path]]:
    """The pipeline and its reports, written into the stage and then published."""
    # --keep-stores or the config say keep; otherwise (None) TRACEHYBRID_KEEP_STORES decides.
    keep_stores = True if args.keep_stores or config.keep_stores else None
    with StageProgress(enabled=not args.quiet) as progress, tempfile.TemporaryDirectory() as tmp:
        evidence = _stage_one_evidence(args, config.root, Path(tmp))
        outcome = run_pipeline(
            config,
            cmd,
            folder.stage,
            progress,
            graph=not args.no_graph,
            keep_stores=keep_stores,
            evidence=evidence,
        )
        progress.stage("writing the reports")
        started = time.perf_counter()
        written = write_reports(outcome.results, folder.stage.path) if outcome.results else {}
        record_reports_time(outcome, time.perf_counter() - started)
    folder.publish()
    return outcome, {kind: folder.final_path(path) for kind, path in written.items()}


def _stage_one_evidence(args: argparse.Namespace, root: Path, scratch: Path) -> Path | None:
    """`--candidates-from MERGED`: the merged stage-1 store, with this checkout's paths."""
    merged: Path | None = getattr(args, "candidates_from", None)
    if merged is None:
        return None
    if args.no_graph:
        raise UsageError("--candidates-from proves the merged candidates: drop --no-graph")
    return candidate_evidence(merged, root, scratch)


def _check_writable(out_dir: Path) -> None:
    """One line before anything runs when the output folder cannot be written (a read-only
    checkout), found by writing there: permission bits do not tell, for root for example."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"{out_dir}: cannot write there ({reason}); give --out DIR") from None


def _print_summary(console: Console, written: dict[str, Path], *, quiet: bool) -> None:
    results = written.get("json")
    if results is not None:
        render_text(load_results(results), console, quiet=quiet)
    if "html" in written:
        console.print(f"HTML report: {written['html']}", soft_wrap=True, highlight=False)
