"""The patch `apply` would write for one function, as a diff the report shows before any apply."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.apply.edits import Edit, Failure, FunctionTarget, Success
from tracehybrid.apply.plan import EDIT_KINDS
from tracehybrid.apply.runner import unified_diff
from tracehybrid.apply.transform import ParsedModule, parse_for_edits, transform_parsed
from tracehybrid.contract import Refactoring
from tracehybrid.sourcefile import decode_source


class PatchPreviewer:
    """Previews under one project root, each file read and parsed once however many of its
    functions are previewed (GPflow: one parse per file instead of one per approval)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, tuple[str, ParsedModule] | None] = {}

    def diff(
        self, path: str, target: FunctionTarget, refactoring: Refactoring, decorator: str
    ) -> str | None:
        """The unified diff (paths relative to the root, as `apply --diff` writes them) of this
        one edit on the file as it is now, imports included; None when apply would write nothing."""
        parsed = self._parsed(path)
        if parsed is None:
            return None
        text, module = parsed
        result = transform_parsed(module, [Edit(target, EDIT_KINDS[refactoring], decorator)])
        if not isinstance(result, Success) or result.new_source == text:
            return None
        return unified_diff(Path(path), text, result.new_source)

    def _parsed(self, path: str) -> tuple[str, ParsedModule] | None:
        if path not in self._files:
            self._files[path] = _read_and_parse(self.root / path)
        return self._files[path]


def _read_and_parse(file: Path) -> tuple[str, ParsedModule] | None:
    try:
        text = decode_source(file.read_bytes())
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    parsed = parse_for_edits(text)
    return None if isinstance(parsed, Failure) else (text, parsed)


def preview_diff(
    root: Path, path: str, target: FunctionTarget, refactoring: Refactoring, decorator: str
) -> str | None:
    """One preview (see `PatchPreviewer.diff`), for a caller with a single function."""
    return PatchPreviewer(root).diff(path, target, refactoring, decorator)
