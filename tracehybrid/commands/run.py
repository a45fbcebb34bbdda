"""`tracehybrid run [--out DIR] -- CMD...`: the whole pipeline on the project's own tests."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from tracehybrid.config import load_config
from tracehybrid.errors import UsageError
from tracehybrid.progress import StageProgress
from tracehybrid.report.model import load_results
from tracehybrid.report.outputs import write_reports
from tracehybrid.report.text import render_text
from tracehybrid.session import run_pipeline
from tracehybrid.workspace import find_project_root

# pytest's own exit codes that mean the run itself went wrong, not that tests failed.
PYTEST_PROBLEMS = {2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests collected"}


def do_run(args: argparse.Namespace) -> int:
    """Run CMD traced, prove the proposals, write the reports; CMD's exit code passes through."""
    cmd: list[str] = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise UsageError("give the test command after `--`, e.g. `tracehybrid run -- pytest`")
    root = find_project_root(Path.cwd())
    config = load_config(root)
    out_dir = (args.out or root / config.output_dir).resolve()
    # Everything the run writes, the analysis cache included, goes where --out says.
    config = dataclasses.replace(config, output_dir=str(out_dir))
    _check_writable(out_dir)
    with StageProgress(enabled=not args.quiet) as progress:
        outcome = run_pipeline(config, cmd, out_dir, progress, graph=not args.no_graph)
        progress.stage("writing the reports")
        written = write_reports(outcome.results, out_dir) if outcome.results else {}
    for warning in outcome.facts.warnings:  # files not analysed: never dropped in silence
        print(warning.one_line(), file=sys.stderr)
    if _is_pytest(cmd) and outcome.exit_code in PYTEST_PROBLEMS:
        problem = PYTEST_PROBLEMS[outcome.exit_code]
        print(
            f"error[test-command]: `{shlex.join(cmd)}` exited with {outcome.exit_code} ({problem})",
            file=sys.stderr,
        )
        return outcome.exit_code
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 120))
    _print_summary(console, written, quiet=args.quiet)
    return outcome.exit_code


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


def _is_pytest(cmd: list[str]) -> bool:
    return "pytest" in Path(cmd[0]).name or (len(cmd) > 2 and cmd[1:3] == ["-m", "pytest"])
