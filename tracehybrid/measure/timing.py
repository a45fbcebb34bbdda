"""Steady-state timing statistics: per-call samples, median and spread, ratio, break-even calls."""

from __future__ import annotations

import functools
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tracehybrid.measure.interval import RatioInterval, Samples, ratio_interval

Clock = Callable[[], float]


@dataclass(frozen=True)
class Stats:
    """Per-call seconds over the repeats of one timed function."""

    median_s: float
    min_s: float
    max_s: float
    q1_s: float
    q3_s: float
    repeats: int

    @property
    def rel_spread(self) -> float:
        """Interquartile range relative to the median: 0.1 means the middle half lies within 10%."""
        return (self.q3_s - self.q1_s) / self.median_s if self.median_s > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """Rounded for reports; nanosecond noise is not information."""
        data: dict[str, Any] = {k: _round(v) for k, v in self.__dict__.items()}
        data["rel_spread"] = round(self.rel_spread, 4)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        """Inverse of `to_json` (the derived `rel_spread` is recomputed)."""
        median, low, high, q1, q3 = (
            float(data[n]) for n in ("median_s", "min_s", "max_s", "q1_s", "q3_s")
        )
        return cls(median, low, high, q1, q3, int(data["repeats"]))


def _round(value: float | int) -> float | int:
    return value if isinstance(value, int) else float(f"{value:.6g}")


def summarize(samples: Sequence[float]) -> Stats:
    """Median, extremes and quartiles of per-call samples (at least one)."""
    if not samples:
        raise ValueError("no samples to summarize")
    ordered = sorted(samples)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return Stats(statistics.median(ordered), ordered[0], ordered[-1], q1, q3, len(ordered))


def calls_per_repeat(one_call_s: float, min_repeat_s: float, max_calls: int) -> int:
    """How many calls one repeat needs to last `min_repeat_s` (clock resolution), capped."""
    if one_call_s <= 0:
        return max_calls
    return max(1, min(max_calls, math.ceil(min_repeat_s / one_call_s)))


def time_repeats(
    call: Callable[[], object], number: int, repeats: int, clock: Clock = time.perf_counter
) -> list[float]:
    """Per-call seconds of `repeats` repeats of `number` calls each."""
    samples = []
    for _ in range(repeats):
        start = clock()
        for _ in range(number):
            call()
        samples.append((clock() - start) / number)
    return samples


def speed_ratio(eager: Stats, graph: Stats) -> float:
    """Eager median over graph median: above 1 the graph is faster."""
    return eager.median_s / graph.median_s if graph.median_s > 0 else math.inf


def trace_cost(first_call_s: float, graph: Stats) -> float:
    """What the tracing call cost beyond an ordinary graph call (never negative)."""
    return max(0.0, first_call_s - graph.median_s)


def break_even_calls(trace_s: float, eager: Stats, graph: Stats) -> float | None:
    """Calls after which the per-call saving has paid for one trace; None when nothing is saved."""
    saving = eager.median_s - graph.median_s
    if saving <= 0:
        return None
    return trace_s / saving


@dataclass(frozen=True)
class Timing:
    """Eager against graph on one argument signature (or pooled over several), plus the first
    (tracing) call, and the timed repeats themselves for the confidence interval."""

    eager: Stats
    graph: Stats
    first_call_s: float | None  # the graph call that traced; None when the trace was not seen
    #: One entry per timed signature (and process); empty when not recorded (older proof.json).
    samples: tuple[Samples, ...] = ()

    @functools.cached_property
    def interval(self) -> RatioInterval | None:
        """The 95% bootstrap interval of `ratio`; None without samples of two repeats or more."""
        return ratio_interval(self.samples)

    @property
    def repeats(self) -> int:
        """Timed repeats over every signature; without samples, those the statistics count."""
        if self.samples:
            return sum(s.repeats for s in self.samples)
        return min(self.eager.repeats, self.graph.repeats)

    @property
    def ratio(self) -> float:
        """Steady-state speedup of the graph."""
        return speed_ratio(self.eager, self.graph)

    @property
    def trace_s(self) -> float | None:
        """Tracing cost of this signature, or None when unknown."""
        return None if self.first_call_s is None else trace_cost(self.first_call_s, self.graph)

    @property
    def break_even(self) -> float | None:
        """Calls per trace needed to recover the trace cost."""
        trace = self.trace_s
        return None if trace is None else break_even_calls(trace, self.eager, self.graph)

    def to_json(self) -> dict[str, Any]:
        """Everything a report needs, including the derived figures."""
        return {
            "eager": self.eager.to_json(),
            "graph": self.graph.to_json(),
            "ratio": _round(self.ratio) if math.isfinite(self.ratio) else None,
            "first_call_s": None if self.first_call_s is None else _round(self.first_call_s),
            "trace_s": None if self.trace_s is None else _round(self.trace_s),
            "break_even_calls": None if self.break_even is None else _round(self.break_even),
            "samples": [s.to_json() for s in self.samples],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timing:
        """Inverse of `to_json`."""
        first = data.get("first_call_s")
        return cls(
            Stats.from_json(data["eager"]),
            Stats.from_json(data["graph"]),
            None if first is None else float(first),
            tuple(Samples.from_json(s) for s in data.get("samples") or ()),
        )


def combine_timings(timings: Sequence[Timing]) -> Timing | None:
    """One figure per function: the median over its timed signatures of each statistic's median,
    with every signature's repeats pooled for the interval (`interval.pooled_ratio`)."""
    if not timings:
        return None
    eager = summarize([t.eager.median_s for t in timings])
    graph = summarize([t.graph.median_s for t in timings])
    firsts = [t.first_call_s for t in timings if t.first_call_s is not None]
    first = statistics.median(firsts) if firsts else None
    # An interval needs every signature's repeats: one without them would go unrepresented.
    pooled = tuple(s for t in timings for s in t.samples)
    complete = all(t.samples for t in timings)
    return Timing(eager, graph, first, pooled if complete else ())


def timing_of_samples(samples: Samples, first_call_s: float | None) -> Timing:
    """The timing of one signature's repeats: their medians, quartiles, and the repeats."""
    return Timing(summarize(samples.eager), summarize(samples.graph), first_call_s, (samples,))


def _timing_or_none(data: dict[str, Any]) -> Timing | None:
    try:
        return Timing.from_json(data)
    except (KeyError, TypeError, ValueError):
        return None


def pool_timing_json(kept: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Two processes' timings of one signature as one: their repeats pooled, statistics redone.

    Unpaired samples are kept as they are: only paired repeats of one signature pool cleanly.
    """
    if kept is None:
        return new
    old, other = _timing_or_none(kept), _timing_or_none(new)
    if old is None or other is None:  # a timing without statistics: keep the one that has them
        return new if old is None else kept
    if len(old.samples) != 1 or len(other.samples) != 1:
        return kept
    a, b = old.samples[0], other.samples[0]
    pooled = Samples(a.eager + b.eager, a.graph + b.graph, a.paired and b.paired)
    first = old.first_call_s if old.first_call_s is not None else other.first_call_s
    return {**kept, **timing_of_samples(pooled, first).to_json()}  # kept's extras stay
