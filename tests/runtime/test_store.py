"""The trace store: write, read, version errors, combine, and partial (crashed) stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tracehybrid.errors import DataError
from tracehybrid.launcher import combine_dir
from tracehybrid.store.combine import process_stores
from tracehybrid.store.describe import describe_store
from tracehybrid.store.reader import read_facts
from tracehybrid.store.schema import SCHEMA_VERSION
from tracehybrid.store.writer import Batch, StoreWriter, connect

MOD = "/proj/mod.py"


def batch(test: str, calls: int, signature: str = "x: tensor float32[2]") -> Batch:
    return Batch(
        candidates=[(1, MOD, "f", 3, 3, "eager", 0)],
        tests=[(0, "", None), (1, test, "passed")],
        signatures=[(1, 1, signature)],
        counts=[(1, 1, 1, "eager", calls, 0, 100 * calls, 90, 110)],
        records=[(1, 1, 1, "eager", 100, 0)],
        effects=[(1, "print", "side_effect", MOD, 4, 1, "print", calls)],
        predictions=[(1, "p", 1, 1, None, None, "[]", "{}")],
        meta={"argv": '["pytest"]'},
    )


def test_write_then_read_facts(tmp_path: Path) -> None:
    writer = StoreWriter(tmp_path)
    writer.write(batch("t.py::a", 2))
    path = writer.write(batch("t.py::a", 3))
    writer.close()
    assert path.name.startswith(".tracehybrid.")
    fact = read_facts(path)[(MOD, "f", 3)]
    assert fact.calls == {"eager": 5}
    assert fact.tests == {"t.py::a": "passed"}
    assert fact.signatures == ["x: tensor float32[2]"]
    assert [(e.kind, e.line, e.count, e.tests) for e in fact.effects] == [
        ("print", 4, 5, ["t.py::a"])
    ]
    assert fact.predictions[0]["plain"] == 1


def test_another_schema_version_is_a_one_line_data_error(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connect(path).execute("UPDATE schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(DataError) as caught:
        read_facts(path)
    line = caught.value.one_line()
    assert "\n" not in line
    assert str(path) in line
    assert f"version {SCHEMA_VERSION + 1}" in line
    assert f"reads version {SCHEMA_VERSION}" in line


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "junk"
    path.write_text("not sqlite", encoding="utf-8")
    with pytest.raises(DataError, match="not a tracehybrid trace store"):
        read_facts(path)


def test_combine_merges_processes_by_identity_not_local_ids(tmp_path: Path) -> None:
    runs = (("t.py::a", 2, "x: int=1"), ("t.py::b", 3, "x: int=2"), ("t.py::b", 4, "x: int=2"))
    for test, calls, signature in runs:
        writer = StoreWriter(tmp_path)  # one writer per process: each gets its own file
        writer.write(batch(test, calls, signature))
        writer.close()
    assert len(process_stores(tmp_path)) == 3
    combined = combine_dir(tmp_path)
    assert combine_dir(tmp_path) == combined  # idempotent: the inputs are kept
    fact = read_facts(combined)[(MOD, "f", 3)]
    assert fact.calls == {"eager": 9}
    assert fact.tests == {"t.py::a": "passed", "t.py::b": "passed"}
    assert sorted(fact.signatures) == ["x: int=1", "x: int=2"]  # order: by file name
    assert fact.effects[0].count == 9
    assert len(fact.predictions) == 3
    assert "candidates: 1" in describe_store(combined)


def test_combine_of_nothing_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no trace stores"):
        combine_dir(tmp_path)


def test_an_unclosed_store_is_readable_after_a_crash(tmp_path: Path) -> None:
    writer = StoreWriter(tmp_path)
    path = writer.write(batch("t.py::a", 4))  # no close(): the WAL is never checkpointed
    assert Path(f"{path}-wal").exists()
    copy = tmp_path / "copy"
    copy.mkdir()
    for suffix in ("", "-wal"):
        (copy / (path.name + suffix)).write_bytes(Path(f"{path}{suffix}").read_bytes())
    assert read_facts(copy / path.name)[(MOD, "f", 3)].calls == {"eager": 4}
    assert isinstance(writer._conn, sqlite3.Connection)
