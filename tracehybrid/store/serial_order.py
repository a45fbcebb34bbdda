"""Order every process's replay samples as a serial run meets them: one replay after combine.

"Same facts as a serial run" means: the combined prediction of a candidate is what the predictor
answers for the samples a serial `pytest` (same collection, no -n) would record, in the order it
would first meet them. Tests run in collection order (the `collected` tables, merged across stores),
so a sample sorts by (its first test's collection rank, the order within that test). Calls outside
any test sort first (collection, imports), or last when they came after a test (session teardown).
Samples of tests no store's collection names sort after all collected ones, by store then order.

Exact when every test is deterministic and each process runs its tests in collection order (xdist
`--dist load`/`loadscope`). Identity-keyed arguments are per process: a session-scoped fixture
object is one object serially but one per xdist worker, and tf.function would cache per object.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from tracehybrid.store.writer import SQL, PredictionRow

# A replay spec as JSON (its format: tracehybrid/tracekeys/specs.py); the store only reorders it.
type ReplaySpec = list[Any]
_BEFORE, _COLLECTED, _UNCOLLECTED, _AFTER = range(4)


@dataclasses.dataclass(frozen=True)
class CandidateReplay:
    """One candidate's samples from every store, in serial-run order: what tracekeys replays."""

    candidate: int  # candidate.id in the combined store
    function: ReplaySpec  # [qualname, [[name, kind, has_default, default], ...]]
    signature: ReplaySpec | None  # a user-given input_signature, or None
    calls: list[ReplaySpec]  # [[arg specs], [[name, spec], ...]], identity tokens made unique
    stores: int  # how many stores recorded samples of it
    process_rows: list[PredictionRow]  # each process's own answer (source renamed per store)


@dataclasses.dataclass
class _Sample:
    order: tuple[int, int, int, int]  # (phase, rank, store, position)
    test: str
    call: ReplaySpec


@dataclasses.dataclass
class _Candidate:
    function: tuple[ReplaySpec, ReplaySpec | None] | None = None  # (function, input_signature)
    samples: list[_Sample] = dataclasses.field(default_factory=list)
    stores: set[int] = dataclasses.field(default_factory=set)
    rows: list[PredictionRow] = dataclasses.field(default_factory=list)  # per-process answers


class SerialSamples:
    """Collects replay data while `combine` merges stores, then writes it in serial order."""

    def __init__(self) -> None:
        self._orders: list[list[str]] = []
        self._candidates: dict[int, _Candidate] = {}
        self._tokens: dict[tuple[int, int], int] = {}
        self._pending: list[tuple[int, int, int, str, ReplaySpec]] = []  # cand store pos test call

    def add_store(
        self, src: sqlite3.Connection, store: int, source: str, cand_map: dict[int, int]
    ) -> None:
        """Read one store's collection order, replay data and per-process predictions."""
        self._orders.append([row[0] for row in src.execute(_COLLECTED_SQL)])
        for cid, function, signature in src.execute("SELECT * FROM replay_function"):
            entry = self._candidates.setdefault(cand_map[cid], _Candidate())
            if entry.function is None:
                entry.function = (json.loads(function), json.loads(signature or "null"))
        tests = _first_tests(src)
        for cid, position, sig, test, call in src.execute(_SAMPLES_SQL):
            nodeid = test if test is not None else tests.get((cid, sig), "")
            spec = _retoken_call(json.loads(call), store, self._tokens)
            self._pending.append((cand_map[cid], store, position, nodeid, spec))
        for row in src.execute("SELECT * FROM prediction"):
            name = source if row[1] == source else f"{source}:{row[1]}"
            entry = self._candidates.setdefault(cand_map[row[0]], _Candidate())
            entry.rows.append((cand_map[row[0]], name, *row[2:]))

    def write(self, dest: sqlite3.Connection) -> list[CandidateReplay]:
        """Order the samples; write them, the merged order and the per-process predictions.

        Returns what a combined prediction replays: the candidates with samples and parameters.
        """
        order = merge_orders(self._orders)
        self._place_samples({nodeid: rank for rank, nodeid in enumerate(order)})
        dest.executemany("INSERT INTO collected VALUES (?, ?)", enumerate(order))
        replays = []
        for cand, entry in sorted(self._candidates.items()):
            dest.executemany(SQL["predictions"], entry.rows)
            self._write_replay_data(dest, cand, entry)
            if entry.samples and entry.function is not None:
                function, signature = entry.function
                calls = [sample.call for sample in entry.samples]
                replays.append(
                    CandidateReplay(cand, function, signature, calls, len(entry.stores), entry.rows)
                )
        return replays

    def _place_samples(self, ranks: dict[str, int]) -> None:
        seen_test: set[tuple[int, int]] = set()  # (candidate, store) that met a real test
        for cand, store, position, nodeid, spec in sorted(self._pending, key=lambda p: p[:3]):
            if nodeid:
                seen_test.add((cand, store))
                rank = ranks.get(nodeid)
                phase, key = (_COLLECTED, rank) if rank is not None else (_UNCOLLECTED, store)
            else:
                phase, key = (_AFTER if (cand, store) in seen_test else _BEFORE), 0
            entry = self._candidates.setdefault(cand, _Candidate())
            entry.samples.append(_Sample((phase, key, store, position), nodeid, spec))
            entry.stores.add(store)
        for entry in self._candidates.values():
            entry.samples.sort(key=lambda sample: sample.order)

    def _write_replay_data(self, dest: sqlite3.Connection, cand: int, entry: _Candidate) -> None:
        if entry.function is None:
            return
        function, signature = entry.function
        sig_text = None if signature is None else json.dumps(signature)
        dest.execute(
            "INSERT INTO replay_function VALUES (?, ?, ?)", (cand, json.dumps(function), sig_text)
        )
        dest.executemany(
            "INSERT INTO replay_sample VALUES (?, ?, 0, ?, ?)",
            [(cand, i, s.test, json.dumps(s.call)) for i, s in enumerate(entry.samples)],
        )


_COLLECTED_SQL = "SELECT nodeid FROM collected ORDER BY position"
_SAMPLES_SQL = "SELECT candidate_id, position, signature, test, call FROM replay_sample"


def _first_tests(src: sqlite3.Connection) -> dict[tuple[int, int], str]:
    """(candidate, signature) -> the first test that called it eagerly (test ids run in order)."""
    nodeids = dict(src.execute("SELECT id, nodeid FROM test").fetchall())
    query = (
        "SELECT candidate_id, signature, min(test_id) FROM call_count "
        "WHERE mode = 'eager' GROUP BY candidate_id, signature"
    )
    return {(cand, sig): nodeids.get(test, "") for cand, sig, test in src.execute(query)}


def merge_orders(orders: Sequence[Sequence[str]]) -> list[str]:
    """One order consistent with every store's collection order (equal for xdist workers).

    A nodeid only one store collected (a CI shard) goes right after the nodeid it followed there.
    """
    merged: list[str] = []
    for order in orders:
        known = set(merged)
        after: dict[str | None, list[str]] = {}
        anchor: str | None = None
        for nodeid in order:
            if nodeid in known:
                anchor = nodeid
            elif nodeid not in after.get(anchor, ()):
                after.setdefault(anchor, []).append(nodeid)
        if after:
            merged = after.get(None, []) + [n for old in merged for n in (old, *after.get(old, ()))]
    return merged


def _retoken(spec: Any, store: int, tokens: dict[tuple[int, int], int]) -> Any:
    """Identity tokens are per process: renumber them so two stores never share an object."""
    kind = spec[0]
    if kind in ("object", "variable"):
        slot = 2 if kind == "object" else 4
        new = tokens.setdefault((store, spec[slot]), len(tokens) + 1)
        return [*spec[:slot], new, *spec[slot + 1 :]]

    def sub(child: Any) -> Any:
        return _retoken(child, store, tokens)

    if kind in ("list", "tuple"):
        return [kind, [sub(item) for item in spec[1]]]
    if kind == "dict":
        return [kind, spec[1], [[sub(k), sub(v)] for k, v in spec[2]]]
    if kind == "ntuple":
        return [kind, spec[1], spec[2], [sub(item) for item in spec[3]]]
    if kind == "frozen":
        return [kind, spec[1], [[name, sub(item)] for name, item in spec[2]]]
    return spec


def _retoken_call(call: ReplaySpec, store: int, tokens: dict[tuple[int, int], int]) -> ReplaySpec:
    args, kwargs = call
    return [
        [_retoken(a, store, tokens) for a in args],
        [[k, _retoken(v, store, tokens)] for k, v in kwargs],
    ]
