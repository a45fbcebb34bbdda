"""One function's view, read defensively from its results entry: every extra is optional."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid import codes
from tracehybrid.report.source import (
    PatchView,
    SourceExcerpt,
    default_span,
    excerpt,
    hybrid_decorator_line,
    patch_view,
    read_source,
)


@dataclass(frozen=True)
class CodeDoc:
    """A code's explanation as the page embeds it (from the registry, or a stub if unknown)."""

    code: str
    anchor: str
    name: str
    category: str
    summary: str
    why: str = ""
    before: str = ""
    after: str = ""
    blocking: bool = True
    known: bool = True


@dataclass(frozen=True)
class ReasonView:
    """One reason; `path` and `line` come from its `location` when that parses."""

    code: str
    category: str
    message: str
    evidence: str
    location: str | None
    path: str | None
    line: int | None
    doc: CodeDoc


@dataclass(frozen=True)
class SpeedupView:
    """Steady-state timing of one function, with the documented extras when present."""

    eager_s: float
    graph_s: float
    ratio: float
    spread: tuple[float, float] | None = None
    repeats: int | None = None
    first_call_s: float | None = None
    break_even_calls: float | None = None
    seconds_saved: float | None = None


@dataclass(frozen=True)
class TraceCounts:
    """Distinct traces the observed calls produce: plain, `reduce_retracing`, signature."""

    plain: int | None
    reduce_retracing: int | None
    signature: int | None


@dataclass(frozen=True)
class SignatureView:
    """One observed argument signature and how often it was seen."""

    args: str
    calls: int


@dataclass(frozen=True)
class EffectView:
    """An effect seen at run time: its code, where, and under which test."""

    code: str
    location: str | None
    test: str | None


@dataclass
class FunctionView:
    """Everything the report shows about one function."""

    anchor: str
    path: str
    qualname: str
    line: int
    kind: str
    refactoring: str | None
    verdict: str
    reasons: list[ReasonView]
    calls: int
    tests: list[str]
    distinct_trace_keys: int
    speedup: SpeedupView | None
    patch: PatchView | None
    excerpt: SourceExcerpt
    traces: TraceCounts | None = None
    signatures: list[SignatureView] = field(default_factory=list)
    retrace_explanations: list[str] = field(default_factory=list)
    effects: list[EffectView] = field(default_factory=list)
    graph_only: bool | None = None
    not_run_alone: list[str] = field(default_factory=list)

    @property
    def nothing_to_change(self) -> str | None:
        """`already_optimal` or `inside_graph` for a rejection that leaves nothing to change."""
        if self.verdict != "rejected":
            return None
        return codes.nothing_to_change(r.code for r in self.reasons)

    @property
    def blocked(self) -> bool:
        """Rejected for a reason that stands in the way (not one that needs no change)."""
        return self.verdict == "rejected" and self.nothing_to_change is None

    @property
    def categories(self) -> list[str]:
        """The distinct categories of its reasons, in order of first appearance."""
        return list(dict.fromkeys(r.category for r in self.reasons))


def code_doc(code: str) -> CodeDoc:
    """The registry's explanation of `code`, or a stub naming it as unknown."""
    anchor = "code-" + "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in code)
    found = codes.BY_CODE.get(code)
    if found is None:
        return CodeDoc(code, anchor, "unknown", "", "Not in this version's registry.", known=False)
    return CodeDoc(
        found.code,
        anchor,
        found.name,
        found.category,
        found.summary,
        found.why,
        found.before,
        found.after,
        found.blocking,
    )


def split_location(location: str | None) -> tuple[str | None, int | None]:
    """`"path:line"` as (path, line); paths may hold colons, so split at the last one."""
    if not location:
        return None, None
    path, sep, line = location.rpartition(":")
    if sep and path and line.isdigit() and int(line) >= 1:
        return path, int(line)
    return location, None


def function_view(
    raw: dict[str, Any], anchor: str, root: Path, hashes: dict[str, Any]
) -> FunctionView:
    """The view of one `functions[]` entry; `root` is where its source is read from."""
    path = str(raw["path"])
    line = int(raw["line"])
    runtime = as_dict(raw.get("runtime"))
    static = as_dict(raw.get("static"))
    reasons = [_reason(r) for r in raw.get("reasons") or []]
    effects = [_effect(e) for e in as_list(runtime.get("effects")) if isinstance(e, dict)]
    source = read_source(root, path)
    lines = source.lines if source else None
    marked = _marked_lines(path, reasons, effects, static)
    recorded = hashes.get(path)
    stale = bool(recorded) and source is not None and source.sha256 != recorded
    span = default_span(line, _int(static.get("first_line")), _int(static.get("end_line")))
    return FunctionView(
        anchor=anchor,
        path=path,
        qualname=str(raw["qualname"]),
        line=line,
        kind=str(raw.get("kind", "eager")),
        refactoring=raw.get("refactoring"),
        verdict=str(raw["verdict"]),
        reasons=reasons,
        calls=_int(runtime.get("calls")) or 0,
        tests=[str(t) for t in as_list(runtime.get("tests"))],
        distinct_trace_keys=_int(runtime.get("distinct_trace_keys")) or 0,
        speedup=_speedup(raw.get("speedup")),
        patch=_patch(raw, lines, static),
        excerpt=excerpt(lines, span, marked, stale=stale),
        traces=_traces(runtime.get("traces")),
        signatures=_signatures(runtime.get("signatures")),
        retrace_explanations=[str(e) for e in as_list(runtime.get("retrace_explanations"))],
        effects=effects,
        graph_only=runtime.get("graph_only")
        if isinstance(runtime.get("graph_only"), bool)
        else None,
        not_run_alone=[str(t) for t in as_list(runtime.get("not_run_alone"))],
    )


def _reason(raw: dict[str, Any]) -> ReasonView:
    location = raw.get("location")
    location = str(location) if location is not None else None
    path, line = split_location(location)
    code = str(raw["code"])
    return ReasonView(
        code=code,
        category=str(raw["category"]),
        message=str(raw["message"]),
        evidence=str(raw.get("evidence", "")),
        location=location,
        path=path,
        line=line,
        doc=code_doc(code),
    )


def _effect(raw: dict[str, Any]) -> EffectView:
    location, test = raw.get("location"), raw.get("test")
    return EffectView(
        str(raw.get("code", "")),
        None if location is None else str(location),
        None if test is None else str(test),
    )


def _marked_lines(
    path: str, reasons: list[ReasonView], effects: list[EffectView], static: dict[str, Any]
) -> set[int]:
    """Lines of this file that a reason, a runtime effect or a static finding points at."""
    points = [(r.path, r.line) for r in reasons]
    points += [split_location(e.location) for e in effects]
    for finding in as_list(static.get("findings")):
        if isinstance(finding, dict):
            points.append((str(finding.get("path", path)), _int(finding.get("line"))))
    return {line for where, line in points if where == path and line is not None}


def _speedup(raw: Any) -> SpeedupView | None:
    if not isinstance(raw, dict):
        return None
    spread = as_list(raw.get("spread"))
    return SpeedupView(
        eager_s=float(raw["eager_s_per_call"]),
        graph_s=float(raw["graph_s_per_call"]),
        ratio=float(raw["ratio"]),
        spread=(float(spread[0]), float(spread[1])) if len(spread) == 2 else None,
        repeats=_int(raw.get("repeats")),
        first_call_s=_float(raw.get("first_call_s")),
        break_even_calls=_float(raw.get("break_even_calls")),
        seconds_saved=_float(raw.get("seconds_saved")),
    )


def _patch(fn: dict[str, Any], lines: list[str] | None, static: dict[str, Any]) -> PatchView | None:
    """The patch of `fn`; an existing decorator is found in static facts, else in the source."""
    raw, line = fn.get("patch"), int(fn["line"])
    if not isinstance(raw, dict):
        return None
    hybrid_line = None
    if fn.get("kind") == "hybrid":
        hybrid = as_dict(static.get("hybrid"))
        hybrid_line = _int(hybrid.get("line")) or hybrid_decorator_line(lines, line)
    decorator = str(raw.get("decorator", ""))
    applicability = str(raw.get("applicability", ""))
    return patch_view(lines, line, decorator, applicability, hybrid_line)


def _traces(raw: Any) -> TraceCounts | None:
    if not isinstance(raw, dict):
        return None
    counts = TraceCounts(
        _int(raw.get("plain")), _int(raw.get("reduce_retracing")), _int(raw.get("signature"))
    )
    return None if counts == TraceCounts(None, None, None) else counts


def _signatures(raw: Any) -> list[SignatureView]:
    return [
        SignatureView(str(item.get("args", "")), _int(item.get("calls")) or 0)
        for item in as_list(raw)
        if isinstance(item, dict)
    ]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: extras are never trusted."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
