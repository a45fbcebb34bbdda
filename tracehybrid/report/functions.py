"""One function's view: its contract record with the code docs, source excerpt and patch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid import codes
from tracehybrid.contract import (
    EffectRecord,
    FunctionResult,
    PatchRecord,
    ReasonRecord,
    SignatureRecord,
    Speedup,
    TraceCounts,
)
from tracehybrid.contract.records import ShardCalls
from tracehybrid.report.source import (
    PatchView,
    SourceExcerpt,
    default_span,
    excerpt,
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
    speedup: Speedup | None
    patch: PatchView | None
    excerpt: SourceExcerpt
    traces: TraceCounts | None = None
    signatures: list[SignatureRecord] = field(default_factory=list)
    retrace_explanations: list[str] = field(default_factory=list)
    effects: list[EffectRecord] = field(default_factory=list)
    graph_only: bool | None = None
    not_run_alone: list[str] = field(default_factory=list)
    output_notes: list[str] = field(default_factory=list)
    shards: ShardCalls | None = None  # merged CI shards: who called and who proved it

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
    fn: FunctionResult, anchor: str, root: Path, hashes: dict[str, str]
) -> FunctionView:
    """The view of one `functions[]` entry; `root` is where its source is read from."""
    runtime = fn.runtime
    reasons = [_reason(r) for r in fn.reasons]
    source = read_source(root, fn.path)
    lines = source.lines if source else None
    marked = _marked_lines(fn.path, reasons, runtime.effects, fn.static)
    recorded = hashes.get(fn.path)
    stale = bool(recorded) and source is not None and source.sha256 != recorded
    first, end = _int(fn.static.get("first_line")), _int(fn.static.get("end_line"))
    return FunctionView(
        anchor=anchor,
        path=fn.path,
        qualname=fn.qualname,
        line=fn.line,
        kind=fn.kind,
        refactoring=fn.refactoring,
        verdict=fn.verdict,
        reasons=reasons,
        calls=runtime.calls,
        tests=runtime.tests,
        distinct_trace_keys=runtime.distinct_trace_keys,
        speedup=fn.speedup,
        patch=_patch(fn.patch),
        excerpt=excerpt(lines, default_span(fn.line, first, end), marked, stale=stale),
        traces=runtime.traces,
        signatures=runtime.signatures,
        retrace_explanations=runtime.retrace_explanations,
        effects=runtime.effects,
        graph_only=runtime.graph_only,
        not_run_alone=runtime.not_run_alone,
        output_notes=runtime.output_notes,
        shards=fn.shards,
    )


def _reason(record: ReasonRecord) -> ReasonView:
    path, line = split_location(record.location)
    return ReasonView(
        code=record.code,
        category=record.category,
        message=record.message,
        evidence=record.evidence,
        location=record.location,
        path=path,
        line=line,
        doc=code_doc(record.code),
    )


def _marked_lines(
    path: str, reasons: list[ReasonView], effects: list[EffectRecord], static: dict[str, Any]
) -> set[int]:
    """Lines of this file that a reason, a runtime effect or a static finding points at."""
    points = [(r.path, r.line) for r in reasons]
    points += [split_location(e.location) for e in effects]
    findings = static.get("findings")
    for finding in findings if isinstance(findings, list) else []:
        if isinstance(finding, dict):
            points.append((str(finding.get("path", path)), _int(finding.get("line"))))
    return {line for where, line in points if where == path and line is not None}


def _patch(record: PatchRecord | None) -> PatchView | None:
    if record is None:
        return None
    return patch_view(record.decorator, record.applicability, record.diff)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
