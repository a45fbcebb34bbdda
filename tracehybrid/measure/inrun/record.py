"""What one process of the graph run saw, written as JSON per process and merged afterwards."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid.errors import DataError
from tracehybrid.measure.inrun.solo import SoloReport
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import pool_timing_json

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_wall_clock = time.time

RECORD_FORMAT = 1  # of the per-process record files and of the merged graph.json
RECORD_PREFIX = "graph-"
MERGED_NAME = "graph.json"
MAX_LISTED = 20  # exceptions, mismatches and notes kept per target and process
MAX_STEADY_CALLS = 500  # steady-state call times kept per target and process
MAX_CRASH_CHARS = 300


@dataclass
class TargetRecord:
    """Calls, traces, failures and measurements of one target in one process."""

    target: Target
    wrap: str = "pending"  # pending (module never imported) | wrapped | not_wrapped
    wrap_error: str | None = None
    calls: int = 0
    calls_in_graph: int = 0  # calls made while an outer graph was being traced
    traces: int = 0
    traced_objects: int = 0  # graph objects (the function, or one per instance) that traced
    max_object_traces: int = 0  # the most traces one object's cache held: its retracing
    tests: Counter[str] = field(default_factory=Counter)
    graph_tests: Counter[str] = field(default_factory=Counter)  # calls while tracing, per test
    trace_calls_s: list[float] = field(default_factory=list)
    # Wall time of graph calls that did not trace, as the tests made them: the passive timing of
    # targets whose calls cannot be replayed (stateful ops), compared with the traced eager calls.
    steady_calls_s: list[float] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    not_compared: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # graphwarnings: test, message
    timings: dict[str, dict[str, Any]] = field(default_factory=dict)
    samples: Counter[str] = field(default_factory=Counter)
    compared: int = 0  # calls whose graph output matched eager within tolerance
    inexact: int = 0  # of those, how many were not bit-identical

    @property
    def identical(self) -> bool:
        """True when every output compared was bit-identical and none went uncompared."""
        return self.compared > 0 and not self.inexact and not self.not_compared

    def add(self, items: list[dict[str, Any]], item: dict[str, Any]) -> None:
        """Append ITEM unless the list is full: the first few examples are the evidence."""
        if len(items) < MAX_LISTED and item not in items:
            items.append(item)

    def to_json(self) -> dict[str, Any]:
        """The per-target object of a record file."""
        return {
            "target": self.target.to_json(),
            "mode": "eager" if self.target.dehybridize else "graph",
            "wrap": self.wrap,
            "wrap_error": self.wrap_error,
            "calls": self.calls,
            "calls_in_graph": self.calls_in_graph,
            "traces": self.traces,
            "traced_objects": self.traced_objects,
            "max_object_traces": self.max_object_traces,
            "tests": dict(self.tests),
            "graph_tests": dict(self.graph_tests),
            "trace_calls_s": [round(s, 6) for s in self.trace_calls_s[:MAX_LISTED]],
            "steady_calls_s": [round(s, 7) for s in self.steady_calls_s],
            "exceptions": self.exceptions,
            "mismatches": self.mismatches,
            "not_compared": self.not_compared,
            "warnings": self.warnings,
            "timings": self.timings,
            "compared": self.compared,
            "inexact": self.inexact,
        }


class ProcessRecord:
    """Everything one pytest process (a controller or an xdist worker) saw."""

    def __init__(self, targets: list[Target], out_dir: Path) -> None:
        self.out_dir = out_dir
        self.targets = {t.key: TargetRecord(t) for t in targets}
        self.outcomes: dict[str, str] = {}
        self.crashes: dict[str, str] = {}  # nodeid -> the failure's one-line message
        self.problems: list[str] = []
        self.measure_s = 0.0
        self.current_test = ""
        self.nested = False  # a pytest run by one of the tests: its outcomes are not ours
        self.solo: dict[str, Any] | None = None  # what the solo reruns found (solo.SoloReport)
        self.durations: defaultdict[str, float] = defaultdict(float)  # nodeid -> seconds
        # Tests in which a measurement ran a target's eager reference: its Python side effects
        # could stand in for ones the graph lost, so these tests are rerun without measuring.
        self.measured_tests: set[str] = set()
        # kind -> [reruns, seconds]: the in-process reruns by kind (measure/__init__.py)
        self.rerun_kinds: dict[str, list[float]] = {}
        self.started = _wall_clock()
        self.lock = threading.Lock()

    def problem(self, message: str) -> None:
        """A failure of tracehybrid itself: shown as a warning, never a test failure."""
        with self.lock:
            if len(self.problems) < 100:
                self.problems.append(" ".join(message.split())[:500])

    def count_reruns(self, kind: str, reruns: int, seconds: float) -> None:
        """Add RERUNS in-process reruns of KIND, which took SECONDS of wall time."""
        tally = self.rerun_kinds.setdefault(kind, [0, 0.0])
        tally[0] += reruns
        tally[1] += seconds

    def to_json(self) -> dict[str, Any]:
        """The document of one record file."""
        return {
            "format": RECORD_FORMAT,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "worker": os.environ.get("PYTEST_XDIST_WORKER"),
            "wall_s": round(_wall_clock() - self.started, 3),
            "measure_s": round(self.measure_s, 3),
            "nested": self.nested,
            "outcomes": {} if self.nested else self.outcomes,
            "crashes": {} if self.nested else self.crashes,
            "solo": None if self.nested else self.solo,
            "rerun_kinds": {
                kind: {"count": int(count), "seconds": round(seconds, 3)}
                for kind, (count, seconds) in self.rerun_kinds.items()
            },
            "problems": self.problems,
            "targets": {key: rec.to_json() for key, rec in self.targets.items()},
        }

    def write(self) -> Path:
        """Write this process's file atomically; names are unique per process."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        name = f"{RECORD_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
        path = self.out_dir / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")
        tmp.replace(path)
        return path


def crash_line(report: Any) -> str:
    """A failed test report's crash in one line: for TensorFlow's multi-line "in user code:"
    errors, the exception type and the last line (the actual error), not the frames before it."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if not report.failed or crash is None:
        return ""
    message = str(crash.message)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) > 1 and "in user code:" in lines[0]:
        kind = lines[0].partition(":")[0]
        last = lines[-1]
        message = last if last.startswith(kind) else f"{kind}: {last}"
    return " ".join(message.split())[:MAX_CRASH_CHARS]


def record_files(out_dir: Path) -> list[Path]:
    """The per-process record files in OUT_DIR."""
    return sorted(out_dir.glob(f"{RECORD_PREFIX}*.json"))


#: A failure to wrap in any process wins: some calls there ran unwrapped, so nothing is proven.
_WRAP_RANK = {"pending": 0, "wrapped": 1, "not_wrapped": 2}


def _merge_target(into: dict[str, Any], item: dict[str, Any]) -> None:
    if _WRAP_RANK[item["wrap"]] > _WRAP_RANK[into["wrap"]]:
        into["wrap"], into["wrap_error"] = item["wrap"], item["wrap_error"]
    for name in ("calls", "calls_in_graph", "traces", "traced_objects", "compared", "inexact"):
        into[name] = into.get(name, 0) + item.get(name, 0)
    # Each process has its own objects: the busiest cache of the run is the busiest of any.
    into["max_object_traces"] = max(
        into.get("max_object_traces", 0), item.get("max_object_traces", 0)
    )
    for name in ("tests", "graph_tests"):
        into[name] = dict(Counter(into.get(name, {})) + Counter(item.get(name, {})))
    for name in ("trace_calls_s", "exceptions", "mismatches", "not_compared", "warnings"):
        into.setdefault(name, []).extend(x for x in item.get(name, []) if x not in into[name])
    into.setdefault("steady_calls_s", []).extend(item.get("steady_calls_s", []))
    for signature, timing in item["timings"].items():
        into["timings"][signature] = pool_timing_json(into["timings"].get(signature), timing)


def merge_records(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One document for a whole run: outcomes by nodeid, target facts summed over processes."""
    merged: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "processes": len(documents),
        "outcomes": {},
        "crashes": {},
        "problems": [],
        "measure_s": 0.0,
        "targets": {},
        "solo": merge_solo(documents),
        "rerun_kinds": merge_rerun_kinds(documents),
    }
    for doc in documents:
        merged["outcomes"].update(doc["outcomes"])
        merged["crashes"].update(doc["crashes"])
        merged["problems"].extend(p for p in doc["problems"] if p not in merged["problems"])
        merged["measure_s"] += doc["measure_s"]
        for key, item in doc["targets"].items():
            if key in merged["targets"]:
                _merge_target(merged["targets"][key], item)
            else:
                merged["targets"][key] = json.loads(json.dumps(item))
    return merged


def merge_rerun_kinds(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The in-process reruns of all processes by kind: counts and seconds added up."""
    merged: dict[str, dict[str, Any]] = {}
    for doc in documents:
        for kind, tally in doc.get("rerun_kinds", {}).items():
            into = merged.setdefault(kind, {"count": 0, "seconds": 0.0})
            into["count"] += tally["count"]
            into["seconds"] = round(into["seconds"] + tally["seconds"], 3)
    return merged


def merge_solo(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The solo reruns of all processes. A rejection is confirmed only where every process
    that called the target rejected it too (its other tests ran without it)."""
    merged = SoloReport().to_json()
    reports = [(doc, doc.get("solo") or {}) for doc in documents]
    for _, solo in reports:
        merged["reruns"] += solo.get("reruns", 0)
        merged["seconds"] += solo.get("seconds", 0.0)
        merged["budget_s"] += solo.get("budget_s", 0.0)
        for key, tests in solo.get("skipped", {}).items():
            merged["skipped"].setdefault(key, []).extend(tests)
        for kind in ("culprits", "failures"):
            for key, tests in solo.get(kind, {}).items():
                merged[kind].setdefault(key, {}).update(tests)
        merged["order_dependent"] += solo.get("order_dependent", [])
        merged["measured"] += solo.get("measured", 0)
        merged["unmeasured"] += solo.get("unmeasured", 0)
        merged["masked"] += solo.get("masked", [])
        merged["confirmed"] = merged["confirmed"] and solo.get("confirmed", True)
    rejected = set(merged["culprits"]) | set(merged["failures"])
    for doc, solo in reports:
        for key in rejected - set(solo.get("culprits", {})) - set(solo.get("failures", {})):
            facts = doc["targets"].get(key, {})
            if facts.get("tests") or facts.get("calls_in_graph"):
                merged["confirmed"] = False
    merged["seconds"] = round(merged["seconds"], 3)
    merged["budget_s"] = round(merged["budget_s"], 3)
    return merged


def merge_dir(out_dir: Path) -> dict[str, Any]:
    """Merge every record file of OUT_DIR into `graph.json` there, and return the document."""
    documents = [_read_record(path) for path in record_files(out_dir)]
    merged = merge_records(documents)
    (out_dir / MERGED_NAME).write_text(json.dumps(merged, indent=1), encoding="utf-8")
    return merged


def _read_record(path: Path) -> dict[str, Any]:
    """A record file, checked to be this version's: a plugin from another tracehybrid install
    (an older one earlier on the test command's path) would write records it cannot merge."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != RECORD_FORMAT:
        found = document.get("format")
        raise DataError(f"{path}: record format {found!r}, expected {RECORD_FORMAT}")
    return document
