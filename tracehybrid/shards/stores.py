"""The shards' trace stores as one: each copied, moved to this checkout's paths, then combined."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tracehybrid.launcher import combine_files
from tracehybrid.shards.folder import ShardRun
from tracehybrid.store.schema import PROCESS_STORE_PREFIX
from tracehybrid.store.writer import remove_store
from tracehybrid.workspace import RunDir

#: The store columns that hold absolute source paths: a shard checked out elsewhere wrote its own.
PATH_COLUMNS = (("candidate", "path"), ("effect", "path"))


def reroot(path: str, old_root: str, new_root: str) -> str:
    """PATH under OLD_ROOT as the same file under NEW_ROOT; other paths unchanged."""
    if path == old_root or path.startswith(old_root.rstrip("/") + "/"):
        return new_root.rstrip("/") + path[len(old_root.rstrip("/")) :]
    return path


def shard_store_copy(shard: ShardRun, root: str, stage: RunDir) -> Path:
    """A copy of SHARD's trace.db in STAGE, its paths moved from the shard's root to ROOT, named
    as a process store so that it carries its own name into the merged store's sources."""
    dest = stage.path / f"{PROCESS_STORE_PREFIX}shard-{shard.index}"
    return rerooted_copy(shard.run_dir.combined_store, shard.root, root, dest)


def rerooted_copy(store: Path, old_root: str, new_root: str, dest: Path) -> Path:
    """A copy of the trace store STORE at DEST, its source paths moved from OLD_ROOT to NEW_ROOT
    (a run checked out elsewhere, on another CI machine, wrote its own)."""
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    copy = sqlite3.connect(dest)
    try:
        source.backup(copy)  # consistent even if SQLite's journal files hold part of it
        if old_root != new_root:
            old = old_root.rstrip("/")
            for table, column in PATH_COLUMNS:
                copy.execute(
                    f"UPDATE {table} SET {column} = ? || substr({column}, ?) "
                    f"WHERE {column} LIKE ? ESCAPE '\\'",
                    (new_root.rstrip("/"), len(old) + 1, _like_prefix(old) + "/%"),
                )
            copy.commit()
    finally:
        source.close()
        copy.close()
    return dest


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def merge_shard_stores(
    shards: list[ShardRun], root: str, stage: RunDir, *, keep_copies: bool = False
) -> Path:
    """Every shard's calls, effects and samples in STAGE's trace.db, its trace keys predicted
    once over the union (as one run over every test would predict them)."""
    copies = [shard_store_copy(shard, root, stage) for shard in shards]
    try:
        return combine_files(copies, stage.combined_store)
    finally:
        if not keep_copies:
            for copy in copies:
                remove_store(copy)
