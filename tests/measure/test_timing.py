"""Timing statistics and speed verdicts, driven by a fake clock."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tracehybrid.measure.timing import (
    Stats,
    Timing,
    break_even_calls,
    calls_per_repeat,
    combine_timings,
    summarize,
    time_repeats,
)
from tracehybrid.verdict.speed import judge_speed


class FakeClock:
    """A clock that only moves when a fake call spends time."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def spender(self, durations: list[float]):  # type: ignore[no-untyped-def]
        queue = list(durations)

        def call() -> None:
            self.now += queue.pop(0)

        return call


def stats(median: float) -> Stats:
    return summarize([median] * 5)


def test_time_repeats_reports_per_call_seconds() -> None:
    clock = FakeClock()
    call = clock.spender([1.0, 3.0, 2.0, 2.0, 5.0, 1.0])
    samples = time_repeats(call, number=2, repeats=3, clock=clock)
    assert samples == [2.0, 2.0, 3.0]


def test_summarize_median_quartiles_and_spread() -> None:
    result = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (result.median_s, result.min_s, result.max_s) == (3.0, 1.0, 5.0)
    assert (result.q1_s, result.q3_s) == (2.0, 4.0)
    assert result.rel_spread == pytest.approx(2 / 3)
    assert Stats.from_json(result.to_json()) == result
    single = summarize([0.5])
    assert single.q1_s == single.q3_s == 0.5 and single.rel_spread == 0
    with pytest.raises(ValueError, match="no samples"):
        summarize([])


def test_calls_per_repeat_reaches_the_clock_resolution_within_a_cap() -> None:
    assert calls_per_repeat(0.001, min_repeat_s=0.002, max_calls=100) == 2
    assert calls_per_repeat(1e-6, min_repeat_s=0.002, max_calls=100) == 100
    assert calls_per_repeat(0.5, min_repeat_s=0.002, max_calls=100) == 1
    assert calls_per_repeat(0.0, min_repeat_s=0.002, max_calls=7) == 7


def test_ratio_trace_cost_and_break_even() -> None:
    timing = Timing(stats(0.010), stats(0.002), first_call_s=0.402)
    assert timing.ratio == pytest.approx(5.0)
    assert timing.trace_s == pytest.approx(0.4)
    assert timing.break_even == pytest.approx(50.0)
    assert break_even_calls(0.4, stats(0.001), stats(0.002)) is None  # the graph is slower
    assert Timing(stats(1.0), stats(1.0), None).trace_s is None
    again = Timing.from_json(timing.to_json())
    assert again.ratio == pytest.approx(5.0) and again.first_call_s == pytest.approx(0.402)


def test_combine_takes_medians_over_signatures() -> None:
    timings = [Timing(stats(e), stats(g), f) for e, g, f in [(4, 1, 9), (6, 2, None), (8, 3, 11)]]
    combined = combine_timings(timings)
    assert combined is not None
    assert (combined.eager.median_s, combined.graph.median_s) == (6, 2)
    assert combined.first_call_s == 10
    assert combine_timings([]) is None


def test_verdicts_no_speedup_and_trace_cost_judged_per_trace() -> None:
    slow = judge_speed(Timing(stats(0.00004), stats(0.0003), 0.05))
    assert [(f.code, f.category) for f in slow] == [("TH303", "no_speedup")]
    assert "0.13x" in slow[0].message
    # 1 ms saved per call, 2 s per trace: pays back after 2000 calls, 1000 are expected.
    costly = Timing(stats(0.003), stats(0.002), 2.002)
    assert [f.code for f in judge_speed(costly, expected_calls_per_trace=1000)] == ["TH304"]
    assert "2000 calls" in judge_speed(costly, expected_calls_per_trace=1000)[0].message
    assert judge_speed(costly) == []  # the default expects 10,000 calls per trace
    assert judge_speed(costly, expected_calls_per_trace=5000) == []
    assert judge_speed(Timing(stats(0.003), stats(0.002), None)) == []  # trace not seen
    assert judge_speed(costly, min_speedup=2.0)[0].code == "TH303"
    assert judge_speed(None) == []


def test_the_package_imports_without_tensorflow() -> None:
    code = (
        "import sys, tracehybrid.measure.rounds, tracehybrid.measure.inrun.graph_plugin, "
        "tracehybrid.verdict.speed, tracehybrid.measure.inrun.compare\n"
        "assert not {'tensorflow', 'numpy'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
