"""The `timings` extra of results.json: where a run's wall time went, phase by phase."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeGuard

#: The phases of `tracehybrid run`, in the order they happen; each is wall time, and they do not
#: overlap, so their sum is at most `wall_s`. A phase that did not happen is absent.
PHASES = (
    "static",  # static analysis (the cache included)
    "traced_run",  # the user's command under the tracer
    "combine",  # merging the per-process trace stores, with the trace-key predictions
    "reconcile",  # proposals: static facts against runtime evidence
    "eager_run",  # the command with the graph plugin and no target: the suite's own time
    "graph_runs",  # graph runs: every active target as a graph, their in-process reruns included
    "bisection_runs",  # bisection runs (possibly several at once): their elapsed wall time
    "final_run",  # the approved targets as graphs, whole suite, nothing measured: the suite figure
    "results",  # the verdicts and results.json, with apply's own diff of each patch
    "reports",  # report.html and results.sarif (written after the results, so added last)
)

#: In-process rerun kinds (measure/__init__.py), in the order a graph run makes them.
RERUN_KINDS = ("culprit", "control", "hidden", "solo", "confirmation", "unmeasured")


@dataclass(frozen=True)
class RerunTally:
    """Reruns of one kind: how many, and the wall seconds they took."""

    count: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class SuiteRunTime:
    """One suite run of the proof: its purpose, how many targets were graphs, its wall time,
    the in-process reruns by kind (part of `wall_s`), and the seconds spent measuring, summed
    over its `processes` (several when pytest-xdist runs workers side by side). A run that left
    out the tests calling no target has `tests_not_run` > 0: `tests_run` of the suite's tests ran
    in it, and the others count with their traced-run outcome."""

    purpose: str
    targets: int
    wall_s: float
    reruns: dict[str, RerunTally] = field(default_factory=dict)
    measure_s: float = 0.0
    processes: int = 1
    tests_run: int = 0
    tests_not_run: int = 0

    def to_json(self) -> dict[str, Any]:
        selected = {"tests_run": self.tests_run, "tests_not_run": self.tests_not_run}
        return {
            "purpose": self.purpose,
            "targets": self.targets,
            "wall_s": round(self.wall_s, 3),
            "reruns": {kind: tally.to_json() for kind, tally in self.reruns.items()},
            "measure_s": round(self.measure_s, 3),
            "processes": self.processes,
            **(selected if self.tests_not_run else {}),  # absent: the whole suite ran
        }


@dataclass
class PhaseTimes:
    """The run's phases as it goes (`phase`), its suite runs, and the JSON of both."""

    phases: dict[str, float] = field(default_factory=dict)
    suite_runs: list[SuiteRunTime] = field(default_factory=list)
    wall_s: float = 0.0
    _started: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block as phase NAME (added to what NAME already has)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        """Count SECONDS to phase NAME, and the run's wall time up to now."""
        self.phases[name] = self.phases.get(name, 0.0) + max(0.0, seconds)
        self.wall_s = time.perf_counter() - self._started

    def in_order(self) -> list[tuple[str, float]]:
        """(phase, seconds) in run order (`PHASES`); phases unknown to it last."""
        ordered = sorted(self.phases, key=lambda n: PHASES.index(n) if n in PHASES else 99)
        return [(name, self.phases[name]) for name in ordered]

    def reruns(self) -> dict[str, RerunTally]:
        """The in-process reruns of every suite run, by kind, in `RERUN_KINDS` order."""
        totals: dict[str, RerunTally] = {}
        for kind in RERUN_KINDS:
            tallies = [run.reruns[kind] for run in self.suite_runs if kind in run.reruns]
            if tallies:
                count = sum(t.count for t in tallies)
                totals[kind] = RerunTally(count, sum(t.seconds for t in tallies))
        return totals

    def measure_s(self) -> float:
        """Seconds spent in the timing wrappers' measurements, over every suite run."""
        return sum(run.measure_s for run in self.suite_runs)

    def to_json(self) -> dict[str, Any]:
        """The `timings` object of results.json (docs/results-extras.md)."""
        return {
            "wall_s": round(self.wall_s, 3),
            "phases": {name: round(seconds, 3) for name, seconds in self.in_order()},
            "suite_runs": [run.to_json() for run in self.suite_runs],
            "reruns": {kind: tally.to_json() for kind, tally in self.reruns().items()},
            "measure_s": round(self.measure_s(), 3),
        }


def read_timings(raw: Any) -> PhaseTimes | None:
    """The `timings` extra as a record; None when absent or not of the documented shape
    (a malformed extra is ignored, as every extra is)."""
    if not isinstance(raw, dict):
        return None
    phases, wall_s = raw.get("phases"), raw.get("wall_s")
    if not isinstance(phases, dict) or not _is_number(wall_s):
        return None
    if not all(isinstance(k, str) and _is_number(v) for k, v in phases.items()):
        return None
    runs = [_suite_run(item) for item in _list(raw.get("suite_runs"))]
    return PhaseTimes(
        {name: float(seconds) for name, seconds in phases.items()},
        [run for run in runs if run is not None],
        float(wall_s),
    )


def _suite_run(raw: Any) -> SuiteRunTime | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("purpose"), str):
        return None
    numbers = [raw.get(name) for name in ("targets", "wall_s", "measure_s", "processes")]
    checked = [float(n) for n in numbers if _is_number(n)]
    if len(checked) != len(numbers):
        return None
    targets, wall_s, measure_s, processes = checked
    reruns = _reruns(raw.get("reruns"))
    purpose = raw["purpose"]
    run, not_run = (raw.get(name, 0) for name in ("tests_run", "tests_not_run"))
    selected = (int(run), int(not_run)) if _is_number(run) and _is_number(not_run) else (0, 0)
    return SuiteRunTime(
        purpose, int(targets), float(wall_s), reruns, float(measure_s), int(processes), *selected
    )


def _reruns(raw: Any) -> dict[str, RerunTally]:
    """`{kind: {"count", "seconds"}}`; tallies of another shape are left out."""
    tallies = {}
    for kind, item in raw.items() if isinstance(raw, dict) else ():
        tally = item if isinstance(item, dict) else {}
        if _is_number(tally.get("count")) and _is_number(tally.get("seconds")):
            tallies[str(kind)] = RerunTally(int(tally["count"]), float(tally["seconds"]))
    return tallies


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
