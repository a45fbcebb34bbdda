"""Static analysis throughput against plain `ast.parse` of the same files, cold and warm cache.

Usage: .venv/bin/python benchmarks/static_throughput.py [CORPUS ...] [--jobs N]
Default corpus: the installed Keras package (about 300,000 lines). Targets on a 2-core machine:
cold <= 8x ast.parse, warm <= 1.5x ast.parse, and no crash on any file.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import AnalysisStats, ProjectFacts, analyze_project

SITE = (
    Path(sys.prefix)
    / "lib"
    / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    / "site-packages"
)


def parse_baseline(files: list[Path]) -> tuple[float, int]:
    """Seconds to read and `ast.parse` every file, and the line count."""
    start = time.perf_counter()
    lines = 0
    for path in files:
        data = path.read_bytes()
        lines += data.count(b"\n")
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(data, str(path))
    return time.perf_counter() - start, lines


def timed_run(
    corpus: Path, cache_dir: Path, jobs: int
) -> tuple[float, ProjectFacts, AnalysisStats]:
    config = Config(root=corpus, exclude=(), jobs=jobs)
    stats = AnalysisStats()
    start = time.perf_counter()
    facts = analyze_project(config, cache_dir=cache_dir, stats=stats)
    return time.perf_counter() - start, facts, stats


def report(corpus: Path, jobs: int) -> None:
    files = sorted(corpus.rglob("*.py"))
    base, lines = parse_baseline(files)
    print(f"corpus {corpus}: {len(files)} files, {lines} lines")
    print(f"  ast.parse     {base:7.2f} s  {lines / base:10.0f} lines/s")
    with tempfile.TemporaryDirectory() as cache:
        cold, facts, cold_stats = timed_run(corpus, Path(cache), jobs)
        warm, warm_facts, warm_stats = timed_run(corpus, Path(cache), jobs)
    print(
        f"  cold analysis {cold:7.2f} s  {lines / cold:10.0f} lines/s"
        f"  {cold / base:5.2f}x ast.parse"
        f"  ({cold_stats.parsed} parsed, {cold_stats.workers} workers)"
    )
    print(
        f"  warm analysis {warm:7.2f} s  {lines / warm:10.0f} lines/s"
        f"  {warm / base:5.2f}x ast.parse"
        f"  ({warm_stats.parsed} parsed, {warm_stats.cache_hits} from cache)"
    )
    assert warm_facts.to_dict() == facts.to_dict(), "warm and cold results differ"
    candidates = sum(f.is_candidate for f in facts.functions)
    print(f"  {len(facts.functions)} functions, {candidates} candidates")
    reasons = Counter(w.message.split(":")[0] for w in facts.warnings)
    print(f"  files not analysed: {len({w.path for w in facts.warnings})} {dict(reasons)}")
    for warning in facts.warnings[:5]:
        print(f"    {warning.path}:{warning.line}: {warning.message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[SITE / "keras"])
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per core)")
    args = parser.parse_args()
    for corpus in args.corpus:
        report(corpus.resolve(), args.jobs)


if __name__ == "__main__":
    main()
