"""The patch `apply` would write for one function, as a diff the report shows before any apply."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.apply.edits import Edit, FunctionTarget, Success
from tracehybrid.apply.plan import EDIT_KINDS
from tracehybrid.apply.runner import unified_diff
from tracehybrid.apply.transform import transform_source
from tracehybrid.contract import Refactoring
from tracehybrid.sourcefile import decode_source


def preview_diff(
    root: Path, path: str, target: FunctionTarget, refactoring: Refactoring, decorator: str
) -> str | None:
    """The unified diff (paths relative to ROOT, as `apply --diff` writes them) of this one edit
    on the file as it is now, imports included; None when apply would write nothing there."""
    try:
        text = decode_source((root / path).read_bytes())
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    result = transform_source(text, [Edit(target, EDIT_KINDS[refactoring], decorator)])
    if not isinstance(result, Success) or result.new_source == text:
        return None
    return unified_diff(Path(path), text, result.new_source)
