"""From a results document to the edits `apply` makes: approval, fix safety, --select/--ignore."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid.apply.edits import Edit, EditKind, FunctionTarget
from tracehybrid.errors import DataError

#: The results.json format this module reads (shared/contract/results-v1.md).
FORMAT_VERSION = 1

#: results.json `refactoring` → the codemod that writes it.
EDIT_KINDS: dict[str, EditKind] = {
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


def read_results(path: Path) -> dict[str, Any]:
    """The parsed results document; a one-line `DataError` naming the file otherwise."""
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise DataError(
            f"no results file at {path}: run `tracehybrid run -- pytest` first or give --results"
        ) from exc
    except OSError as exc:
        raise DataError(f"cannot read results file {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not a JSON results file: {exc}") from exc
    if not isinstance(document, dict):
        raise DataError(f"{path} is not a results file: the JSON is not an object")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise DataError(
            f"{path} has results format_version {version!r}, this tracehybrid reads "
            f"{FORMAT_VERSION}; rerun `tracehybrid run` with this version"
        )
    if not isinstance(document.get("functions"), list):
        raise DataError(f"{path} does not follow results format 1: `functions` is not a list")
    checked: dict[str, Any] = document
    return checked


def file_hashes(document: Mapping[str, Any]) -> dict[str, str]:
    """The top-level ``files`` extra, ``{relpath: sha256}``; empty when absent or malformed."""
    files = document.get("files")
    if not isinstance(files, dict):
        return {}
    return {path: digest for path, digest in files.items() if isinstance(digest, str)}


def plan_fixes(document: Mapping[str, Any], selection: Selection) -> FixPlan:
    """Approved fixes with a patch, filtered by `selection`, grouped by file in source order."""
    plan = FixPlan()
    for index, raw in enumerate(document["functions"]):
        if not isinstance(raw, dict) or raw.get("verdict") != "approved":
            continue
        if raw.get("refactoring") is None or raw.get("patch") is None:
            continue  # approved with nothing to write (contract: refactoring may be null)
        try:
            fix = _read_fix(raw)
        except (KeyError, TypeError, ValueError) as exc:
            plan.warnings.append(f"results functions[{index}]: unreadable fix ({exc}); skipped")
            continue
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
    applicability: str
    codes: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.path}::{self.edit.target.qualname}"


def _read_fix(raw: Mapping[str, Any]) -> _Fix:
    path, qualname, line = raw["path"], raw["qualname"], raw["line"]
    patch = raw["patch"]
    if not (isinstance(path, str) and isinstance(qualname, str) and isinstance(line, int)):
        raise TypeError("path, qualname or line has the wrong type")
    kind = EDIT_KINDS.get(raw["refactoring"])
    if kind is None:
        raise ValueError(f"unknown refactoring {raw['refactoring']!r}")
    decorator, applicability = patch["decorator"], patch["applicability"]
    if not isinstance(decorator, str) or applicability not in ("safe", "unsafe", "display_only"):
        raise ValueError(f"malformed patch {patch!r}")
    codes = tuple(
        str(reason["code"]) for reason in raw.get("reasons") or [] if isinstance(reason, dict)
    )
    edit = Edit(FunctionTarget(qualname, line), kind, decorator)
    return _Fix(path, edit, applicability, codes)


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
