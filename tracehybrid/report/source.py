"""Source for the report: a function's excerpt with marked lines, and the patch apply writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class PatchView:
    """What `apply` would write: `removed` and `added` decorator lines above the `def` line."""

    decorator: str
    applicability: str
    removed: list[str]
    added: list[str]
    def_line: str


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


def patch_view(
    lines: list[str] | None,
    def_line: int,
    decorator: str,
    applicability: str,
    hybrid_line: int | None,
) -> PatchView:
    """The decorator change at `def_line`: add above it, or replace or drop `hybrid_line`."""
    source_def = _line(lines, def_line)
    indent = source_def[: len(source_def) - len(source_def.lstrip())]
    removed: list[str] = []
    if hybrid_line is not None:
        removed = [_line(lines, hybrid_line).strip() or "@tf.function"]
    added = [f"{indent}{decorator}"] if decorator else []
    removed = [f"{indent}{text}" for text in removed]
    return PatchView(
        decorator, applicability, removed, added, source_def or f"def … (line {def_line})"
    )


def hybrid_decorator_line(lines: list[str] | None, def_line: int) -> int | None:
    """The line of the `tf.function` decorator just above `def_line`, if the file shows one."""
    if lines is None:
        return None
    number = def_line - 1
    while number >= 1 and lines[number - 1].lstrip().startswith(("@", "#")):
        text = lines[number - 1]
        if text.lstrip().startswith("@") and "function" in text:
            return number
        number -= 1
    return None


def _line(lines: list[str] | None, number: int) -> str:
    if lines is None or not 1 <= number <= len(lines):
        return ""
    return lines[number - 1]
