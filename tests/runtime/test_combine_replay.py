"""combine's cross-process predictions: serial order, per-process identities, honest fallbacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tracehybrid.launcher import combine_dir
from tracehybrid.store.reader import read_facts
from tracehybrid.store.schema import COMBINED_SOURCE
from tracehybrid.store.serial_order import merge_orders
from tracehybrid.store.writer import Batch, StoreWriter

MOD = "/proj/mod.py"
ORDER = ["t.py::a", "t.py::b", "t.py::c", "t.py::d"]
FUNCTION = json.dumps(["f", [["x", "POSITIONAL_OR_KEYWORD", False, None]]])


def tensor(n: int) -> list[Any]:
    return ["tensor", "float32", [n]]


def process_store(out: Path, tests: list[str], samples: list[tuple[str, Any]]) -> None:
    """One process that ran `tests` (in order) and first met each sample in the given test."""
    ids = {"": 0, **{nodeid: i for i, nodeid in enumerate(tests, start=1)}}
    batch = Batch(
        candidates=[(1, MOD, "f", 3, 3, "eager", 0)],
        tests=[(i, nodeid, "passed" if nodeid else None) for nodeid, i in ids.items()],
        collected=list(enumerate(ORDER)),
        replay_functions=[(1, FUNCTION, None)],
        predictions=[(1, "p", len(samples), len(samples), None, None, "[]", "{}")],
    )
    for position, (test, spec) in enumerate(samples):
        sig = position + 1
        batch.signatures.append((1, sig, f"x: {sig}"))
        batch.counts.append((1, sig, ids[test], "eager", 1, 0, 10, 10, 10))
        batch.replay_samples.append((1, position, sig, None, json.dumps([[spec], []])))
    writer = StoreWriter(out)
    writer.write(batch)
    writer.close()


class Recorder:
    """A replayer that records the order it was given and answers with a fixed prediction."""

    def __init__(self, unknown: str | None = None) -> None:
        self.calls: list[Any] = []
        self.unknown = unknown

    def __call__(self, function: Any, signature: Any, calls: Any) -> Any:
        from tracehybrid.tracekeys.predictor import TracePrediction

        self.calls = [spec for _, spec in calls]
        assert (function, signature) == (json.loads(FUNCTION), None)
        if self.unknown:
            return TracePrediction(None, None, None, None, None, (), (), self.unknown)
        return TracePrediction(len(calls), 1, None, None, None, ("x: why",), (), None)


def combined(out: Path, replayer: Recorder) -> list[dict[str, object]]:
    from tracehybrid.launcher import combine_files
    from tracehybrid.store.combine import process_stores

    path = combine_files(process_stores(out), out / "trace.db", replayer)
    return read_facts(path)[(MOD, "f", 3)].predictions


def test_samples_are_replayed_in_collection_order_across_processes(tmp_path: Path) -> None:
    process_store(
        tmp_path,
        ["t.py::a", "t.py::c"],
        [("", tensor(0)), ("t.py::a", tensor(1)), ("t.py::c", tensor(3))],
    )
    process_store(
        tmp_path,
        ["t.py::b", "t.py::d"],
        [("t.py::b", tensor(2)), ("t.py::d", tensor(4)), ("", tensor(5))],
    )
    recorder = Recorder()
    (row,) = combined(tmp_path, recorder)
    sizes = [call[0][0][2][0] for call in recorder.calls]
    assert sizes == [0, 1, 2, 3, 4, 5]  # "" before any test first, "" after a test last
    assert (row["source"], row["plain"], row["explanations"]) == (
        COMBINED_SOURCE,
        6,
        ["x: why"],
    )


def test_identity_tokens_never_collide_across_processes(tmp_path: Path) -> None:
    obj = ["object", "mod:Thing", 1]
    process_store(tmp_path, ["t.py::a"], [("t.py::a", obj)])
    process_store(tmp_path, ["t.py::b"], [("t.py::b", obj)])
    recorder = Recorder()
    combined(tmp_path, recorder)
    tokens = [call[0][0][2] for call in recorder.calls]
    assert len(set(tokens)) == 2


def test_one_process_keeps_its_own_answer_without_replaying(tmp_path: Path) -> None:
    process_store(tmp_path, ["t.py::a"], [("t.py::a", tensor(1)), ("t.py::a", tensor(2))])
    recorder = Recorder()
    (row,) = combined(tmp_path, recorder)
    assert recorder.calls == []
    assert (row["source"], row["plain"]) == (COMBINED_SOURCE, 2)


def test_an_unknown_replay_keeps_the_per_process_answers(tmp_path: Path) -> None:
    process_store(tmp_path, ["t.py::a"], [("t.py::a", tensor(1))])
    process_store(tmp_path, ["t.py::b"], [("t.py::b", tensor(2))])
    rows = combined(tmp_path, Recorder(unknown="unknown: no tensorflow here"))
    assert len(rows) == 3
    unknown = next(r for r in rows if r["source"] == COMBINED_SOURCE)
    assert unknown["plain"] is None
    assert isinstance(unknown["detail"], dict)
    assert unknown["detail"]["unknown_reason"] == "unknown: no tensorflow here"


def test_combine_without_tensorflow_never_crashes(tmp_path: Path) -> None:
    process_store(tmp_path, ["t.py::a"], [("t.py::a", tensor(1))])
    process_store(tmp_path, ["t.py::b"], [("t.py::b", tensor(2))])
    code = (
        "import sys; sys.modules['tensorflow'] = None\n"
        "from pathlib import Path\n"
        "from tracehybrid.launcher import combine_dir\n"
        f"combine_dir(Path({str(tmp_path)!r}))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    rows = read_facts(tmp_path / "trace.db")[(MOD, "f", 3)].predictions
    assert len(rows) == 3  # both processes' answers stay, beside the combined unknown
    unknown = next(r for r in rows if r["source"] == COMBINED_SOURCE)
    assert isinstance(unknown["detail"], dict)
    assert str(unknown["detail"]["unknown_reason"]).startswith("unknown: tensorflow")


def test_a_combined_store_can_be_combined_again(tmp_path: Path) -> None:
    shard = tmp_path / "shard"
    process_store(shard, ["t.py::a", "t.py::c"], [("t.py::a", tensor(1)), ("t.py::c", tensor(3))])
    process_store(shard, ["t.py::b"], [("t.py::b", tensor(2))])
    first = Recorder()
    combined(shard, first)
    again = tmp_path / "again"
    again.mkdir()
    (again / ".tracehybrid.shard1").write_bytes((shard / "trace.db").read_bytes())
    process_store(again, ["t.py::d"], [("t.py::d", tensor(4))])
    second = Recorder()
    combined(again, second)
    assert [call[0][0][2][0] for call in second.calls] == [1, 2, 3, 4]
    assert combine_dir(again).name == "trace.db"


def test_merge_orders_keeps_every_stores_order() -> None:
    assert merge_orders([ORDER, ORDER]) == ORDER
    assert merge_orders([["a", "c"], ["a", "b", "c", "d"]]) == ["a", "b", "c", "d"]
    assert merge_orders([["b", "d"], ["a", "b", "c"]]) == ["a", "b", "c", "d"]
    assert merge_orders([]) == []
