"""Helpers for real sharded runs: each shard a `tracehybrid run` of one pytest-split group, in its
own copy of a project and its own process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples"
KERAS_PROJECT = REPO / "tests" / "projects" / "keras_project"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
TRACEHYBRID = [sys.executable, "-m", "tracehybrid"]
IGNORED = shutil.ignore_patterns("__pycache__", ".tracehybrid", ".pytest_cache")
#: Extra pytest options of every shard: none, as docs/ci.md runs them (a graph run leaves out
#: tests only after pytest-split has split the whole collection).
SHARD_PYTEST: list[str] = []


@dataclass(frozen=True)
class Run:
    """One `tracehybrid` process: where it ran, its output, and its wall time from outside."""

    project: Path
    returncode: int
    output: str
    wall_s: float

    @property
    def results(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.out / "results.json").read_text())
        return document

    @property
    def out(self) -> Path:
        return self.project / ".tracehybrid"


def copy_project(source: Path, dest: Path) -> Path:
    """A copy of SOURCE that measures no suite figure (`suite-time = false`): what these tests
    compare are verdicts, and the figure's eager and final runs would double every shard's cost.
    Every copy (whole run, shards, merge checkout) gets the same setting: their configs agree."""
    shutil.copytree(source, dest, ignore=IGNORED)
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert "[tool.tracehybrid]\n" in text, pyproject
    text = text.replace("[tool.tracehybrid]\n", "[tool.tracehybrid]\nsuite-time = false\n", 1)
    pyproject.write_text(text, encoding="utf-8")
    return dest


def start_run(project: Path, *pytest_args: str) -> tuple[subprocess.Popen[str], float]:
    cmd = [*TRACEHYBRID, "run", "--quiet", "--", *PYTEST, *pytest_args]
    process = subprocess.Popen(
        cmd, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return process, time.perf_counter()


def finish(project: Path, process: subprocess.Popen[str], started: float) -> Run:
    output, _ = process.communicate(timeout=900)
    return Run(project, process.returncode, output, time.perf_counter() - started)


def run_whole(project: Path) -> Run:
    return finish(project, *start_run(project))


def run_shards(source: Path, base: Path, splits: int) -> list[Run]:
    """SPLITS shards of SOURCE's suite, each in its own copy and process, side by side (as the
    jobs of a CI matrix run); without a durations file pytest-split splits by count."""
    copies = [copy_project(source, base / f"shard-{i}") for i in range(1, splits + 1)]
    started = [
        start_run(copy, *SHARD_PYTEST, "--splits", str(splits), "--group", str(i))
        for i, copy in enumerate(copies, start=1)
    ]
    return [finish(copy, *run) for copy, run in zip(copies, started, strict=True)]


def combine(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`tracehybrid combine ARGS` in CWD (a checkout of the shards' project)."""
    return subprocess.run(
        [*TRACEHYBRID, "combine", "--quiet", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


@dataclass(frozen=True)
class Merged:
    """A whole-suite run, the shard runs, and their merge (in a checkout of its own)."""

    whole: Run
    shards: list[Run]
    merge: subprocess.CompletedProcess[str]
    out: Path

    @property
    def results(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.out / "results.json").read_text())
        return document


def merged_run(base: Path, source: Path, whole: Run, splits: int) -> Merged:
    shards = run_shards(source, base, splits)
    for shard in shards:
        assert shard.returncode == 0, shard.output[-3000:]
    slowest = max(shard.wall_s for shard in shards)  # the matrix's elapsed time: shown, not judged
    print(f"\n{source.name}, {splits} shards: slowest {slowest:.1f} s, whole {whole.wall_s:.1f} s")
    checkout = copy_project(source, base / "merge")
    out = base / "merged"
    merge = combine(checkout, *(shard.out for shard in shards), "--out", out)
    assert merge.returncode == 0, merge.stdout[-3000:] + merge.stderr[-3000:]
    return Merged(whole, shards, merge, out)


#: Reasons that depend on measured time (the speed rule, untimed calls, or a caller that the speed
#: rule approved): one run and another may differ on them, so verdicts carrying one are compared
#: on their other reasons only ("timings aside").
TIMING_CODES = {"TH303", "TH304", "TH305", "TH306"}

FunctionKey = tuple[str, str, int]


def by_function(results: dict[str, Any]) -> dict[FunctionKey, dict[str, Any]]:
    return {(f["path"], f["qualname"], f["line"]): f for f in results["functions"]}


def _decision(entry: dict[str, Any]) -> tuple[str | None, frozenset[str]]:
    codes = {reason["code"] for reason in entry["reasons"]}
    timed = bool(codes & TIMING_CODES)
    return (None if timed else entry["verdict"]), frozenset(codes - TIMING_CODES)


def verdict_differences(whole: dict[str, Any], merged: dict[str, Any]) -> list[str]:
    ours, theirs = by_function(whole), by_function(merged)
    assert set(ours) == set(theirs)
    found = []
    for key in sorted(ours):
        if theirs[key]["shards"]["unproven"]:  # said so, and left to the two-stage mode
            continue
        if any(side[key]["runtime"].get("not_run_alone") for side in (ours, theirs)):
            continue  # solo reruns cut short by the rerun time budget: timings again
        one, other = _decision(ours[key]), _decision(theirs[key])
        if one[0] is None or other[0] is None:  # a timed verdict: compare the reasons only
            one, other = (None, one[1]), (None, other[1])
        if one != other:
            found.append(
                f"{key[1]}: whole {ours[key]['verdict']} {sorted(one[1])}, "
                f"merged {theirs[key]['verdict']} {sorted(other[1])}"
            )
    return found
