"""`tracehybrid run [--out DIR] -- CMD...`: trace the project's tests and summarise what ran."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from tracehybrid.config import load_config
from tracehybrid.errors import UsageError
from tracehybrid.progress import StageProgress
from tracehybrid.report.runtime_view import render_runtime_table
from tracehybrid.session import run_pipeline
from tracehybrid.workspace import find_project_root

# pytest's own exit codes that mean the run itself went wrong, not that tests failed.
PYTEST_PROBLEMS = {2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests collected"}


def do_run(args: argparse.Namespace) -> int:
    """Run CMD traced; CMD's output and exit code pass through unchanged."""
    cmd: list[str] = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise UsageError("give the test command after `--`, e.g. `tracehybrid run -- pytest`")
    root = find_project_root(Path.cwd())
    config = load_config(root)
    out_dir = (args.out or root / config.output_dir).resolve()
    with StageProgress(enabled=not args.quiet) as progress:
        outcome = run_pipeline(config, cmd, out_dir, progress)
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 140))
    if not args.quiet:
        render_runtime_table(console, outcome)
    if _is_pytest(cmd) and outcome.exit_code in PYTEST_PROBLEMS:
        problem = PYTEST_PROBLEMS[outcome.exit_code]
        print(
            f"error[test-command]: `{' '.join(cmd)}` exited with {outcome.exit_code} ({problem})",
            file=sys.stderr,
        )
    return outcome.exit_code


def _is_pytest(cmd: list[str]) -> bool:
    return "pytest" in Path(cmd[0]).name or (len(cmd) > 2 and cmd[1:3] == ["-m", "pytest"])
