"""The shards' proofs decided once: one shard's failure rejects everywhere, every calling shard
must have proved a function, and a signature timed in several shards pools its repeats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracehybrid.measure.interval import Samples
from tracehybrid.measure.timing import timing_of_samples
from tracehybrid.shards.folder import ShardRun
from tracehybrid.shards.proofs import merge_proofs, shard_evidence
from tracehybrid.workspace import RunDir

ROOT = "/merge/project"


def _timing(eager: float, graph: float, repeats: int) -> dict[str, Any]:
    samples = Samples((eager,) * repeats, (graph,) * repeats)
    return timing_of_samples(samples, 0.1).to_json()


def _item(root: str, status: str, **facts: Any) -> dict[str, Any]:
    target = {"path": f"{root}/pkg/m.py", "qualname": "f", "line": 3, "first_line": 3}
    return {"target": {**target, "decorator": "@tf.function"}, "status": status, **facts}


def _shard(index: int, calls: int, verdict: str, item: dict[str, Any] | None) -> ShardRun:
    root = f"/ci/shard-{index}"
    entry = {"path": "pkg/m.py", "qualname": "f", "line": 3, "verdict": verdict}
    results = {"project_root": root, "functions": [{**entry, "runtime": {"calls": calls}}]}
    graph = {"exit_code": 0, "tests_passed": 2, "tests_failed": 0, "tests_skipped": 0}
    suite = {"graph": {**graph, "wall_s": 1.0}, "graph_wall_s": 1.0}
    proof = None if item is None else {"suite": suite, "targets": {"k": item}}
    return ShardRun(index, RunDir(Path(root)), {"exit_code": 0, "wall_s": 1.0}, results, proof)


def _merged(shards: list[ShardRun]) -> dict[str, Any]:
    proof = merge_proofs(shards, ROOT, shard_evidence(shards))
    assert proof is not None
    (item,) = proof["targets"].values()
    assert item["target"]["path"] == f"{ROOT}/pkg/m.py"  # moved to the merge's checkout
    return dict(item)


def test_a_graph_failure_in_one_shard_rejects_it_everywhere() -> None:
    failing = [{"test": "tests/test_m.py::t", "crash": ""}]
    shards = [
        _shard(1, 4, "approved", _item("/ci/shard-1", "proven", calls=4)),
        _shard(2, 2, "rejected", _item("/ci/shard-2", "graph_failure", failing_tests=failing)),
    ]
    item = _merged(shards)
    assert item["status"] == "graph_failure" and item["failing_tests"] == failing
    assert "shard 2" in item["note"]


def test_a_calling_shard_that_did_not_prove_it_leaves_it_unproven() -> None:
    shards = [
        _shard(1, 4, "approved", _item("/ci/shard-1", "proven", calls=4)),
        _shard(2, 3, "rejected", None),  # called it; its own evidence did not propose it
    ]
    item = _merged(shards)
    assert item["status"] == "inconclusive" and "shard 2 called it" in item["note"]


def test_proven_in_every_calling_shard_is_proven_with_pooled_timings() -> None:
    one = _item("/ci/shard-1", "proven", calls=4, timings={"sig": _timing(2.0, 1.0, 5)})
    two = _item("/ci/shard-2", "proven", calls=2, timings={"sig": _timing(4.0, 1.0, 5)})
    shards = [_shard(1, 4, "approved", one), _shard(2, 2, "approved", two), _shard(3, 0, "-", None)]
    item = _merged(shards)
    assert item["status"] == "proven" and item["calls"] == 6
    (samples,) = item["timing"]["samples"]  # one signature, both shards' repeats in it
    assert len(samples["eager"]) == len(samples["graph"]) == 10
    assert item["speedup"]["ratio"] == 3.0  # median of 2.0 x5 and 4.0 x5 over 1.0


def test_who_called_and_who_proved() -> None:
    shards = [
        _shard(1, 4, "approved", _item("/ci/shard-1", "proven", calls=4)),
        _shard(2, 0, "rejected", None),
        _shard(3, 1, "rejected", _item("/ci/shard-3", "output_mismatch")),
    ]
    evidence = shard_evidence(shards)
    key = ("pkg/m.py", "f", 3)
    assert evidence.called[key] == [1, 3] and evidence.proved[key] == [1]
    assert evidence.local[key] == {1: "approved", 3: "rejected"}
