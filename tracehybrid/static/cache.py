"""Per-module summaries cached in one SQLite file, keyed by content hash and analyzer version."""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from tracehybrid.static.summary import ANALYZER_VERSION, ModuleSummary

SCHEMA = "CREATE TABLE IF NOT EXISTS summary (key TEXT PRIMARY KEY, data BLOB NOT NULL)"
BATCH = 500


def cache_key(content: bytes, relpath: str, module: str, is_package: bool, local: str = "") -> str:
    """Changes whenever the file, its place in the project, or the analyzer changes.

    `local` is the module's `LocalImports.key()`: its neighbours decide what its imports name.
    """
    digest = hashlib.blake2b(content, digest_size=20)
    place = f"\0{relpath}\0{module}\0{is_package}\0{local}\0{ANALYZER_VERSION}"
    digest.update(place.encode())
    return digest.hexdigest()


def user_cache_dir(root: Path) -> Path:
    """Where a project's cache goes when its own output folder cannot be written (a read-only
    checkout): one folder per project root under the user's cache directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return Path(base) / "tracehybrid" / f"{root.resolve().name}-{digest}"


# The cache's folder in the output folder (workspace.RunDir refers to this name) and its file there.
CACHE_FOLDER_NAME = "cache"
CACHE_FILE_NAME = "static.sqlite"


def open_cache(preferred: Path, root: Path) -> SummaryCache | None:
    """The cache in `preferred`, else in `user_cache_dir(root)`, else None: analysis goes on
    without one. Each is tried by opening it for writing, which is what decides, root or not."""
    for folder in (preferred, user_cache_dir(root)):
        try:
            return SummaryCache(folder)
        except (OSError, sqlite3.Error):
            continue
    return None


class SummaryCache:
    """A key -> pickled ModuleSummary store; a damaged file is replaced, never fatal.

    Raises OSError or sqlite3.Error when `folder` cannot hold a writable cache.
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE_NAME
        try:
            self.db = self._open()
        except sqlite3.OperationalError:
            raise  # cannot open or write: the caller looks elsewhere, the file is left alone
        except sqlite3.DatabaseError:  # not a database (damaged): start again
            self.path.unlink(missing_ok=True)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
            db.execute("BEGIN IMMEDIATE")  # takes the write lock: a read-only file fails here
            db.rollback()
        except sqlite3.Error:
            db.close()
            raise
        return db

    def get_many(self, keys: Iterable[str]) -> dict[str, ModuleSummary]:
        wanted = list(keys)
        found: dict[str, ModuleSummary] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT key, data FROM summary WHERE key IN ({marks})", chunk)
            for key, data in rows:
                try:
                    found[key] = pickle.loads(data)
                except (pickle.UnpicklingError, AttributeError, EOFError, TypeError):
                    continue  # written by another version: analyse again
        return found

    def put_many(self, items: Iterable[tuple[str, ModuleSummary]]) -> None:
        rows = [(key, pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL)) for key, s in items]
        try:
            with self.db:
                sql = "INSERT OR REPLACE INTO summary (key, data) VALUES (?, ?)"
                self.db.executemany(sql, rows)
        except sqlite3.OperationalError:
            pass  # the disk filled up or went read-only mid-run: the cache only saves time

    def close(self) -> None:
        self.db.close()
