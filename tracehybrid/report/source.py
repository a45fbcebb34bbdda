"""Source for the report: a function's excerpt with marked lines, and the patch apply writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tracehybrid.sourcefile import decode_source, sha256_hex

EXCERPT_MAX_LINES = 40  # a detail section shows at most this many source lines
_DEFAULT_BODY_LINES = 15  # shown below the def when static facts give no end line


@dataclass(frozen=True)
class ExcerptLine:
    """One source line; `marked` when a reason or effect points at it."""

    number: int
    text: str
    marked: bool


@dataclass(frozen=True)
class SourceExcerpt:
    """The function's source, or `unavailable` saying why it cannot be shown."""

    lines: list[ExcerptLine] = field(default_factory=list)
    unavailable: str | None = None
    stale: bool = False  # the file's hash differs from the one recorded during the run


DiffLineKind = Literal["file", "hunk", "add", "del", "context", "note"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff, its marker (`+`, `-`, space, `\\`) taken off `text`."""

    kind: DiffLineKind
    text: str


@dataclass(frozen=True)
class PatchView:
    """What `apply` would write: the diff its own codemod made when the run wrote the results
    (imports included), or none when the results carry no preview (the decorator alone)."""

    decorator: str
    applicability: str
    diff: list[DiffLine]

    @property
    def removed(self) -> list[str]:
        """The lines the patch removes."""
        return [line.text for line in self.diff if line.kind == "del"]

    @property
    def added(self) -> list[str]:
        """The lines the patch adds."""
        return [line.text for line in self.diff if line.kind == "add"]


@dataclass(frozen=True)
class SourceFile:
    """A project file as the report reads it: its lines and the hash `apply` would check."""

    lines: list[str]
    sha256: str


def read_source(root: Path, relpath: str) -> SourceFile | None:
    """The file's lines (decoded as Python does) and hash; None when unreadable or undecodable."""
    try:
        data = (root / relpath).read_bytes()
        return SourceFile(decode_source(data).splitlines(), sha256_hex(data))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def excerpt(
    lines: list[str] | None,
    span: tuple[int, int],
    marked: set[int],
    *,
    stale: bool,
) -> SourceExcerpt:
    """Lines `span` (1-based, inclusive) of `lines`, capped at `EXCERPT_MAX_LINES`."""
    if lines is None:
        return SourceExcerpt(unavailable="the source file is not readable where the report ran")
    first, last = span
    first = max(1, min(first, len(lines)))
    last = min(len(lines), max(last, first), first + EXCERPT_MAX_LINES - 1)
    if not lines or first > len(lines):
        return SourceExcerpt(unavailable="the function's lines are past the end of the file")
    shown = [ExcerptLine(n, lines[n - 1], n in marked) for n in range(first, last + 1)]
    return SourceExcerpt(lines=shown, stale=stale)


def default_span(def_line: int, first_line: int | None, end_line: int | None) -> tuple[int, int]:
    """The lines to show: from the first decorator to the end when known, else a window."""
    first = first_line if first_line and first_line <= def_line else def_line
    last = end_line if end_line and end_line >= def_line else def_line + _DEFAULT_BODY_LINES
    return first, last


def patch_view(decorator: str, applicability: str, diff: str | None) -> PatchView:
    """The patch of one function, its recorded diff split into lines."""
    lines = [_diff_line(text) for text in (diff or "").splitlines()]
    return PatchView(decorator, applicability, lines)


def _diff_line(text: str) -> DiffLine:
    if text.startswith(("--- ", "+++ ")):
        return DiffLine("file", text)
    if text.startswith("@@"):
        return DiffLine("hunk", text)
    kinds: dict[str, DiffLineKind] = {"+": "add", "-": "del", "\\": "note"}
    return DiffLine(kinds.get(text[:1], "context"), text[1:])
