"""The speed rule: a proven conversion must be reliably faster enough, and pay its tracing back."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from tracehybrid import codes
from tracehybrid.config import Config
from tracehybrid.measure.timing import Timing


@dataclass(frozen=True)
class SpeedFinding:
    """A measurement-stage reason to reject; `code` is a registered code (TH303, TH304)."""

    code: str
    category: str
    message: str


def _finding(name: str, message: str) -> SpeedFinding:
    entry = codes.get(name)
    return SpeedFinding(entry.code, entry.category, message)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


def judge_speed(
    timing: Timing | None,
    # The defaults are the settings' own (config.py), never written a second time here.
    min_speedup: float = Config.min_speedup,
    expected_calls_per_trace: int = Config.expected_calls_per_trace,
) -> list[SpeedFinding]:
    """Findings for a converted function's timing; empty when it pays off (or was not timed).

    A conversion must be faster by MIN_SPEEDUP at the lower bound of the ratio's 95% interval,
    not only at its median: one lucky repeat must not approve it. The trace cost is judged per
    trace against EXPECTED_CALLS_PER_TRACE, not against how often the test suite happened to call
    the function: tests call a function a few times by design, a training loop millions of times.
    """
    if timing is None:
        return []
    slow = _not_faster(timing, min_speedup)
    if slow is not None:
        return [slow]
    eager, graph = timing.eager.median_s, timing.graph.median_s
    trace = timing.trace_s
    saving = eager - graph
    if trace is not None and saving > 0 and trace > expected_calls_per_trace * saving:
        calls = timing.break_even
        message = (
            f"A trace costs {_ms(trace)} and saves {_ms(saving)} per call: it pays back after "
            f"{calls:.0f} calls, more than the {expected_calls_per_trace} expected per trace."
        )
        return [_finding("trace-cost-not-recovered", message)]
    return []


def _not_faster(timing: Timing, min_speedup: float) -> SpeedFinding | None:
    """TH303 when the median, or the interval's lower bound, misses MIN_SPEEDUP.

    Without recorded repeats (a proof.json from before they were kept) only the median is judged.
    With repeats recorded but too few for an interval, the median alone is not trusted.
    """
    eager, graph, ratio = timing.eager.median_s, timing.graph.median_s, timing.ratio
    interval = timing.interval
    if ratio < min_speedup:
        band = "" if interval is None else f", 95% interval {interval.low:.2f}-{interval.high:.2f}x"
        message = (
            f"A graph call takes {_ms(graph)} against {_ms(eager)} eagerly ({ratio:.2f}x{band}); "
            f"the required speedup is {min_speedup:g}x."
        )
        return _finding("no-speedup", message)
    if interval is None and timing.samples:
        message = (
            f"{ratio:.2f}x from {timing.repeats} timed repeat(s), too few for a 95% interval: "
            f"not reliably faster than the required {min_speedup:g}x."
        )
        return _finding("no-speedup", message)
    if interval is not None and interval.low < min_speedup:
        message = (
            f"{ratio:.2f}x, 95% interval {interval.low:.2f}-{interval.high:.2f}x over "
            f"{interval.repeats} timed repeats: not reliably faster than the required "
            f"{min_speedup:g}x."
        )
        return _finding("no-speedup", message)
    return None


def speed_interval_fields(timing: Timing) -> dict[str, Any]:
    """results.json's `speedup` extras for the interval: `spread` (the 95% interval, as a pair),
    `ratio_low`, `ratio_high`, `repeats` (timed repeats, pooled) and `timed_signatures`."""
    interval = timing.interval
    fields: dict[str, Any] = {
        "spread": None,
        "repeats": timing.repeats,
        "timed_signatures": len(timing.samples) or None,
    }
    if interval is not None:
        low, high = round(interval.low, 4), round(interval.high, 4)
        fields.update(spread=[low, high], ratio_low=low, ratio_high=high)
    return fields


def trace_cost_s(timing: Timing, trace_calls_s: list[float]) -> float | None:
    """What one trace costs: the median of the graph run's tracing calls less a steady graph
    call (the timing's own first-call estimate when the run kept none)."""
    costs = [max(0.0, float(s) - timing.graph.median_s) for s in trace_calls_s]
    return statistics.median(costs) if costs else timing.trace_s


def suite_effect_fields(
    timing: Timing, calls: int, traces: int | None, trace_calls_s: list[float]
) -> dict[str, Any]:
    """results.json's two figures of a measured function over this test suite.

    `seconds_saved_steady`: CALLS times the steady per-call saving, tracing left out (what a
    long-lived object gains); `seconds_saved`: the same less TRACES (counted in the graph run)
    times one trace's cost, `tracing_s`. Negative: the tests get slower. Without a count of the
    traces (an older proof.json) the steady figure is all there is, and `tracing_s` is None.
    """
    steady = (timing.eager.median_s - timing.graph.median_s) * calls
    cost = trace_cost_s(timing, trace_calls_s) if traces else None
    tracing = cost * traces if cost is not None and traces else None
    if traces == 0:
        tracing = 0.0
    return {
        "seconds_saved": round(steady - (tracing or 0.0), 6),
        "seconds_saved_steady": round(steady, 6),
        "tracing_s": None if tracing is None else round(tracing, 6),
        "trace_s": None if cost is None else float(f"{cost:.6g}"),
        "traces_counted": traces,
    }
