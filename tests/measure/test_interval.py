"""The speedup's 95% interval and the speed rule that reads it, on seeded synthetic repeats."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tracehybrid.measure.inrun.record import ProcessRecord, merge_records
from tracehybrid.measure.interval import (
    Samples,
    clear_of,
    pooled_ratio,
    ratio_interval,
    rough_relative_halfwidth,
)
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import (
    Timing,
    combine_timings,
    pool_timing_json,
    timing_of_samples,
)
from tracehybrid.verdict.speed import judge_speed, speed_interval_fields


def repeats(ratio: float, noise: float, n: int, seed: int) -> Samples:
    """N paired repeats: graph 1 ms, eager RATIO ms, each with relative NOISE (seeded)."""
    rng = random.Random(seed)
    graph = tuple(0.001 * (1 + rng.uniform(-noise, noise)) for _ in range(n))
    eager = tuple(0.001 * ratio * (1 + rng.uniform(-noise, noise)) for _ in range(n))
    return Samples(eager, graph)


def test_the_interval_holds_the_ratio_and_narrows_with_repeats() -> None:
    few, many = repeats(1.5, 0.2, 10, seed=1), repeats(1.5, 0.2, 60, seed=1)
    narrow, wide = ratio_interval([many]), ratio_interval([few])
    assert narrow is not None and wide is not None
    assert narrow.low <= pooled_ratio([many]) <= narrow.high
    assert narrow.high - narrow.low < wide.high - wide.low
    assert (narrow.repeats, narrow.level) == (60, 0.95)
    assert 1.3 < narrow.low < 1.5 < narrow.high < 1.7


def test_the_interval_is_reproducible_and_needs_two_repeats() -> None:
    samples = repeats(1.2, 0.3, 20, seed=7)
    assert ratio_interval([samples]) == ratio_interval([samples])  # seeded
    assert ratio_interval([samples], seed=1) != ratio_interval([samples], seed=2)
    assert ratio_interval([Samples((0.002,), (0.001,))]) is None
    assert ratio_interval([]) is None
    steady = ratio_interval([Samples((0.002,) * 5, (0.001,) * 5)])
    assert steady is not None and (steady.low, steady.high) == (2.0, 2.0)  # no noise, no width


def test_paired_repeats_cancel_a_slow_moment_of_the_machine() -> None:
    """A machine that slows both sides of a repeat alike: pairing keeps the ratio's interval
    narrow; the same samples resampled apart (as passive timing must) give a wide one."""
    load = [1.0, 3.0, 1.5, 2.5, 1.0, 4.0, 2.0, 1.2, 3.5, 1.1] * 2
    paired = Samples(tuple(0.003 * x for x in load), tuple(0.002 * x for x in load))
    apart = Samples(paired.eager, paired.graph, paired=False)
    tight, loose = ratio_interval([paired]), ratio_interval([apart])
    assert tight is not None and loose is not None
    assert tight.low == pytest.approx(1.5) and tight.high == pytest.approx(1.5)
    assert loose.low < 1.1 and loose.high > 1.5


def test_signatures_pool_into_one_interval() -> None:
    fast = timing_of_samples(repeats(2.0, 0.1, 12, seed=3), 0.05)
    slow = timing_of_samples(repeats(1.2, 0.1, 12, seed=4), None)
    third = timing_of_samples(repeats(1.6, 0.1, 12, seed=5), 0.07)
    pooled = combine_timings([fast, slow, third])
    assert pooled is not None and len(pooled.samples) == 3 and pooled.repeats == 36
    assert pooled.ratio == pytest.approx(pooled_ratio(pooled.samples))
    interval = pooled.interval
    assert interval is not None and interval.repeats == 36
    assert interval.low <= pooled.ratio <= interval.high
    recorded = Timing.from_json(pooled.to_json()).interval  # proof.json keeps the repeats
    assert recorded is not None and recorded.low == pytest.approx(interval.low, rel=1e-4)
    legacy = Timing(fast.eager, fast.graph, None)  # a proof.json without repeats
    unpooled = combine_timings([fast, legacy])
    assert unpooled is not None and unpooled.samples == () and unpooled.interval is None


def test_two_processes_timing_one_signature_pool_their_repeats() -> None:
    one = {**timing_of_samples(repeats(1.5, 0.1, 10, 1), 0.04).to_json(), "calls_per_repeat": 7}
    two = timing_of_samples(repeats(1.5, 0.1, 15, 2), None).to_json()
    pooled = Timing.from_json(pool_timing_json(one, two))
    assert pooled.repeats == 25 and pooled.eager.repeats == 25
    assert pooled.first_call_s == pytest.approx(0.04)
    assert pool_timing_json(one, two)["calls_per_repeat"] == 7
    assert pool_timing_json(None, two) is two


def test_merged_records_pool_the_repeats_of_a_shared_signature(tmp_path: Path) -> None:
    documents = [_record(repeats(1.5, 0.1, n, seed=n), tmp_path) for n in (10, 14)]
    merged = merge_records(documents)
    (target,) = merged["targets"].values()
    timing = Timing.from_json(target["timings"]["(float32[4])"])
    assert timing.repeats == 24 and len(timing.samples) == 1


def _record(samples: Samples, out: Path) -> dict[str, Any]:
    """One process's record document in which `f` was timed on one signature."""
    target = Target(path=str(out / "m.py"), qualname="f", line=1, first_line=1)
    process = ProcessRecord([target], out)
    record = process.targets[target.key]
    record.wrap = "wrapped"
    record.timings["(float32[4])"] = timing_of_samples(samples, None).to_json()
    return process.to_json()


def test_the_rule_rejects_a_noisy_1_1x_and_approves_a_clean_1_5x() -> None:
    noisy = timing_of_samples(repeats(1.15, 0.45, 12, seed=11), None)
    assert noisy.ratio >= 1.1 and noisy.interval is not None and noisy.interval.low < 1.1
    (finding,) = judge_speed(noisy, min_speedup=1.1)
    assert finding.code == "TH303" and finding.category == "no_speedup"
    low, high = noisy.interval.low, noisy.interval.high
    assert (
        f"{noisy.ratio:.2f}x, 95% interval {low:.2f}-{high:.2f}x over 12 timed" in finding.message
    )
    assert "not reliably faster than the required 1.1x" in finding.message
    clean = timing_of_samples(repeats(1.5, 0.05, 12, seed=12), None)
    assert clean.interval is not None and clean.interval.low > 1.1
    assert judge_speed(clean, min_speedup=1.1) == []


def test_the_rule_does_not_trust_one_repeat_nor_a_slow_median() -> None:
    once = timing_of_samples(Samples((0.00112,), (0.001,)), None)
    (finding,) = judge_speed(once, min_speedup=1.1)
    assert finding.code == "TH303" and "1 timed repeat(s), too few" in finding.message
    slower = timing_of_samples(repeats(0.9, 0.1, 12, seed=13), None)
    (finding,) = judge_speed(slower, min_speedup=1.1)
    assert "95% interval" in finding.message and "required speedup is 1.1x" in finding.message
    legacy = Timing(once.eager, once.graph, None)  # before repeats were kept: the median rules
    assert judge_speed(legacy, min_speedup=1.1) == []


def test_results_fields_say_the_interval_and_the_real_repeats() -> None:
    timing = combine_timings(
        [timing_of_samples(repeats(1.5, 0.1, 20, seed=s), None) for s in (1, 2)]
    )
    assert timing is not None and timing.interval is not None
    fields = speed_interval_fields(timing)
    low, high = round(timing.interval.low, 4), round(timing.interval.high, 4)
    assert fields == {
        "spread": [low, high],
        "ratio_low": low,
        "ratio_high": high,
        "repeats": 40,
        "timed_signatures": 2,
    }
    legacy = speed_interval_fields(Timing(timing.eager, timing.graph, None))
    assert legacy == {"spread": None, "repeats": 2, "timed_signatures": None}


def test_the_stopping_estimate_tightens_with_repeats_and_needs_three() -> None:
    few, many = repeats(1.5, 0.2, 5, seed=9), repeats(1.5, 0.2, 50, seed=9)
    assert rough_relative_halfwidth(few.eager[:2], few.graph[:2]) == float("inf")
    wide = rough_relative_halfwidth(few.eager, few.graph)
    assert 0 < rough_relative_halfwidth(many.eager, many.graph) < wide


def test_timing_stops_early_only_once_the_threshold_is_clearly_decided() -> None:
    fast, slow = repeats(10.0, 0.2, 10, seed=3), repeats(0.5, 0.2, 10, seed=3)
    borderline = repeats(1.1, 0.2, 10, seed=2)
    assert clear_of(fast.eager, fast.graph, 1.1)  # 10x: more repeats cannot change the verdict
    assert clear_of(slow.eager, slow.graph, 1.1)  # 0.5x: nor here
    assert not clear_of(borderline.eager, borderline.graph, 1.1)  # 1.1x +-20%: keep timing
    assert not clear_of(fast.eager[:2], fast.graph[:2], 1.1)  # two repeats decide nothing
