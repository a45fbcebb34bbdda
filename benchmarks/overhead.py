"""Tracer overhead: wall time with and without tracehybrid's tracer, interleaved, as median ratios.

(a) >= 100,000 calls to non-candidate code (target <= 1.03x)
(b) >= 10,000 calls to a candidate doing small tensor work (target <= 1.5x)
(c) the bundled example project's pytest suite, as whole processes (target <= 1.10x)
The ratio is for the traced suite itself; the collector's start and final flush (store write,
trace-key prediction) are a fixed cost per process, printed beside it.
Run: .venv/bin/python benchmarks/overhead.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracehybrid.config import load_config
from tracehybrid.launcher import traced_environment
from tracehybrid.runtime.candidates import CandidateSet, CandidateSpec
from tracehybrid.runtime.collector import Collector
from tracehybrid.session import write_candidates
from tracehybrid.static import analyze_project

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"

NON_CANDIDATE_CALLS = 1_000_000
CANDIDATE_CALLS = 10_000


def _spec(func: Any) -> CandidateSpec:
    code = func.__code__
    return CandidateSpec(
        code.co_filename, code.co_qualname, code.co_firstlineno, code.co_firstlineno
    )


def _add(a: int, b: int) -> int:
    return a + b


def non_candidate_suite() -> int:
    total = 0
    for n in range(NON_CANDIDATE_CALLS // 2):
        total = _add(total, _add(n, 1))
    return total


def _unused_candidate(x: Any) -> Any:
    return x


def make_tensor_suite() -> tuple[Callable[[], Any], Any]:
    import tensorflow as tf

    def small_step(x: Any, scale: float = 2.0) -> Any:
        return tf.reduce_sum(x * scale + 1.0)

    x = tf.ones([8])

    def suite() -> Any:
        for _ in range(CANDIDATE_CALLS):
            small_step(x)

    return suite, small_step


def timed(suite: Callable[[], Any], collector: Collector | None) -> tuple[float, float]:
    """(seconds in the suite, seconds of the collector's own start and final flush)."""
    start = time.perf_counter()
    if collector is not None:
        collector.start()
    begin = time.perf_counter()
    suite()
    end = time.perf_counter()
    if collector is not None:
        collector.finish()
    return end - begin, (begin - start) + (time.perf_counter() - end)


def measure(name: str, suite: Callable[[], Any], specs: list[CandidateSpec], runs: int) -> float:
    """Print the steady-state ratio and the fixed per-process cost; return the steady ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        timed(suite, None)  # warm-up: imports, TF kernels, caches
        plain, traced, fixed = [], [], []
        for index in range(runs):
            plain.append(timed(suite, None)[0])
            collector = Collector(CandidateSet(specs, Path(tmp) / str(index)), argv=["bench"])
            in_suite, own = timed(suite, collector)
            traced.append(in_suite)
            fixed.append(own)
    base, with_tracer = statistics.median(plain), statistics.median(traced)
    ratio = with_tracer / base
    whole = (with_tracer + statistics.median(fixed)) / base
    print(
        f"{name}: plain {base * 1000:.1f} ms, traced {with_tracer * 1000:.1f} ms: "
        f"ratio {ratio:.3f}x (median of {runs}, interleaved); start + final flush "
        f"{statistics.median(fixed) * 1000:.1f} ms once per process ({whole:.3f}x on this run)"
    )
    return ratio


def example_suite(runs: int) -> float:
    """(c): the example's pytest run as a subprocess, plain against traced, interleaved."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryDirectory() as tmp:
        facts = analyze_project(load_config(EXAMPLE), cache_dir=Path(tmp) / "cache")
        candidates = write_candidates(facts, Path(tmp) / "out")
        env = traced_environment(candidates, Path(tmp) / "out")

        def once(environment: dict[str, str] | None) -> float:
            start = time.perf_counter()
            subprocess.run(cmd, cwd=EXAMPLE, env=environment, check=True, capture_output=True)
            return time.perf_counter() - start

        once(None)  # warm the OS file cache
        plain, traced = [], []
        for _ in range(runs):
            plain.append(once(None))
            traced.append(once(env))
    base, with_tracer = statistics.median(plain), statistics.median(traced)
    ratio = with_tracer / base
    print(
        f"(c) example suite ({len(facts.candidates)} candidates): plain {base:.2f} s, traced "
        f"{with_tracer:.2f} s: ratio {ratio:.3f}x (median of {runs}, interleaved, whole processes "
        "including the tracer's start, flush and trace-key prediction)"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ratios = {
        "a": measure(
            f"(a) {NON_CANDIDATE_CALLS} non-candidate calls",
            non_candidate_suite,
            [_spec(_unused_candidate)],
            args.runs,
        )
    }
    suite, step = make_tensor_suite()
    ratios["b"] = measure(
        f"(b) {CANDIDATE_CALLS} candidate calls with small tensor work",
        suite,
        [_spec(step)],
        args.runs,
    )
    ratios["c"] = example_suite(max(5, args.runs // 2 + 1))
    targets = {"a": 1.03, "b": 1.5, "c": 1.10}
    for key, ratio in ratios.items():
        verdict = "ok" if ratio <= targets[key] else "OVER TARGET"
        print(f"({key}) {ratio:.3f}x against target {targets[key]}x: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
