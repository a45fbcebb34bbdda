"""The xdist workers a command starts, so bisection runs never outnumber the cores (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracehybrid.config import Config
from tracehybrid.measure.workers import pytest_workers

PYTEST = ["python", "-m", "pytest", "-q"]


@pytest.mark.parametrize(
    ("extra", "workers"),
    [
        ([], 1),
        (["-n", "4"], 4),
        (["-n4"], 4),
        (["-n=3"], 3),
        (["--numprocesses", "2"], 2),
        (["--numprocesses=5"], 5),
        (["-n", "0"], 1),
        (["-p", "no:cacheprovider", "-k", "not slow"], 1),
        (["--", "-n", "4"], 1),  # after `--`: not an option of pytest's
    ],
)
def test_the_workers_a_command_asks_for(extra: list[str], workers: int) -> None:
    assert pytest_workers([*PYTEST, *extra]) == workers


@pytest.mark.parametrize("value", ["auto", "logical"])
def test_auto_counts_the_cores(value: str) -> None:
    assert pytest_workers([*PYTEST, "-n", value]) == (os.cpu_count() or 1)


def test_bisection_runs_times_workers_stay_within_the_cores() -> None:
    cores = os.cpu_count() or 1
    config = Config(root=Path(), bisect_jobs=64)
    assert config.parallel_bisection_runs() == cores
    assert config.parallel_bisection_runs(workers=cores) == 1
    assert config.parallel_bisection_runs(workers=10 * cores) == 1
    assert config.parallel_bisection_runs(workers=2) * 2 <= max(2, cores)
