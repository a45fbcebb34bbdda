"""Where the run's time went (the `timings` extra): lines for the terminal, a table for HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from tracehybrid.contract import PhaseTimes, SuiteRunTime

#: How each phase of `contract.timings.PHASES` reads in a report.
PHASE_LABELS = {
    "static": "static analysis",
    "traced_run": "traced run",
    "combine": "combine and predictions",
    "reconcile": "reconcile",
    "eager_run": "eager run",
    "graph_runs": "graph runs",
    "bisection_runs": "bisection runs",
    "final_run": "final run (the approved functions, nothing measured)",
    "results": "results",
    "reports": "reports",
}
#: In-process rerun kinds (measure/__init__.py) as a report names them.
RERUN_LABELS = {"culprit": "culprit search", "hidden": "hidden by culprits"}
OTHER = "other"  # the run's wall time that no phase accounts for (bookkeeping between them)
BAR_PX = 160  # width of a whole-run bar in the HTML table


@dataclass(frozen=True)
class PhaseRow:
    """One phase as a report shows it: label, seconds, share of the run, and what it held."""

    label: str
    seconds: float
    share: float
    details: list[str]


def phase_rows(timings: PhaseTimes) -> list[PhaseRow]:
    """One row per phase in run order, then `other` when the phases leave 0.05 s or more."""
    total = max(timings.wall_s, sum(timings.phases.values()))
    rows = [
        PhaseRow(PHASE_LABELS.get(name, name), s, _share(s, total), _details(name, timings))
        for name, s in timings.in_order()
    ]
    rest = total - sum(timings.phases.values())
    if rest >= 0.05:
        rows.append(PhaseRow(OTHER, rest, _share(rest, total), []))
    return rows


def _share(seconds: float, total: float) -> float:
    return seconds / total if total > 0 else 0.0


def _details(name: str, timings: PhaseTimes) -> list[str]:
    """What a graph or bisection phase held: its runs, reruns by kind, measurement."""
    purposes = {"graph_runs": "graph", "bisection_runs": "bisect", "eager_run": "eager"}
    purpose = {**purposes, "final_run": "final"}.get(name)
    runs = [run for run in timings.suite_runs if run.purpose == purpose]
    if not runs:
        return []
    details = [_runs_line(runs, "bisection run" if purpose == "bisect" else f"{purpose} run")]
    if purpose == "graph":
        reruns = timings.reruns()
        if reruns:
            kinds = ", ".join(
                f"{RERUN_LABELS.get(kind, kind)} {t.count} ({t.seconds:.1f} s)"
                for kind, t in reruns.items()
            )
            details.append(f"in-process reruns: {kinds}")
        details += _measure_line(runs)
    if purpose == "eager":
        details += _tracer_line(timings)
    return details


def _tracer_line(timings: PhaseTimes) -> list[str]:
    """The tracer's overhead: the traced run against the eager run, the same command without it."""
    traced, eager = timings.phases.get("traced_run"), timings.phases.get("eager_run")
    if not traced or not eager:
        return []
    return [f"the traced run took {traced / eager:.2f}x this run: the tracer's overhead"]


def _runs_line(runs: list[SuiteRunTime], noun: str) -> str:
    if len(runs) == 1:
        run = runs[0]
        return f"1 {noun}, {_functions(run.targets)} as graphs, {run.wall_s:.1f} s"
    each = "; ".join(f"{_functions(run.targets)} in {run.wall_s:.1f} s" for run in runs)
    return f"{len(runs)} {noun}s: {each}"


def _functions(count: int) -> str:
    return f"{count} function" if count == 1 else f"{count} functions"


def _measure_line(runs: list[SuiteRunTime]) -> list[str]:
    """Seconds in the timing wrappers; added over processes, which may run side by side."""
    seconds = sum(run.measure_s for run in runs)
    processes = max(run.processes for run in runs)
    summed = f", added up over {processes} processes" if processes > 1 else ""
    return [f"measurement: {seconds:.1f} s{summed}"] if seconds > 0 else []


def timing_lines(timings: PhaseTimes) -> list[str]:
    """The terminal's "where the time went" block: a phase a line, details indented below."""
    lines = [f"where the time went ({timings.wall_s:.1f} s in all):"]
    for row in phase_rows(timings):
        lines.append(f"  {row.label:<24}{row.seconds:>8.1f} s {row.share:>4.0%}")
        lines += [f"      {detail}" for detail in row.details]
    if "reports" not in timings.phases:
        lines.append("  (writing the reports is not counted: it comes after these numbers)")
    return lines


def timings_html(timings: PhaseTimes | None) -> str:
    """A small table of the phases with a bar each; empty when the results have no timings."""
    if timings is None:
        return ""
    rows = "".join(_html_row(row) for row in phase_rows(timings))
    note = ""
    if "reports" not in timings.phases:
        note = " (not counting this report, written after these numbers)"
    return (
        '<div class="table-wrap" style="margin-top:16px"><table><caption class="muted" '
        f'style="text-align:left;padding:8px 10px">Where the time went: '
        f"{timings.wall_s:.1f} s in all{note}</caption><thead><tr><th>phase</th>"
        "<th class=num>seconds</th><th class=num>share</th><th>share of the run</th>"
        f"<th>what it held</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _html_row(row: PhaseRow) -> str:
    width = round(BAR_PX * row.share, 1)
    bar = (
        f'<svg width="{BAR_PX}" height="10" role="img" aria-label="{row.share:.0%}">'
        f'<rect width="{BAR_PX}" height="10" fill="var(--border)"/>'
        f'<rect width="{width}" height="10" fill="var(--accent)"/></svg>'
    )
    details = "<br>".join(escape(detail) for detail in row.details)
    return (
        f"<tr><td>{escape(row.label)}</td><td class=num>{row.seconds:.1f}</td>"
        f"<td class=num>{row.share:.0%}</td><td>{bar}</td><td>{details}</td></tr>"
    )
