"""The shards' proofs as one proof.json: a function proven only where every caller proved it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from tracehybrid.measure.proof import PROOF_FORMAT, TargetProof
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import Timing, combine_timings, pool_timing_json
from tracehybrid.shards.folder import FunctionKey, ShardRun
from tracehybrid.shards.stores import reroot

#: The merged status is the first of these that any shard gave: one shard's failure is final.
PRECEDENCE = ("graph_failure", "output_mismatch", "not_wrapped", "inconclusive", "proven")
LIST_FACTS = (
    "exceptions",
    "mismatches",
    "not_compared",
    "warnings",
    "trace_calls_s",
    "steady_calls_s",
)
SUMMED_FACTS = ("calls", "calls_in_graph", "traces", "traced_objects")
RUN_COUNTS = ("tests_passed", "tests_failed", "tests_skipped")


@dataclass(frozen=True)
class ShardEvidence:
    """Per function, the shards whose traced run called it and those whose graph run proved it."""

    called: dict[FunctionKey, list[int]]
    proved: dict[FunctionKey, list[int]]
    local: dict[FunctionKey, dict[int, str]]  # shard -> its own verdict, for the shards calling it


def shard_evidence(shards: list[ShardRun]) -> ShardEvidence:
    """Who called and who proved each function, from the shards' results and proofs."""
    called: dict[FunctionKey, list[int]] = {}
    proved: dict[FunctionKey, list[int]] = {}
    local: dict[FunctionKey, dict[int, str]] = {}
    for shard in shards:
        for key, entry in shard.functions().items():
            if int(entry.get("runtime", {}).get("calls", 0)) > 0:
                called.setdefault(key, []).append(shard.index)
                local.setdefault(key, {})[shard.index] = str(entry.get("verdict"))
        for key, item in proof_items(shard).items():
            if item.get("status") == "proven":
                proved.setdefault(key, []).append(shard.index)
    return ShardEvidence(called, proved, local)


def proof_items(shard: ShardRun) -> dict[FunctionKey, dict[str, Any]]:
    """The shard's proof.json targets by (path relative to its project, qualname, def line)."""
    if shard.proof is None:
        return {}
    items = {}
    for item in shard.proof.get("targets", {}).values():
        target = item["target"]
        relative = os.path.relpath(str(target["path"]), shard.root).replace(os.sep, "/")
        items[(relative, str(target["qualname"]), int(target["line"]))] = item
    return items


def merge_proofs(
    shards: list[ShardRun], root: str, evidence: ShardEvidence
) -> dict[str, Any] | None:
    """The proof.json of the merged run (None when no shard proved anything)."""
    proving = [shard for shard in shards if shard.proof is not None]
    if not proving:
        return None
    grouped: dict[FunctionKey, list[tuple[ShardRun, dict[str, Any]]]] = {}
    for shard in proving:
        for key, item in proof_items(shard).items():
            grouped.setdefault(key, []).append((shard, item))
    targets = {}
    for key, items in grouped.items():
        merged = _merge_target(
            items, root, evidence.called.get(key, []), evidence.proved.get(key, [])
        )
        targets[merged.target.key] = merged.to_json()
    return {
        "format": PROOF_FORMAT,
        "suite": _suite(
            [shard.proof for shard in proving if shard.proof is not None],
            sum(_tests(shard) for shard in shards if shard.proof is None),
        ),
        "clean": all(shard.proof.get("clean", True) for shard in proving if shard.proof),
        "flaky": sorted({t for s in proving if s.proof for t in s.proof.get("flaky", [])}),
        "unexplained": {
            k: v for s in proving if s.proof for k, v in s.proof.get("unexplained", {}).items()
        },
        "targets": targets,
        "runs": [],  # each shard's run log stays in its own proof.json
        "bisection_s": round(
            sum(float(s.proof.get("bisection_s", 0)) for s in proving if s.proof), 3
        ),
        "shards": [shard.index for shard in proving],
    }


def _merge_target(
    items: list[tuple[ShardRun, dict[str, Any]]], root: str, called: list[int], proved: list[int]
) -> TargetProof:
    present = {str(item["status"]) for _, item in items}
    status = next((s for s in PRECEDENCE if s in present), "not_called")
    lead_shard, lead = next(((sh, i) for sh, i in items if i["status"] == status), items[0])
    first = lead["target"]
    target = Target.from_json({**first, "path": reroot(str(first["path"]), lead_shard.root, root)})
    note = str(lead.get("note", ""))
    if status not in ("proven", "not_called"):
        note = f"{note}; in shard {lead_shard.index}" if note else f"in shard {lead_shard.index}"
    unproven = [index for index in called if index not in proved]
    if status == "proven" and unproven:
        status = "inconclusive"
        which = ", ".join(str(i) for i in unproven)
        note = (
            f"shard {which} called it but did not prove it as a graph; "
            "prove the merged candidates in every shard (two-stage mode, docs/ci.md)"
        )
    facts = _merged_facts([item for _, item in items])
    timing = combine_timings([Timing.from_json(t) for t in facts["timings"].values()])
    failing = [t for _, item in items for t in item.get("failing_tests", [])]
    unchecked = sorted({t for _, item in items for t in item.get("alone_unchecked", [])})
    return replace(
        TargetProof(target, status, failing, facts, timing, note), alone_unchecked=unchecked
    )


def _merged_facts(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    items = list(items)
    facts: dict[str, Any] = {key: [v for i in items for v in i.get(key, [])] for key in LIST_FACTS}
    facts.update({key: sum(int(i.get(key) or 0) for i in items) for key in SUMMED_FACTS})
    maxima = [int(i["max_object_traces"]) for i in items if i.get("max_object_traces") is not None]
    if maxima:  # one object's cache lives in one process: the busiest shard's is the figure
        facts["max_object_traces"] = max(maxima)
    else:
        facts.pop("traced_objects")
    facts["tests"] = sorted({t for i in items for t in i.get("tests", [])})
    facts["graph_tests"] = sorted({t for i in items for t in i.get("graph_tests", [])})
    facts["wrap_error"] = next((i.get("wrap_error") for i in items if i.get("wrap_error")), None)
    timings: dict[str, Any] = {}
    for item in items:  # a signature timed in two shards: its repeats pooled, as across processes
        for signature, timing in item.get("timings", {}).items():
            timings[signature] = pool_timing_json(timings.get(signature), timing)
    facts["timings"] = timings
    return facts


def _tests(shard: ShardRun) -> int:
    eager = shard.results.get("runs", {}).get("eager") or {}
    return sum(int(eager.get(key, 0)) for key in RUN_COUNTS)


def _suite(proofs: list[dict[str, Any]], tests_not_proved: int) -> dict[str, Any]:
    """The shards' graph runs as one: tests and seconds added up (each shard's machine time);
    TESTS_NOT_PROVED, those of shards without a graph run, make it no whole-suite figure."""
    graphs = [p["suite"]["graph"] for p in proofs]
    exit_code = next((int(g["exit_code"]) for g in graphs if g["exit_code"]), 0)
    graph: dict[str, Any] = {key: sum(int(g[key]) for g in graphs) for key in RUN_COUNTS}
    wall_s = round(sum(float(p["suite"]["graph_wall_s"]) for p in proofs), 3)
    graph.update({"exit_code": exit_code, "wall_s": wall_s})
    return {
        "eager": None,
        "graph": graph,
        "eager_wall_s": None,
        "graph_wall_s": wall_s,
        "graph_measure_s": round(
            sum(float(p["suite"].get("graph_measure_s", 0)) for p in proofs), 3
        ),
        "graph_solo_s": round(sum(float(p["suite"].get("graph_solo_s", 0)) for p in proofs), 3),
        "graph_tests_not_run": tests_not_proved
        + sum(int(p["suite"].get("graph_tests_not_run", 0)) for p in proofs),
        "note": "the shards' graph runs added up (each on its own machine)",
    }
