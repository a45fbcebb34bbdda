"""The speed rule: a proven conversion must be faster enough, and pay its tracing back."""

from __future__ import annotations

from dataclasses import dataclass

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

    The trace cost is judged per trace against EXPECTED_CALLS_PER_TRACE, not against how
    often the test suite happened to call the function: tests call a function a few times by
    design, a training loop calls it millions of times.
    """
    if timing is None:
        return []
    eager, graph, ratio = timing.eager.median_s, timing.graph.median_s, timing.ratio
    if ratio < min_speedup:
        message = (
            f"A graph call takes {_ms(graph)} against {_ms(eager)} eagerly ({ratio:.2f}x); "
            f"the required speedup is {min_speedup:g}x."
        )
        return [_finding("no-speedup", message)]
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
