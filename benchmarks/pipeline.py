"""Wall time of the whole `tracehybrid run -- python -m pytest -q` against plain pytest.

Both commands run on a scratch copy of the project (default: the bundled example), interleaved
and alternating which goes first, RUNS times each; the ratio of the medians is printed (target
<= 2.5x: two test runs plus the measurement is the floor). tracehybrid's output directory is
removed before each of its runs, so every run pays for static analysis, tracing, reconcile, the
graph rerun, measurement and the reports from scratch.

Run: .venv/bin/python benchmarks/pipeline.py [PROJECT_DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracehybrid.contract import read_timings
from tracehybrid.report.phase_times import timing_lines

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"
PYTEST = [sys.executable, "-m", "pytest", "-q"]
TRACEHYBRID = [sys.executable, "-m", "tracehybrid", "run", "--", *PYTEST]
TARGET = 2.5
IGNORED = shutil.ignore_patterns(".tracehybrid", "__pycache__", ".pytest_cache")


def timed(command: list[str], project: Path) -> float:
    """Wall seconds of COMMAND in PROJECT; exits with its output tail when it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-2000:]
        sys.exit(f"{' '.join(command[1:4])} exited {done.returncode} in {project}:\n{tail}")
    return wall


def measure(project: Path, runs: int) -> tuple[list[float], list[float]]:
    """Interleaved wall times (plain, tracehybrid), alternating which command goes first."""
    plain: list[float] = []
    traced: list[float] = []
    for index in range(runs):
        order = [False, True] if index % 2 == 0 else [True, False]
        for with_tracehybrid in order:
            if with_tracehybrid:
                shutil.rmtree(project / ".tracehybrid", ignore_errors=True)
                traced.append(timed(TRACEHYBRID, project))
            else:
                plain.append(timed(PYTEST, project))
        print(f"  run {index + 1}: pytest {plain[-1]:.2f} s, tracehybrid run {traced[-1]:.2f} s")
    return plain, traced


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, nargs="?", default=EXAMPLE)
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (>= 3)")
    args = parser.parse_args(argv)
    runs = max(3, args.runs)
    with tempfile.TemporaryDirectory(prefix="th-pipeline-") as scratch:
        project = Path(scratch) / args.project.resolve().name
        shutil.copytree(args.project, project, ignore=IGNORED)
        timed(PYTEST, project)  # warm the file cache and bytecode before the timed runs
        plain, traced = measure(project, runs)
        phases = last_run_phases(project)
    plain_s, traced_s = statistics.median(plain), statistics.median(traced)
    ratio = traced_s / plain_s
    verdict = "ok" if ratio <= TARGET else "above target"
    print(
        f"pipeline on {args.project.resolve().name}: median of {runs} interleaved runs: "
        f"pytest {plain_s:.2f} s, tracehybrid run {traced_s:.2f} s: "
        f"ratio {ratio:.2f}x (target <= {TARGET}x: {verdict})"
    )
    print("\n".join(phases))
    return 0


def last_run_phases(project: Path) -> list[str]:
    """The last `tracehybrid run`'s own phase times (results.json `timings`), as it prints them."""
    results = project / ".tracehybrid" / "results.json"
    try:
        timings = read_timings(json.loads(results.read_text(encoding="utf-8")).get("timings"))
    except (OSError, ValueError):
        timings = None
    if timings is None:
        return [f"no phase times in {results}"]
    return ["the last tracehybrid run, by its own clock:", *timing_lines(timings)]


if __name__ == "__main__":
    sys.exit(main())
