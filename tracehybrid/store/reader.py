"""Read a trace store: a version check with a one-line error, then per-candidate facts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tracehybrid import __version__
from tracehybrid.errors import DataError
from tracehybrid.store.schema import COMBINED_SOURCE, SCHEMA_VERSION

CandidateKey = tuple[str, str, int]  # (path, qualname, first_line)


def _check_version(conn: sqlite3.Connection, path: Path) -> None:
    try:
        row = conn.execute("SELECT version FROM schema").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DataError(f"{path}: not a tracehybrid trace store ({exc})") from None
    found = row[0] if row else None
    if found != SCHEMA_VERSION:
        raise DataError(
            f"{path}: trace store schema version {found}, but tracehybrid {__version__} "
            f"reads version {SCHEMA_VERSION}; rerun `tracehybrid run` to rebuild it"
        )


def _connect_for_reading(path: Path) -> sqlite3.Connection:
    """A connection that can read `path`, also where its folder cannot be written.

    SQLite opens a WAL store by creating its `-shm` file beside it; in a read-only checkout that
    fails ("unable to open database file"), so the store is read as immutable there instead.
    """
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise DataError(f"{path}: cannot read the trace store ({exc})") from None
        return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, timeout=30)
    except sqlite3.DatabaseError:
        pass  # not a database at all: the version check says so in one line
    return conn


@contextmanager
def open_store(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a store whose schema version this tracehybrid reads; DataError otherwise."""
    if not path.is_file():
        raise DataError(f"{path}: no trace store there")
    conn = _connect_for_reading(path)
    try:
        _check_version(conn, path)
        yield conn
    finally:
        conn.close()


@dataclass
class Effect:
    """One effect location seen at run time, with the tests that saw it."""

    kind: str
    category: str
    path: str
    line: int
    detail: str
    count: int
    tests: list[str] = field(default_factory=list)


@dataclass
class CandidateFacts:
    """What the run saw of one candidate: calls by mode, tests, signatures, effects, prediction."""

    path: str
    qualname: str
    line: int
    first_line: int
    kind: str
    calls: dict[str, int] = field(default_factory=dict)  # mode -> exact count
    raised: int = 0
    total_ns: int = 0
    tests: dict[str, str | None] = field(default_factory=dict)  # nodeid -> outcome
    calls_outside_tests: int = 0  # at import, collection or in a pytest hook: no test's own
    signatures: list[str] = field(default_factory=list)
    overflow_calls: int = 0
    effects: list[Effect] = field(default_factory=list)
    predictions: list[dict[str, object]] = field(default_factory=list)

    @property
    def combined_prediction(self) -> dict[str, object] | None:
        """The one prediction `combine` made across every process, if this store is combined."""
        return next((p for p in self.predictions if p["source"] == COMBINED_SOURCE), None)

    @property
    def key(self) -> CandidateKey:
        """(path, qualname, first_line): the identity of a candidate across stores."""
        return (self.path, self.qualname, self.first_line)


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The meta table as a dict."""
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def read_facts(path: Path) -> dict[CandidateKey, CandidateFacts]:
    """Every candidate the store knows, with its runtime facts."""
    with open_store(path) as conn:
        facts = {
            cid: CandidateFacts(path, qualname, line, first, kind, overflow_calls=overflow)
            for cid, path, qualname, line, first, kind, overflow in conn.execute(
                "SELECT id, path, qualname, line, first_line, kind, overflow_calls FROM candidate"
            )
        }
        _read_calls(conn, facts)
        _read_signatures(conn, facts)
        _read_effects(conn, facts)
        _read_predictions(conn, facts)
    return {fact.key: fact for fact in facts.values()}


def _read_calls(conn: sqlite3.Connection, facts: dict[int, CandidateFacts]) -> None:
    query = (
        "SELECT c.candidate_id, c.mode, c.calls, c.raised, c.total_ns, t.nodeid, t.outcome "
        "FROM call_count c JOIN test t ON t.id = c.test_id"
    )
    for cand, mode, calls, raised, total, nodeid, outcome in conn.execute(query):
        fact = facts[cand]
        fact.calls[mode] = fact.calls.get(mode, 0) + calls
        fact.raised += raised
        fact.total_ns += total
        if nodeid:
            fact.tests[nodeid] = outcome
        else:
            fact.calls_outside_tests += calls


def _read_signatures(conn: sqlite3.Connection, facts: dict[int, CandidateFacts]) -> None:
    query = "SELECT candidate_id, description FROM signature WHERE ordinal > 0 ORDER BY ordinal"
    for cand, description in conn.execute(query):
        facts[cand].signatures.append(description)


def _read_effects(conn: sqlite3.Connection, facts: dict[int, CandidateFacts]) -> None:
    query = (
        "SELECT e.candidate_id, e.kind, e.category, e.path, e.line, e.detail, e.count, t.nodeid "
        "FROM effect e JOIN test t ON t.id = e.test_id ORDER BY e.path, e.line, e.kind"
    )
    merged: dict[tuple[int, str, str, int, str], Effect] = {}
    for cand, kind, category, path, line, detail, count, nodeid in conn.execute(query):
        effect = merged.get((cand, kind, path, line, detail))
        if effect is None:
            effect = merged[(cand, kind, path, line, detail)] = Effect(
                kind, category, path, line, detail, 0
            )
            facts[cand].effects.append(effect)
        effect.count += count
        if nodeid and nodeid not in effect.tests:
            effect.tests.append(nodeid)


def _read_predictions(conn: sqlite3.Connection, facts: dict[int, CandidateFacts]) -> None:
    query = (
        "SELECT candidate_id, source, traces_plain, traces_reduce_retracing, traces_signature, "
        "untraceable, explanations, detail FROM prediction ORDER BY source"
    )
    names = ("source", "plain", "reduce_retracing", "signature", "untraceable", "explanations")
    for cand, *values, detail in conn.execute(query):
        row: dict[str, object] = dict(zip(names, values, strict=True))
        # Both columns hold JSON lists; readers get lists, as the predictor produced them.
        row["explanations"] = _text_list(row["explanations"]) or []
        row["untraceable"] = _text_list(row["untraceable"])
        row["detail"] = json.loads(detail)  # the predictor's whole answer (unknown_reason, ...)
        facts[cand].predictions.append(row)


def _text_list(column: object) -> list[str] | None:
    """A JSON list column as a list of strings; None for NULL. A bare string (a store written
    before the column held JSON) is one item."""
    if column is None:
        return None
    try:
        value = json.loads(str(column))
    except ValueError:
        return [str(column)]
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]
