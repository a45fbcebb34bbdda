"""From a results document to the edits `apply` makes: approval, fix safety, --select/--ignore."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracehybrid.apply.edits import Edit, EditKind, FunctionTarget
from tracehybrid.codes import Applicability
from tracehybrid.contract import FunctionResult, Refactoring, Results

#: results.json `refactoring` → the codemod that writes it.
EDIT_KINDS: dict[Refactoring, EditKind] = {
    "convert_to_hybrid": "convert",
    "optimize_hybrid": "optimize",
    "dehybridize": "dehybridize",
}

_CODE_PREFIX = re.compile(r"[A-Z]+[0-9]*")


@dataclass(frozen=True)
class Selection:
    """Which approved fixes the user asked for."""

    unsafe_fixes: bool = False
    #: Codes (or code prefixes such as ``TH2``), qualnames or ``path::qualname``; empty: all.
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass
class FixPlan:
    """The edits to make per file, and what was held back and why."""

    edits: dict[str, list[Edit]] = field(default_factory=dict)
    #: ``path::qualname`` of approved unsafe fixes left out without ``--unsafe-fixes``.
    held_unsafe: list[str] = field(default_factory=list)
    #: ``path::qualname`` of display-only fixes: shown in the report, never written.
    display_only: list[str] = field(default_factory=list)
    #: Approved fixes left out by ``--select`` or ``--ignore``.
    deselected: int = 0
    #: One line per function entry that could not be read.
    warnings: list[str] = field(default_factory=list)

    @property
    def fix_count(self) -> int:
        """How many edits are planned, over all files."""
        return sum(len(edits) for edits in self.edits.values())


def plan_fixes(results: Results, selection: Selection) -> FixPlan:
    """Approved fixes with a patch, filtered by `selection`, grouped by file in source order."""
    plan = FixPlan()
    for problem in results.problems:
        if problem.approved:
            plan.warnings.append(
                f"results functions[{problem.index}]: unreadable fix ({problem.message}); skipped"
            )
    for fn in results.functions:
        fix = _fix(fn)
        if fix is not None:
            _place(plan, fix, selection)
    if plan.edits and plan.deselected:
        plan.warnings.append(
            f"the run proved all approved changes together; --select/--ignore leave out "
            f"{plan.deselected}, "
            "and a subset was not proven (a test comparing two functions may differ): rerun "
            "`tracehybrid run` after applying"
        )
    return plan


@dataclass(frozen=True)
class _Fix:
    path: str
    edit: Edit
    applicability: Applicability
    codes: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.path}::{self.edit.target.qualname}"


def _fix(fn: FunctionResult) -> _Fix | None:
    """The fix of an approved entry; None when there is nothing to write (the contract lets an
    approved entry have no refactoring or no patch)."""
    if fn.verdict != "approved" or fn.refactoring is None or fn.patch is None:
        return None
    target = FunctionTarget(fn.qualname, fn.line)
    edit = Edit(target, EDIT_KINDS[fn.refactoring], fn.patch.decorator)
    codes = tuple(reason.code for reason in fn.reasons)
    return _Fix(fn.path, edit, fn.patch.applicability, codes)


def _place(plan: FixPlan, fix: _Fix, selection: Selection) -> None:
    if not _selected(fix, selection):
        plan.deselected += 1
    elif fix.applicability == "display_only":
        plan.display_only.append(fix.name)
    elif fix.applicability == "unsafe" and not selection.unsafe_fixes:
        plan.held_unsafe.append(fix.name)
    else:
        plan.edits.setdefault(fix.path, []).append(fix.edit)


def _selected(fix: _Fix, selection: Selection) -> bool:
    if selection.select and not _matches_any(fix, selection.select):
        return False
    return not _matches_any(fix, selection.ignore)


def _matches_any(fix: _Fix, patterns: Sequence[str]) -> bool:
    return any(_matches(fix, pattern) for pattern in patterns)


def _matches(fix: _Fix, pattern: str) -> bool:
    """A code or code prefix (``TH201``, ``TH2``), a qualname, or ``path::qualname``."""
    if pattern in (fix.edit.target.qualname, fix.name):
        return True
    return _CODE_PREFIX.fullmatch(pattern) is not None and any(
        code.startswith(pattern) for code in fix.codes
    )
