"""Merge per-process stores (xdist workers, subprocesses, CI shards) into one combined store."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from tracehybrid import __version__
from tracehybrid.errors import DataError
from tracehybrid.store.reader import open_store, read_meta
from tracehybrid.store.schema import PROCESS_STORE_PREFIX, SCHEMA_VERSION
from tracehybrid.store.serial_order import CandidateReplay, SerialSamples
from tracehybrid.store.writer import SQL, connect, remove_store


def process_stores(out_dir: Path) -> list[Path]:
    """Every per-process (or shard) store in a directory: files named `.tracehybrid.*`."""
    if not out_dir.is_dir():
        return []
    found = [
        p
        for p in out_dir.iterdir()
        if p.name.startswith(PROCESS_STORE_PREFIX) and not p.name.endswith(("-wal", "-shm"))
    ]
    return sorted(found)


class _Merger:
    """Copies rows from one source connection into the destination, re-mapping local ids."""

    def __init__(self, dest: sqlite3.Connection) -> None:
        self.dest = dest
        self.samples = SerialSamples()
        self.stores = 0
        self.candidates: dict[tuple[str, str, int], int] = {}
        self.tests: dict[str, int] = {"": 0}
        dest.execute("INSERT OR IGNORE INTO test VALUES (0, '', NULL)")  # calls outside tests
        self.signatures: dict[tuple[int, str], int] = {}
        self.next_ordinal: dict[int, int] = {}

    def merge(self, src: sqlite3.Connection, source_name: str) -> None:
        cand_map = self._merge_candidates(src)
        test_map = self._merge_tests(src)
        sig_map = self._merge_signatures(src, cand_map)
        self._merge_counts(src, cand_map, test_map, sig_map)
        self._merge_effects(src, cand_map, test_map)
        self.stores += 1
        self.samples.add_store(src, self.stores, source_name, cand_map)

    def finish(self) -> list[CandidateReplay]:
        """Write the replay samples in serial order; return what a combined prediction replays."""
        return self.samples.write(self.dest)

    def _merge_candidates(self, src: sqlite3.Connection) -> dict[int, int]:
        mapping = {}
        for cid, path, qualname, line, first, kind, overflow in src.execute(
            "SELECT * FROM candidate"
        ):
            new = self.candidates.get((path, qualname, first))
            if new is None:
                new = self.candidates[(path, qualname, first)] = len(self.candidates) + 1
                self.dest.execute(
                    "INSERT INTO candidate VALUES (?, ?, ?, ?, ?, ?, 0)",
                    (new, path, qualname, line, first, kind),
                )
            self.dest.execute(
                "UPDATE candidate SET overflow_calls = overflow_calls + ? WHERE id = ?",
                (overflow, new),
            )
            mapping[cid] = new
        return mapping

    def _merge_tests(self, src: sqlite3.Connection) -> dict[int, int]:
        mapping = {0: 0}
        for tid, nodeid, outcome in src.execute("SELECT id, nodeid, outcome FROM test"):
            new = self.tests.get(nodeid)
            if new is None:
                new = self.tests[nodeid] = len(self.tests)
                self.dest.execute("INSERT INTO test VALUES (?, ?, ?)", (new, nodeid, outcome))
            elif outcome is not None:
                self.dest.execute("UPDATE test SET outcome = ? WHERE id = ?", (outcome, new))
            mapping[tid] = new
        return mapping

    def _merge_signatures(
        self, src: sqlite3.Connection, cand_map: dict[int, int]
    ) -> dict[tuple[int, int], int]:
        mapping = {}
        query = "SELECT candidate_id, ordinal, description FROM signature ORDER BY ordinal"
        for cid, ordinal, description in src.execute(query):
            cand = cand_map[cid]
            new = 0 if ordinal == 0 else self.signatures.get((cand, description))
            if new is None:
                new = self.next_ordinal[cand] = self.next_ordinal.get(cand, 0) + 1
                self.signatures[(cand, description)] = new
            self.dest.execute(
                "INSERT OR IGNORE INTO signature VALUES (?, ?, ?)", (cand, new, description)
            )
            mapping[(cid, ordinal)] = new
        return mapping

    def _merge_counts(
        self,
        src: sqlite3.Connection,
        cand_map: dict[int, int],
        test_map: dict[int, int],
        sig_map: dict[tuple[int, int], int],
    ) -> None:
        counts = [
            (cand_map[c], sig_map.get((c, s), 0), test_map[t], *rest)
            for c, s, t, *rest in src.execute("SELECT * FROM call_count")
        ]
        self.dest.executemany(SQL["counts"], counts)
        records = [
            (cand_map[c], sig_map.get((c, s), 0), test_map[t], *rest)
            for c, s, t, *rest in src.execute("SELECT * FROM call_record")
        ]
        self.dest.executemany(SQL["records"], records)

    def _merge_effects(
        self, src: sqlite3.Connection, cand_map: dict[int, int], test_map: dict[int, int]
    ) -> None:
        rows = [
            (cand_map[c], kind, cat, path, line, test_map[t], detail, n)
            for c, kind, cat, path, line, t, detail, n in src.execute("SELECT * FROM effect")
        ]
        self.dest.executemany(SQL["effects"], rows)


def merge_stores(sources: list[Path], dest: Path) -> list[CandidateReplay]:
    """Merge `sources` into a fresh store at `dest` (written beside it, then renamed atomically).

    Each process's predictions are copied (source: its file name); the replay samples of all of
    them are written in serial-run order and returned, for tracekeys to predict once over them.
    """
    if not sources:
        raise DataError(f"{dest.parent}: no trace stores to combine")
    partial = dest.with_name(dest.name + f".partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    conn = connect(partial)
    merger = _Merger(conn)
    argvs = []
    try:
        conn.execute("BEGIN")
        for source in sources:
            with open_store(source) as src:
                merger.merge(src, source.name)
                argvs.append(read_meta(src).get("argv", "[]"))
        replays = merger.finish()
        meta = {
            "tool_version": __version__,
            "schema_version": str(SCHEMA_VERSION),
            "sources": json.dumps([s.name for s in sources]),
            "argv": argvs[0] if argvs else "[]",
            "combined": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    partial.replace(dest)
    remove_store(partial)  # its -wal and -shm files, if SQLite left them
    return replays
