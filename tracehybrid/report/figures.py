"""The two figures of a measured function in words: per call, and over these tests with tracing."""

from __future__ import annotations

from tracehybrid.contract import Speedup, TraceCounts
from tracehybrid.report.functions import FunctionView

#: Tracing under this share of the steady saving leaves the two figures telling the same story.
GAP_SHARE = 0.1


def steady_saved_text(fn: FunctionView) -> str:
    """Seconds saved over as many calls in steady state (tracing left out), or an em dash."""
    steady = fn.speedup.seconds_saved_steady if fn.speedup else None
    return "—" if steady is None else f"{steady:.3f} s"


def tracing_text(fn: FunctionView) -> str | None:
    """`4.800 s (96 traces)`: what the counted traces cost the tests; None when not known."""
    s = fn.speedup
    if s is None or s.tracing_s is None or not s.traces_counted:
        return None
    traces = "trace" if s.traces_counted == 1 else "traces"
    return f"{s.tracing_s:.3f} s ({s.traces_counted} {traces})"


def traces_text(traces: TraceCounts | None) -> str | None:
    """What the graph run counted, set-up told apart from retracing; None when nothing counted."""
    if traces is None or traces.observed is None:
        return None
    instances, busiest = traces.instances or 0, traces.max_per_instance or 0
    if traces.setup_only:
        return (
            f"{traces.observed} in {instances} objects, each traced once: set-up per object, "
            "not retracing"
        )
    if instances > 1:
        return f"{traces.observed} in {instances} objects, at most {busiest} in one object"
    return f"{traces.observed} in one cache"


def gap_line(fn: FunctionView) -> str | None:
    """One line on why the tests' figure and the per-call figure disagree; None when they agree.

    They disagree when the counted traces cost a noticeable share of what the calls save: the
    tests build new objects that each trace (set-up), retrace, or call the function too few times
    to pay a trace back. A long-lived object pays its traces once, so the per-call figure holds.
    """
    s = fn.speedup
    if s is None:
        return None
    tracing, saved, steady = s.tracing_s, s.seconds_saved, s.seconds_saved_steady
    if tracing is None or saved is None or steady is None or not _gap(tracing, saved, steady):
        return None
    more = "more" if saved < 0 else "less"
    head = f"{_why(fn, s)}: {tracing:.3f} s of tracing, so {abs(saved):.3f} s {more} for the tests"
    if s.break_even_calls is not None:
        return (
            f"{head}; an object reused in a loop gains {s.ratio:.2f}x per call after "
            f"{s.break_even_calls:,.0f} calls"
        )
    return head


def _gap(tracing: float, saved: float, steady: float) -> bool:
    flipped = (steady > 0) != (saved > 0)
    return flipped or tracing > GAP_SHARE * abs(steady)


def _why(fn: FunctionView, s: Speedup) -> str:
    traces = fn.traces
    if traces is not None and traces.setup_only:
        return f"the tests build {traces.instances} objects and each traces once"
    if traces is not None and traces.max_per_instance and traces.max_per_instance > 1:
        return f"it retraces: up to {traces.max_per_instance} traces in one object"
    return f"{fn.calls} calls under the tests for {s.traces_counted} trace(s)"
