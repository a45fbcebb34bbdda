"""The report model: results.json read into plain dataclasses that every renderer formats."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid.contract import (
    PhaseTimes,
    Results,
    RunRecord,
    SuiteRecord,
    TraceCounts,
    UnreadableFile,
    check_complete,
    parse_results,
    read_results,
)
from tracehybrid.report.functions import (
    CodeDoc,
    FunctionView,
    ReasonView,
    code_doc,
    function_view,
)
from tracehybrid.report.source import ExcerptLine, PatchView, SourceExcerpt

__all__ = [
    "CodeDoc",
    "ExcerptLine",
    "FunctionView",
    "PatchView",
    "ReasonView",
    "ReportModel",
    "RunView",
    "SourceExcerpt",
    "SuiteTiming",
    "SummaryView",
    "TraceCounts",
    "UnreadableFile",
    "build_model",
    "load_results",
]


@dataclass(frozen=True)
class RunView:
    """One run of the project's tests (`runs.eager` or `runs.graph`)."""

    exit_code: int
    passed: int
    failed: int
    skipped: int
    wall_s: float


@dataclass(frozen=True)
class SuiteTiming:
    """The whole test suite, eager against graph; `ratio` is eager time over graph time."""

    eager_s: float
    graph_s: float
    ratio: float | None


@dataclass
class SummaryView:
    """The numbers at the top of every report."""

    candidates: int
    approved: int
    rejected: int
    mean_speedup: float | None
    median_speedup: float | None
    #: Rejected functions per category; a function counts once in each of its categories.
    rejected_by_category: list[tuple[str, int]]
    suite: SuiteTiming | None
    #: Of `rejected`: existing tf.functions that need no change, and functions already staged
    #: inside their callers' graphs. Summaries count these apart from the real rejections.
    already_optimal: int = 0
    inside_graph: int = 0

    @property
    def blocked(self) -> int:
        """Rejections that stand in the way: `rejected` less those with nothing to change."""
        return max(0, self.rejected - self.already_optimal - self.inside_graph)


@dataclass
class ReportModel:
    """The whole report; `document` is the results file as read, for the JSON renderer."""

    source: str
    tool_version: str
    project_root: str
    test_command: list[str]
    eager_run: RunView | None
    graph_run: RunView | None
    summary: SummaryView
    functions: list[FunctionView]
    #: The explanation of every code a reason uses, in code order.
    codes: list[CodeDoc]
    document: dict[str, Any]
    #: Files the run could not parse or decode, so not analysed (the `unreadable_files` extra).
    unreadable_files: list[UnreadableFile] = field(default_factory=list)
    #: Where the run's time went (the `timings` extra); None when the results lack it.
    timings: PhaseTimes | None = None

    def reason_counts(self) -> list[tuple[CodeDoc, int]]:
        """Codes of blocked functions' reasons, commonest first (ties in code order)."""
        counted = Counter(r.code for f in self.functions if f.blocked for r in f.reasons)
        by_code = {c.code: c for c in self.codes}
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        return [(by_code[code], n) for code, n in ranked]

    def measured(self) -> list[FunctionView]:
        """Functions with a speedup measurement."""
        return [f for f in self.functions if f.speedup is not None]


def load_results(path: str | Path, *, source_root: str | Path | None = None) -> ReportModel:
    """Read a results.json; source excerpts come from `source_root`, else its `project_root`."""
    path = Path(path)
    return model_of(read_results(path), source=str(path), source_root=source_root)


def build_model(
    document: dict[str, Any], *, source: str = "<results>", source_root: str | Path | None = None
) -> ReportModel:
    """The model of an already parsed results document."""
    return model_of(parse_results(document), source=source, source_root=source_root)


def model_of(
    results: Results, *, source: str, source_root: str | Path | None = None
) -> ReportModel:
    """The model of checked results; a DataError naming SOURCE when they are incomplete."""
    check_complete(results, source)
    root = Path(source_root if source_root is not None else results.project_root)
    functions = [
        function_view(fn, f"fn-{i}", root, results.files)
        for i, fn in enumerate(results.functions, start=1)
    ]
    eager, graph = _run(results.eager_run), _run(results.graph_run)
    return ReportModel(
        source=source,
        tool_version=results.tool_version,
        project_root=results.project_root,
        test_command=results.test_command,
        eager_run=eager,
        graph_run=graph,
        summary=_summary(results.summary, functions, _suite(results.suite)),
        functions=functions,
        codes=[code_doc(c) for c in sorted({r.code for f in functions for r in f.reasons})],
        document=results.document,
        unreadable_files=results.unreadable_files,
        timings=results.timings,
    )


def _run(record: RunRecord | None) -> RunView | None:
    if record is None:
        return None
    return RunView(
        record.exit_code,
        record.tests_passed,
        record.tests_failed,
        record.tests_skipped,
        record.wall_s,
    )


def _suite(record: SuiteRecord | None) -> SuiteTiming | None:
    """The `suite` extra, or nothing: the traced run is slowed by the tracer and a measured graph
    run by its timing, so their wall times are no whole-suite figure to show (`suite-time`)."""
    if record is None:
        return None
    eager_s, graph_s, ratio = record.eager_wall_s, record.graph_wall_s, record.ratio
    return SuiteTiming(eager_s, graph_s, _ratio(eager_s, graph_s) if ratio is None else ratio)


def _ratio(eager_s: float, graph_s: float) -> float | None:
    return eager_s / graph_s if graph_s > 0 else None


def _summary(
    raw: dict[str, Any], functions: list[FunctionView], suite: SuiteTiming | None
) -> SummaryView:
    ratios = [f.speedup.ratio for f in functions if f.verdict == "approved" and f.speedup]
    by_category = Counter(category for f in functions if f.blocked for category in f.categories)
    unchanged = Counter(f.nothing_to_change for f in functions)
    return SummaryView(
        candidates=int(raw.get("candidates", len(functions))),
        approved=int(raw.get("approved", sum(f.verdict == "approved" for f in functions))),
        rejected=int(raw.get("rejected", sum(f.verdict == "rejected" for f in functions))),
        mean_speedup=_stat(raw.get("mean_speedup"), statistics.fmean, ratios),
        median_speedup=_stat(raw.get("median_speedup"), statistics.median, ratios),
        rejected_by_category=sorted(by_category.items(), key=lambda item: (-item[1], item[0])),
        suite=suite,
        already_optimal=unchanged["already_optimal"],
        inside_graph=unchanged["inside_graph"],
    )


def _stat(
    recorded: Any, stat: Callable[[Sequence[float]], float], values: list[float]
) -> float | None:
    """The recorded value; computed from `values` only when the document lacks it."""
    if isinstance(recorded, int | float):
        return float(recorded)
    return float(stat(values)) if values else None
