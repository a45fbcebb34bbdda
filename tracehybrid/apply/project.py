"""Which project `apply` writes into, and whether a results file describes that project.

`apply` rewrites the project it runs in (or `--root`), never the folder a results file names: a
results file travels (a copy of the checkout, a CI artifact, `--results` from elsewhere), and the
path recorded in it may be another checkout that nobody asked to change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tracehybrid.contract import Results
from tracehybrid.errors import DataError
from tracehybrid.sourcefile import sha256_hex


@dataclass(frozen=True)
class FileMatch:
    """How one file the results would change looks in the target project."""

    relpath: str
    state: str  # "same" (hash as recorded), "changed", "missing", or "unrecorded"


def recorded_root(results: Results) -> Path | None:
    """The `project_root` the run recorded, resolved; None when absent or not a string."""
    recorded = results.project_root
    return Path(recorded).resolve() if recorded else None


def match_files(root: Path, relpaths: Iterable[str], hashes: Mapping[str, str]) -> list[FileMatch]:
    """Each file as found under `root`, compared with the hash the run recorded for it."""
    found = []
    for rel in sorted(relpaths):
        try:
            data = (root / rel).read_bytes()
        except OSError:
            found.append(FileMatch(rel, "missing"))
            continue
        expected = hashes.get(rel)
        if expected is None:
            found.append(FileMatch(rel, "unrecorded"))
        else:
            same = sha256_hex(data) == expected.strip().lower().removeprefix("sha256:")
            found.append(FileMatch(rel, "same" if same else "changed"))
    return found


def check_results_match(
    results: Results,
    path: Path,
    root: Path,
    planned: Collection[str],
    *,
    force: bool,
) -> None:
    """Raise a one-line `DataError` when `results` (read from PATH) describe another project.

    Results recorded in `root` itself are checked file by file later (a changed file is refused).
    Results recorded elsewhere (a copy of the project, a moved checkout) are accepted when at
    least one file they would change is here with the content the run saw (with `force`: is
    here at all); otherwise they belong to another project, and nothing is written.
    """
    if not planned or recorded_root(results) == root.resolve():
        return
    matches = match_files(root, planned, results.files)
    accepted = ("same", "changed", "unrecorded") if force else ("same",)
    if any(match.state in accepted for match in matches):
        return
    first = matches[0]
    why = {"missing": "is missing", "changed": "differs", "unrecorded": "has no recorded hash"}
    raise DataError(
        f"{path} was recorded for {results.document.get('project_root')!r}, and none of the "
        f"files it would change is in {root} as the run saw it "
        f"({first.relpath} {why[first.state]}): "
        "run `tracehybrid run` in this project, or give --root"
    )
