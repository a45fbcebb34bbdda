"""One shard's run folder as the merge reads it: its run record, results, proof and store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.errors import DataError, NoSourceError
from tracehybrid.measure.proof import read_proof_document
from tracehybrid.workspace import STAGE_PREFIX, RunDir

#: The output folder's default name: a shard argument may name the project folder around it.
DEFAULT_OUTPUT = ".tracehybrid"

FunctionKey = tuple[str, str, int]  # (path relative to the project, qualname, def line)


@dataclass(frozen=True)
class ShardRun:
    """A complete `tracehybrid run` of one shard: what the merge needs of its folder."""

    index: int  # 1-based, in the order the shards were given
    run_dir: RunDir
    record: dict[str, Any]  # run.json
    results: dict[str, Any]  # results.json
    proof: dict[str, Any] | None  # proof.json; None when it proved nothing (or ran --no-graph)

    @property
    def label(self) -> str:
        """How messages name it: `shard 2 (ci/shard-2/.tracehybrid)`."""
        return f"shard {self.index} ({self.run_dir.path})"

    @property
    def root(self) -> str:
        """The absolute project root the shard ran in (its stores and proof name files in it)."""
        return str(self.results["project_root"])

    @property
    def command(self) -> list[str]:
        return [str(part) for part in self.record["test_command"]]

    def functions(self) -> dict[FunctionKey, dict[str, Any]]:
        """Its results.json function entries by (path, qualname, line)."""
        return {
            (str(f["path"]), str(f["qualname"]), int(f["line"])): f
            for f in self.results.get("functions", [])
        }


def read_shards(paths: list[Path]) -> list[ShardRun]:
    """Each PATH's complete run, in order; one line naming the first that is missing or failed."""
    return [read_shard(path, index) for index, path in enumerate(paths, start=1)]


def shard_folder(path: Path) -> RunDir:
    """PATH itself when it holds a run, else its `.tracehybrid` folder when that does."""
    nested = path / DEFAULT_OUTPUT
    if not RunDir(path).run_record.exists() and nested.is_dir():
        return RunDir(nested)
    return RunDir(path)


def read_shard(path: Path, index: int) -> ShardRun:
    """The run in PATH; NoSourceError when there is no such folder, DataError when the shard's
    run did not complete (failed, interrupted, or another kind of folder)."""
    if not path.is_dir():
        raise NoSourceError(f"shard {index}: {path}: no such folder (was its artifact uploaded?)")
    run_dir = shard_folder(path).resolved()
    where = f"shard {index} ({path})"
    missing = [p.name for p in (run_dir.run_record, run_dir.results, run_dir.combined_store)]
    missing = [name for name in missing if not (run_dir.path / name).is_file()]
    if missing:
        raise DataError(
            f"{where} holds no complete run ({', '.join(missing)} missing): {_why(run_dir)}"
        )
    record = _read_json(run_dir.run_record, where)
    results = _read_json(run_dir.results, where)
    proof = None
    if run_dir.proof.is_file():
        try:
            proof = read_proof_document(run_dir.proof)
        except (OSError, ValueError) as exc:
            raise DataError(f"{where}: unreadable proof.json ({exc})") from exc
    return ShardRun(index, run_dir, record, results, proof)


def _why(run_dir: RunDir) -> str:
    stages = (
        [p.name for p in run_dir.path.glob(f"{STAGE_PREFIX}*")] if run_dir.path.is_dir() else []
    )
    if stages:
        return (
            f"its `tracehybrid run` stopped before it finished ({stages[0]} left); rerun the shard"
        )
    return "its `tracehybrid run` failed or never ran; rerun the shard"


def _read_json(path: Path, where: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{where}: unreadable {path.name} ({exc})") from exc
    if not isinstance(document, dict):
        raise DataError(f"{where}: {path.name} is not a tracehybrid file")
    return document
