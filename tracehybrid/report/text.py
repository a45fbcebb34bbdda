"""The terminal summary: approved functions with their speedups and the commonest rejections."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracehybrid.contract.records import ShardCalls
from tracehybrid.report.figures import gap_line, steady_saved_text
from tracehybrid.report.model import FunctionView, ReportModel
from tracehybrid.report.phase_times import timing_lines

TOP_REASONS = 5  # rejection reasons listed under the table (those needing no change left out)


def render_text(model: ReportModel, console: Console, *, quiet: bool = False) -> None:
    """Print the summary: rich tables on a terminal, plain lines otherwise, one line if quiet."""
    if quiet:
        console.print(totals_line(model), markup=False, highlight=False, soft_wrap=True)
    elif console.is_terminal:
        _render_rich(model, console)
    else:
        _render_plain(model, console)
    if model.timings is not None and not quiet:
        for line in timing_lines(model.timings):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    notes = [no_tests_note(model) or failed_tests_note(model), unreadable_note(model)]
    for note in [*notes, *([] if quiet else shard_lines(model))]:
        if note is not None:
            console.print(note, markup=False, highlight=False, soft_wrap=True)


def shards_text(shards: ShardCalls) -> str:
    """`called in shards 1, 2; proved in 1; shard 2 on its own: approved` (a merged run)."""

    def listed(indices: list[int]) -> str:
        return ", ".join(str(i) for i in indices) or "none"

    plural = "s" if len(shards.called) > 1 else ""
    text = f"called in shard{plural} {listed(shards.called)}; proved in {listed(shards.proved)}"
    for index in shards.differs:
        text += f"; shard {index} on its own: {shards.local_verdicts.get(index, '?')}"
    if shards.unproven:
        text += f"; unproven in {listed(shards.unproven)} (two-stage mode, docs/ci.md)"
    return text


def shard_lines(model: ReportModel) -> list[str]:
    """For merged CI shards: each function a shard decided otherwise than all shards together."""
    return [
        f"shard decision: {fn.qualname} {fn.path}:{fn.line} {fn.verdict} over all shards; "
        f"{shards_text(fn.shards)}"
        for fn in model.functions
        if fn.shards is not None and (fn.shards.differs or fn.shards.unproven)
    ]


def unreadable_note(model: ReportModel) -> str | None:
    """The files the run could not read: their functions are missing from the results."""
    if not model.unreadable_files:
        return None
    count = len(model.unreadable_files)
    files = "file" if count == 1 else "files"
    where = ", ".join(f"{f.location} ({f.message})" for f in model.unreadable_files)
    return f"tracehybrid: note: {count} {files} could not be read, so not analysed: {where}"


def no_tests_note(model: ReportModel) -> str | None:
    """What a run of a command without tests (`python script.py`) can and cannot establish."""
    run = model.eager_run
    if run is None or run.passed or run.failed or run.skipped:
        return None
    return (
        "tracehybrid: note: the command ran no tests (a script, not pytest): its calls, argument "
        "types and retraces are recorded, but a change is approved only when passing tests call "
        "the function and still pass with it as a graph, so nothing can be approved (TH210)"
    )


def failed_tests_note(model: ReportModel) -> str | None:
    """A reminder when the project's own tests failed: what they call cannot be proven."""
    run = model.eager_run
    if run is None or not run.failed:
        return None
    tests = "test" if run.failed == 1 else "tests"
    return (
        f"tracehybrid: note: {run.failed} {tests} failed in the traced run, as without "
        "tracehybrid; a function that only failing tests call is not proven (TH210)"
    )


def candidate_sources_text(model: ReportModel) -> str:
    """`30 from static analysis alone, 1 from runtime evidence alone, 25 from both`, or "" when
    the results lack the `summary.candidate_sources` extra."""
    summary = model.document.get("summary")
    sources = summary.get("candidate_sources") if isinstance(summary, dict) else None
    if not isinstance(sources, dict):
        return ""
    counts = [sources.get(key) for key in ("static", "runtime", "both")]
    if not all(isinstance(n, int) for n in counts):
        return ""
    static, runtime, both = counts
    return (
        f"{static} from static analysis alone, {runtime} from runtime evidence alone, "
        f"{both} from both"
    )


def totals_line(model: ReportModel) -> str:
    """One line with the counts, the suite timing and the mean and median speedup."""
    s = model.summary
    sources = candidate_sources_text(model)
    sources = f" ({sources})" if sources else ""
    counts = f"{s.candidates} candidates{sources}: {s.approved} approved, {s.blocked} rejected"
    if s.already_optimal:
        counts += f", {s.already_optimal} already optimal"
    if s.inside_graph:
        counts += f", {s.inside_graph} already inside a graph"
    parts = [counts]
    if s.suite is not None:
        ratio = f" ({s.suite.ratio:.2f}x)" if s.suite.ratio is not None else ""
        parts.append(f"suite {s.suite.eager_s:.1f} s eager, {s.suite.graph_s:.1f} s graph{ratio}")
    if s.mean_speedup is not None and s.median_speedup is not None:
        parts.append(f"speedup mean {s.mean_speedup:.2f}x, median {s.median_speedup:.2f}x")
    return "tracehybrid: " + "; ".join(parts)


def approved(model: ReportModel) -> list[FunctionView]:
    """Approved functions, fastest first; unmeasured ones last in source order."""
    chosen = [f for f in model.functions if f.verdict == "approved"]
    return sorted(chosen, key=lambda f: -(f.speedup.ratio if f.speedup else 0.0))


def speedup_text(fn: FunctionView) -> str:
    """`3.42x (3.10-3.70)`, or an em dash when not measured."""
    if fn.speedup is None:
        return "—"
    spread = fn.speedup.spread
    band = f" ({spread[0]:.2f}-{spread[1]:.2f})" if spread else ""
    return f"{fn.speedup.ratio:.2f}x{band}"


def saved_text(fn: FunctionView) -> str:
    """Seconds saved over the test run, tracing counted, or an em dash when unknown."""
    saved = fn.speedup.seconds_saved if fn.speedup else None
    return "—" if saved is None else f"{saved:.3f} s"


def _steady_words(fn: FunctionView) -> str:
    """` steady 0.096 s` where tracing was counted and the two figures differ in kind."""
    if fn.speedup is None or fn.speedup.seconds_saved_steady is None:
        return ""
    return f" steady {steady_saved_text(fn)}"


def gap_lines(model: ReportModel) -> list[str]:
    """Why an approved function's figure over the tests differs from its per-call speedup."""
    lines = [(fn, gap_line(fn)) for fn in approved(model)]
    return [f"  {fn.qualname}: {line}" for fn, line in lines if line is not None]


def _render_rich(model: ReportModel, console: Console) -> None:
    table = Table(title="tracehybrid: approved refactorings", title_justify="left")
    shown = approved(model)
    # The steady figure gets a column only where tracing was counted: otherwise it is `saved`.
    steady = any(fn.speedup and fn.speedup.seconds_saved_steady is not None for fn in shown)
    numbers = ("speedup", "saved", *(["steady"] if steady else []))
    for column in ("function", "location", "refactoring", *numbers, "patch"):
        table.add_column(column, no_wrap=column in numbers, overflow="fold")
    for fn in shown:
        patch = (fn.patch.decorator or "(remove the decorator)") if fn.patch else "—"
        # Text() everywhere: project strings must never be read as rich markup
        table.add_row(
            Text(fn.qualname, style="bold"),
            Text(f"{fn.path}:{fn.line}", style="dim"),
            Text(fn.refactoring or "—"),
            Text(speedup_text(fn), style="green"),
            Text(saved_text(fn)),
            *([Text(steady_saved_text(fn), style="dim")] if steady else []),
            Text(patch),
        )
    if table.row_count:
        console.print(table)
    for gap in gap_lines(model):
        console.print(Text(gap), soft_wrap=True)
    reasons = model.reason_counts()[:TOP_REASONS]
    if reasons:
        console.print(Text("Commonest rejection reasons", style="bold"))
        for doc, count in reasons:
            line = Text(f"  {count:>3}  ")
            line.append(doc.code, style="bold red")
            line.append(f" {doc.name}: {doc.summary}")
            console.print(line)
    console.print(Text(totals_line(model)), soft_wrap=True)


def _render_plain(model: ReportModel, console: Console) -> None:
    """Stable lines for CI logs: no colour, no box drawing, one fact per line."""
    lines = [
        f"approved {fn.qualname} {fn.path}:{fn.line} {fn.refactoring or '-'} "
        f"speedup {speedup_text(fn)} saved {saved_text(fn)}{_steady_words(fn)}"
        for fn in approved(model)
    ]
    lines += gap_lines(model)
    lines += [
        f"rejection {doc.code} {doc.name} x{count}"
        for doc, count in model.reason_counts()[:TOP_REASONS]
    ]
    lines.append(totals_line(model))
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
