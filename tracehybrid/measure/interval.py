"""The confidence interval of a speedup: a seeded bootstrap of eager/graph over timed repeats."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Two-sided confidence of the interval the speed rule reads.
LEVEL = 0.95
#: Bootstrap resamples: enough for stable 2.5% and 97.5% percentiles (25 resamples in each
#: tail), few enough that a project's few hundred timed functions cost seconds, not minutes.
RESAMPLES = 1000
#: Fixed, so that the same samples always give the same interval (reports are reproducible).
SEED = 20_13


@dataclass(frozen=True)
class Samples:
    """Per-call seconds of the timed repeats of one signature in one process.

    `paired`: repeat i of eager and repeat i of graph ran back to back on the same inputs, so a
    slow moment of the machine hits both, and the bootstrap resamples them together. The tests'
    own calls (passive timing) come from two different runs and are resampled apart.
    """

    eager: tuple[float, ...]
    graph: tuple[float, ...]
    paired: bool = True

    @property
    def repeats(self) -> int:
        """Timed repeats on the side with fewer of them."""
        return min(len(self.eager), len(self.graph))

    def to_json(self) -> dict[str, Any]:
        """The samples as proof.json keeps them (six significant digits, as the statistics)."""
        return {
            "eager": [float(f"{s:.6g}") for s in self.eager],
            "graph": [float(f"{s:.6g}") for s in self.graph],
            "paired": self.paired,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Samples:
        """Inverse of `to_json`."""
        eager = tuple(float(s) for s in data.get("eager", ()))
        graph = tuple(float(s) for s in data.get("graph", ()))
        return cls(eager, graph, bool(data.get("paired", True)))


@dataclass(frozen=True)
class RatioInterval:
    """A `level` confidence interval of the eager/graph ratio, from `repeats` timed repeats."""

    low: float
    high: float
    repeats: int
    level: float = LEVEL


def pooled_ratio(strata: Sequence[Samples]) -> float:
    """The speedup over several signatures: the median of their eager medians over the median of
    their graph medians (as `timing.combine_timings` computes it); one signature: its own ratio."""
    eager = statistics.median(statistics.median(s.eager) for s in strata)
    graph = statistics.median(statistics.median(s.graph) for s in strata)
    return eager / graph if graph > 0 else math.inf


def ratio_interval(
    strata: Sequence[Samples], level: float = LEVEL, resamples: int = RESAMPLES, seed: int = SEED
) -> RatioInterval | None:
    """The percentile bootstrap interval of `pooled_ratio`, resampling repeats within each
    signature (a stratified bootstrap); None without two repeats on each side of every one.

    The interval is widened, if need be, to hold the point estimate itself.
    """
    if not strata or any(s.repeats < 2 for s in strata):
        return None
    rng = random.Random(seed)
    ratios = sorted(pooled_ratio([_resample(s, rng) for s in strata]) for _ in range(resamples))
    tail = (1 - level) / 2
    low = ratios[int(tail * (resamples - 1))]
    high = ratios[math.ceil((1 - tail) * (resamples - 1))]
    point = pooled_ratio(strata)
    repeats = sum(s.repeats for s in strata)
    return RatioInterval(min(low, point), max(high, point), repeats, level)


def _resample(samples: Samples, rng: random.Random) -> Samples:
    if samples.paired and len(samples.eager) == len(samples.graph):
        picks = rng.choices(range(len(samples.eager)), k=len(samples.eager))
        eager = tuple(samples.eager[i] for i in picks)
        return Samples(eager, tuple(samples.graph[i] for i in picks), True)
    eager = tuple(rng.choices(samples.eager, k=len(samples.eager)))
    return Samples(eager, tuple(rng.choices(samples.graph, k=len(samples.graph))), False)


def _log_ratios(eager: Sequence[float], graph: Sequence[float]) -> list[float]:
    return [math.log(e / g) for e, g in zip(eager, graph, strict=False) if e > 0 and g > 0]


def rough_relative_halfwidth(eager: Sequence[float], graph: Sequence[float]) -> float:
    """A cheap stand-in for the interval's relative half-width while repeats are still being
    taken: 1.96 standard errors of the mean log ratio of paired repeats (inf under 3 repeats).

    The bootstrap itself runs once, on the controller; this only decides when to stop timing.
    """
    logs = _log_ratios(eager, graph)
    if len(logs) < 3:
        return math.inf
    return 1.96 * statistics.stdev(logs) / math.sqrt(len(logs))


#: How much wider than the rough 95% half-width the early stop looks: from ten repeats the normal
#: approximation is optimistic, and stopping too early would decide a verdict on luck.
STOP_MARGIN = 1.5


def clear_of(eager: Sequence[float], graph: Sequence[float], threshold: float) -> bool:
    """True when the paired repeats' rough interval of the ratio, widened by STOP_MARGIN, lies
    wholly above or below THRESHOLD: more repeats would not change the verdict."""
    halfwidth = STOP_MARGIN * rough_relative_halfwidth(eager, graph)
    if math.isinf(halfwidth):
        return False
    centre = statistics.fmean(_log_ratios(eager, graph))
    return centre - halfwidth > math.log(threshold) or centre + halfwidth < math.log(threshold)


#: Signatures timed clear of the speed rule's threshold, on one side, after which another
#: signature's repeats cannot change the verdict: it is compared, not timed.
DECIDED_SIGNATURES = 2


def decided(timings: dict[str, Any], threshold: float | None) -> bool:
    """True when DECIDED_SIGNATURES or more signatures are timed and each one's repeats are clear
    of THRESHOLD (`clear_of`) on the same side."""
    if threshold is None or len(timings) < DECIDED_SIGNATURES:
        return False
    sides = set()
    for timing in timings.values():
        for raw in timing.get("samples") or ():
            samples = Samples.from_json(raw)
            if not clear_of(samples.eager, samples.graph, threshold):
                return False
            sides.add(sum(samples.eager) > threshold * sum(samples.graph))
    return len(sides) == 1
