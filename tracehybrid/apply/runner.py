"""`apply_edits`: per file, check the hash, transform, then write atomically or show a diff."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tracehybrid.apply.edits import Edit, Failure, Skip, Success, TransformResult
from tracehybrid.apply.transform import transform_source
from tracehybrid.apply.writer import write_atomically
from tracehybrid.sourcefile import decode_source, sha256_hex

FileStatus = Literal["written", "would_change", "unchanged", "refused", "skipped", "failed"]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    path: Path
    status: FileStatus
    #: One line naming the file, for refused, skipped and failed files.
    message: str = ""
    changed: list[str] = field(default_factory=list)
    #: Edits not applied while others in the same file were.
    skipped_edits: list[str] = field(default_factory=list)
    #: Unified diff of the change (also computed when the file is written).
    diff: str = ""
    #: Edits that changed their function (written, or would be with a diff).
    fixes: int = 0


@dataclass(frozen=True)
class ApplyReport:
    """Every file's outcome, plus warnings collected rather than printed (libcst style)."""

    files: list[FileOutcome]
    warnings: list[str]

    def count(self, status: FileStatus) -> int:
        """How many files ended with `status`."""
        return sum(1 for outcome in self.files if outcome.status == status)

    @property
    def fixes(self) -> int:
        """Edits that changed their function, over the written (or would-change) files."""
        return sum(outcome.fixes for outcome in self.files)

    @property
    def diff(self) -> str:
        """All diffs, in file order."""
        return "".join(outcome.diff for outcome in self.files)

    @property
    def failed(self) -> bool:
        """True when any file failed: the CLI exits non-zero only then."""
        return self.count("failed") > 0

    def summary(self) -> str:
        """One line of counts, e.g. ``2 written, 1 unchanged, 1 refused``."""
        statuses: tuple[FileStatus, ...] = (
            "written", "would_change", "unchanged", "refused", "skipped", "failed"
        )  # fmt: skip
        parts = [f"{self.count(s)} {s.replace('_', ' ')}" for s in statuses if self.count(s)]
        return ", ".join(parts) or "no files"


def apply_edits(
    files: Mapping[Path, Sequence[Edit]],
    expected_hashes: Mapping[Path, str],
    *,
    diff_only: bool,
    force: bool,
    root: Path | None = None,
) -> ApplyReport:
    """Apply each file's edits; one file's problem never stops the others.

    Paths may be relative to `root`: they are read and written there, and messages and diff
    headers show them as given, so a diff of relative paths applies with `git apply`.
    A file whose sha256 differs from `expected_hashes` (or has none recorded) is refused unless
    `force`, or unless its edits are all in place already (a second apply after a first).
    With `diff_only` nothing is written and changes come back as diffs.
    """
    base = root if root is not None else Path()
    hashes = {(base / p).resolve(): _normal_hash(digest) for p, digest in expected_hashes.items()}
    outcomes = [
        _apply_file(
            _FileJob(path, base / path, edits, hashes.get((base / path).resolve())),
            diff_only=diff_only,
            force=force,
        )
        for path, edits in sorted(files.items())
    ]
    warnings = [o.message for o in outcomes if o.status == "skipped" and _is_warning(o.message)]
    return ApplyReport(outcomes, warnings)


def _normal_hash(digest: str) -> str:
    return digest.strip().lower().removeprefix("sha256:")


def _is_warning(message: str) -> bool:
    return "cannot parse" in message or "cannot decode" in message


@dataclass(frozen=True)
class _FileJob:
    """One file to change: `shown` in messages and diffs, `disk` where it is read and written."""

    shown: Path
    disk: Path
    edits: Sequence[Edit]
    expected: str | None  # the sha256 the run recorded


def _apply_file(job: _FileJob, *, diff_only: bool, force: bool) -> FileOutcome:
    path = job.shown
    try:
        original = job.disk.read_bytes()
    except OSError as error:
        return FileOutcome(path, "failed", f"{path}: cannot read: {error.strerror}")
    refusal = None if force else _hash_refusal(path, original, job.expected)
    try:
        text = decode_source(original)
    except (SyntaxError, UnicodeDecodeError) as error:
        if refusal is not None:
            return FileOutcome(path, "refused", refusal)
        return FileOutcome(path, "skipped", f"{path}: cannot decode: {error}")
    result = transform_source(text, job.edits)
    if refusal is not None:
        return _refused_unless_applied(path, text, result, refusal)
    if isinstance(result, Failure):
        status: FileStatus = "skipped" if result.unparsable else "failed"
        return FileOutcome(path, status, f"{path}: {result.reason}")
    if isinstance(result, Skip):
        return FileOutcome(path, "skipped", f"{path}: {result.reason}")
    return _finish(job, original, text, result, diff_only=diff_only)


def _hash_refusal(path: Path, original: bytes, expected: str | None) -> str | None:
    if expected is None:
        return f"{path}: no content hash recorded by the run; rerun it or use --force"
    if sha256_hex(original) != expected:
        return f"{path}: changed since the run (sha256 differs); rerun it or use --force"
    return None


def _refused_unless_applied(
    path: Path, text: str, result: TransformResult, refusal: str
) -> FileOutcome:
    """A file changed since the run is left alone, but is not an error when every edit is
    already in it: that is what a first `apply` leaves, and a second one must not trip on it."""
    if isinstance(result, Success) and not result.skipped and result.new_source == text:
        return FileOutcome(path, "unchanged", "every fix is already applied")
    return FileOutcome(path, "refused", refusal)


def _finish(
    job: _FileJob, original: bytes, text: str, result: Success, *, diff_only: bool
) -> FileOutcome:
    path = job.shown
    if result.new_source == text:
        return FileOutcome(path, "unchanged", skipped_edits=result.skipped)
    diff = unified_diff(path, text, result.new_source)
    if diff_only:
        return FileOutcome(
            path, "would_change", "", result.changed, result.skipped, diff, result.fixes
        )
    try:
        write_atomically(job.disk, result.new_source, original)
    except (OSError, UnicodeEncodeError) as error:
        return FileOutcome(path, "failed", f"{path}: cannot write: {error}", result.changed)
    return FileOutcome(path, "written", "", result.changed, result.skipped, diff, result.fixes)


def unified_diff(path: Path, before: str, after: str) -> str:
    """A `git diff`-style patch of one file, marking a missing final newline as diff does."""
    name = path.as_posix()
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(_terminated(lines))


def _terminated(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        if line.endswith("\n"):
            yield line
        else:
            yield line + "\n\\ No newline at end of file\n"
