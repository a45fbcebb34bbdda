"""Write one process's trace records into its own SQLite store (WAL), one transaction per flush."""

from __future__ import annotations

import os
import socket
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from tracehybrid.store.schema import DDL, PROCESS_STORE_PREFIX, SCHEMA_VERSION

CandidateRow = tuple[
    int, str, str, int, int, str, int
]  # id path qualname line first_line kind overflow
TestRow = tuple[int, str, str | None]  # id nodeid outcome
SignatureRow = tuple[int, int, str]  # candidate ordinal description
CountRow = tuple[
    int, int, int, str, int, int, int, int, int
]  # cand sig test mode calls raised tot min max
RecordRow = tuple[int, int, int, str, int, int]  # cand sig test mode wall_ns raised
EffectRow = tuple[
    int, str, str, str, int, int, str, int
]  # cand kind category path line test detail n
PredictionRow = tuple[int, str, int | None, int | None, int | None, str | None, str, str]
ReplayFunctionRow = tuple[int, str, str | None]  # candidate function-spec signature-spec (JSON)
ReplaySampleRow = tuple[int, int, int, str | None, str]  # candidate position signature test call


@dataclass
class Batch:
    """Rows to add to a store. Counts and effects are deltas; the rest are upserts."""

    candidates: list[CandidateRow] = field(default_factory=list)
    tests: list[TestRow] = field(default_factory=list)
    signatures: list[SignatureRow] = field(default_factory=list)
    counts: list[CountRow] = field(default_factory=list)
    records: list[RecordRow] = field(default_factory=list)
    effects: list[EffectRow] = field(default_factory=list)
    predictions: list[PredictionRow] = field(default_factory=list)
    replay_functions: list[ReplayFunctionRow] = field(default_factory=list)
    replay_samples: list[ReplaySampleRow] = field(default_factory=list)
    collected: list[tuple[int, str]] = field(default_factory=list)  # position nodeid
    meta: dict[str, str] = field(default_factory=dict)


SQL = {
    "candidates": "INSERT INTO candidate VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
    "SET overflow_calls = excluded.overflow_calls",
    "tests": "INSERT INTO test VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
    "SET outcome = coalesce(excluded.outcome, outcome)",
    "signatures": "INSERT OR IGNORE INTO signature VALUES (?, ?, ?)",
    "counts": "INSERT INTO call_count VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (candidate_id, signature, test_id, mode) DO UPDATE SET "
    "calls = calls + excluded.calls, raised = raised + excluded.raised, "
    "total_ns = total_ns + excluded.total_ns, min_ns = min(min_ns, excluded.min_ns), "
    "max_ns = max(max_ns, excluded.max_ns)",
    "records": "INSERT INTO call_record VALUES (?, ?, ?, ?, ?, ?)",
    "effects": "INSERT INTO effect VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (candidate_id, kind, path, line, test_id, detail) DO UPDATE "
    "SET count = count + excluded.count",
    "predictions": "INSERT OR REPLACE INTO prediction VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "replay_functions": "INSERT OR REPLACE INTO replay_function VALUES (?, ?, ?)",
    "replay_samples": "INSERT OR REPLACE INTO replay_sample VALUES (?, ?, ?, ?, ?)",
    "collected": "INSERT OR REPLACE INTO collected VALUES (?, ?)",
}


def process_store_name() -> str:
    """`.tracehybrid.<host>.<pid>.<random>`: computed at save time, so it is right after a fork."""
    host = socket.gethostname().split(".")[0] or "host"
    return f"{PROCESS_STORE_PREFIX}{host}.{os.getpid()}.{os.urandom(3).hex()}"


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a store in WAL mode with the current schema."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(DDL)
    if conn.execute("SELECT count(*) FROM schema").fetchone()[0] == 0:
        conn.execute("INSERT INTO schema VALUES (?)", (SCHEMA_VERSION,))
    return conn


def write_batch(conn: sqlite3.Connection, batch: Batch) -> None:
    """Apply one batch atomically: a crash mid-flush leaves the previous flush intact."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name, sql in SQL.items():
            rows = getattr(batch, name)
            if rows:
                conn.executemany(sql, rows)
        if batch.meta:
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", batch.meta.items())
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def replace_predictions(path: Path, rows: dict[int, list[PredictionRow]]) -> None:
    """Make `rows` the whole prediction table of each candidate they name, in one transaction."""
    conn = connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for candidate, candidate_rows in rows.items():
            conn.execute("DELETE FROM prediction WHERE candidate_id = ?", (candidate,))
            conn.executemany(SQL["predictions"], candidate_rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def remove_store(path: Path) -> None:
    """Delete a store file with its `-wal` and `-shm` companions (each only if it exists)."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        name.unlink(missing_ok=True)


class StoreWriter:
    """The store of one process, created on the first write and named for the writing pid."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path: Path | None = None
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    def ensure_open(self) -> tuple[Path, sqlite3.Connection]:
        """The file of this process, created on first use (and again in a forked child)."""
        if self._conn is None or self.path is None or self._pid != os.getpid():
            self._conn = None  # never reuse a parent's connection in a forked child
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.path = self.out_dir / process_store_name()
            self._conn = connect(self.path)
            self._pid = os.getpid()
        return self.path, self._conn

    def write(self, batch: Batch) -> Path:
        """Write a batch in one transaction."""
        path, conn = self.ensure_open()
        write_batch(conn, batch)
        return path

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
        self._conn = None
