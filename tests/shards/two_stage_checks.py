"""Two-stage mode (docs/ci.md): stage 1 traces every shard, the merge decides the candidates,
stage 2 proves exactly those in every shard, and the second merge leaves none unproven."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from shard_runs import (
    EXAMPLE,
    PYTEST,
    SHARD_PYTEST,
    TRACEHYBRID,
    Merged,
    Run,
    by_function,
    combine,
    copy_project,
    finish,
    verdict_differences,
)

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]

SPLITS = 2


def _shards(base: Path, *run_args: str | Path) -> list[Run]:
    """Both shards of the example side by side, each in a fresh copy, with RUN_ARGS."""
    copies = [copy_project(EXAMPLE, base / f"shard-{i}") for i in range(1, SPLITS + 1)]
    started = []
    for group, copy in enumerate(copies, start=1):
        split = [*SHARD_PYTEST, "--splits", str(SPLITS), "--group", str(group)]
        cmd = [*TRACEHYBRID, "run", "--quiet", *map(str, run_args), "--", *PYTEST, *split]
        process = subprocess.Popen(
            cmd, cwd=copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        started.append((copy, process))
    runs = [finish(copy, process, 0.0) for copy, process in started]
    for run in runs:
        assert run.returncode == 0, run.output[-3000:]
    return runs


@pytest.fixture(scope="module")
def two_stage(tmp_path_factory: pytest.TempPathFactory, example_whole: Run) -> Merged:
    base = tmp_path_factory.mktemp("two-stage")
    checkout = copy_project(EXAMPLE, base / "merge")
    stage1 = _shards(base / "stage1", "--no-graph")
    candidates = base / "candidates"
    done = combine(checkout, *(run.out for run in stage1), "--out", candidates)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    stage2 = _shards(base / "stage2", "--candidates-from", candidates)
    merged = base / "merged"
    done = combine(checkout, *(run.out for run in stage2), "--out", merged)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Merged(example_whole, stage2, done, merged)


def test_every_shard_proves_the_merged_candidates(two_stage: Merged) -> None:
    entries = by_function(two_stage.results).values()
    assert not [e["qualname"] for e in entries if e["shards"]["unproven"]]
    proven = [e for e in entries if e["shards"]["proved"]]
    assert proven and all(e["shards"]["proved"] == e["shards"]["called"] for e in proven)
    assert any(len(e["shards"]["called"]) == SPLITS for e in proven)  # proved in both shards


def test_two_stage_verdicts_equal_the_whole_suite_run(two_stage: Merged) -> None:
    assert verdict_differences(two_stage.whole.results, two_stage.results) == []


def test_stage_two_needs_a_merged_run(tmp_path: Path, two_stage: Merged) -> None:
    shard = two_stage.shards[0]
    cmd = [*TRACEHYBRID, "run", "--candidates-from", str(shard.out), "--", *PYTEST]
    done = subprocess.run(cmd, cwd=shard.project, capture_output=True, text=True, check=False)
    assert done.returncode == 64
    assert "not a merged run" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
