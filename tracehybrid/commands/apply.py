"""`tracehybrid apply`: write the approved refactorings of a run's results into the source."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from tracehybrid.apply.plan import FixPlan, Selection, plan_fixes
from tracehybrid.apply.project import check_results_match, recorded_root
from tracehybrid.apply.runner import ApplyReport, FileOutcome, apply_edits
from tracehybrid.config import load_config
from tracehybrid.contract import MissingResultsError, Results, read_results
from tracehybrid.errors import DataError, ExitCode, UsageError
from tracehybrid.workspace import RunDir, find_project_root


def do_apply(args: argparse.Namespace) -> int:
    """Apply (or with --diff, show) the selected fixes; exit 1 when a file failed or was refused.

    The project written is the one around the working directory (or `--root`), never the root
    recorded in the results: that may be another checkout. The diff goes to stdout with paths
    relative to the project root, so `tracehybrid apply --diff > fixes.patch` applies with
    `git apply` or `patch -p1`; the summary and per-file lines go to stderr.
    """
    root = (args.root or find_project_root(Path.cwd())).resolve()
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: not a folder")
    path = args.results or RunDir.of(load_config(root)).results
    results = _read(path)
    selection = Selection(args.unsafe_fixes, _patterns(args.select), _patterns(args.ignore))
    plan = plan_fixes(results, selection)
    hashes = results.files
    files = {rel: edits for rel, edits in plan.edits.items() if _inside(root, rel)}
    check_results_match(results, path, root, files, force=args.force)
    _note_other_root(results, root)
    for line in plan.warnings:
        _say(f"warning: {line}")
    if plan.edits and not hashes and not args.force:
        _say(f"warning: {path} records no file hashes (`files`); every file is refused")
    report = apply_edits(
        {Path(rel): edits for rel, edits in files.items()},
        {Path(rel): digest for rel, digest in hashes.items()},
        diff_only=args.diff,
        force=args.force,
        root=root,
    )
    if args.diff:
        sys.stdout.write(report.diff)
    _print_outcomes(report)
    _say(summary(report, plan, diff_only=args.diff))
    refused_or_failed = report.failed or report.count("refused") > 0
    return ExitCode.FINDINGS if refused_or_failed else ExitCode.OK


def _read(path: Path) -> Results:
    try:
        return read_results(path)
    except MissingResultsError as exc:
        raise DataError(
            f"no results file at {path}: run `tracehybrid run -- pytest` first or give --results"
        ) from exc


def _note_other_root(results: Results, root: Path) -> None:
    """Say so when the run was recorded elsewhere (a copy, a moved checkout): this one changes."""
    recorded = recorded_root(results)
    if recorded is not None and recorded != root:
        _say(f"warning: the run recorded project_root {str(recorded)!r}; applying to {root}")


def _inside(root: Path, rel: str) -> bool:
    """Only files under the project root are written: results.json is input, not authority."""
    if (root / rel).resolve().is_relative_to(root):
        return True
    _say(f"warning: skipped {rel}: outside the project root {root}")
    return False


def _patterns(values: Iterable[str]) -> tuple[str, ...]:
    """`--select A,B --select C` → (A, B, C), as ruff accepts comma lists."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _print_outcomes(report: ApplyReport) -> None:
    for outcome in report.files:
        for line in _outcome_lines(outcome):
            _say(line)


def _outcome_lines(outcome: FileOutcome) -> list[str]:
    name = outcome.path.as_posix()
    if outcome.status in ("refused", "failed"):
        return [f"{outcome.status}: {outcome.message}"]
    if outcome.status == "skipped":
        return [f"warning: skipped {outcome.message}"]
    lines = [f"{name}: {change}" for change in outcome.changed if outcome.status == "written"]
    lines.extend(f"{name}: skipped {reason}" for reason in outcome.skipped_edits)
    return lines


def summary(report: ApplyReport, plan: FixPlan, *, diff_only: bool) -> str:
    """One line, ruff style: what was (or would be) fixed, and what was held back and why."""
    fixed_files = report.count("would_change" if diff_only else "written")
    verb = "Would apply" if diff_only else "Applied"
    parts = [f"{verb} {_n(report.fixes, 'fix', 'fixes')} in {_n(fixed_files, 'file')}"]
    if plan.fix_count == 0:
        parts = ["No fixes to apply"]
    elif fixed_files == 0 and report.count("unchanged") == len(report.files):
        parts = ["Nothing to apply: every fix is already in the source"]
    elif report.count("unchanged"):
        parts.append(f"{_n(report.count('unchanged'), 'file')} already up to date")
    for status in ("refused", "skipped", "failed"):
        if report.count(status):
            parts.append(f"{_n(report.count(status), 'file')} {status}")
    if plan.held_unsafe:
        held = _n(len(plan.held_unsafe), "unsafe fix", "unsafe fixes")
        parts.append(f"{held} held back (enable with `--unsafe-fixes`)")
    if plan.display_only:
        shown = _n(len(plan.display_only), "display-only fix", "display-only fixes")
        parts.append(f"{shown} (in the report, never applied)")
    if plan.deselected:
        parts.append(f"{plan.deselected} not selected")
    return "; ".join(parts) + "."


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _say(line: str) -> None:
    print(" ".join(line.split()), file=sys.stderr)  # one line, whatever a message held
