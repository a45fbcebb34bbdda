"""Real pytest sessions on replay_project: `pytest -n 2` gives the same predictions as serial.

xdist spreads the shape tests over two workers, so each worker alone would predict other counts;
combine replays every worker's samples in collection order and must answer as the serial run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from runtime_candidates import project_copy

from tracehybrid.launcher import combine, run_traced
from tracehybrid.store.combine import process_stores
from tracehybrid.store.reader import CandidateFacts, read_facts
from tracehybrid.store.schema import COMBINED_SOURCE

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]
PROJECT = Path(__file__).resolve().parent.parent / "projects" / "replay_project"
# order_shim reports the collection order (until the tracehybrid plugin does it itself).
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "order_shim"]


@dataclass
class Runs:
    serial: dict[str, CandidateFacts]
    xdist: dict[str, CandidateFacts]
    xdist_stores: list[Path]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("replay")
    with project_copy(PROJECT, root, "shapes.py") as (_, candidates):
        assert run_traced(PYTEST, candidates, root / "s") == 0
        serial = combine(root / "s")
        assert run_traced([*PYTEST, "-n", "2"], candidates, root / "x") == 0
        xdist = combine(root / "x", keep_stores=True)  # the workers' stores are compared below
    return Runs(by_name(serial), by_name(xdist), process_stores(root / "x"))


def by_name(store: Path) -> dict[str, CandidateFacts]:
    return {fact.qualname: fact for fact in read_facts(store).values()}


def answer(fact: CandidateFacts) -> dict[str, Any]:
    (row,) = fact.predictions  # ONE prediction per candidate
    assert row is fact.combined_prediction
    assert row["source"] == COMBINED_SOURCE
    detail = row["detail"]
    assert isinstance(detail, dict)
    keys = ("traces_plain", "traces_reduce_retracing", "traces_with_signature", "signature")
    return {
        **{key: detail[key] for key in keys},
        "explanations": row["explanations"],
        "untraceable": row["untraceable"],
    }


def test_workers_each_saw_part_of_the_shapes(runs: Runs) -> None:
    per_worker = []
    for store in runs.xdist_stores:
        facts = by_name(store)
        if "normalize" in facts and facts["normalize"].predictions:
            per_worker.append(facts["normalize"].predictions[0]["plain"])
    assert len(per_worker) == 2  # both workers traced normalize: neither saw every shape
    assert answer(runs.serial["normalize"])["traces_plain"] not in per_worker


@pytest.mark.parametrize("name", ["normalize", "blend", "Scaler.apply"])
def test_xdist_predictions_equal_serial(runs: Runs, name: str) -> None:
    assert answer(runs.xdist[name]) == answer(runs.serial[name])


def test_serial_answers_are_the_real_counts(runs: Runs) -> None:
    normalize = answer(runs.serial["normalize"])
    # 22 distinct (shape, dtype) keys: [2, 2] comes twice, float32 and float64 each.
    assert normalize["traces_plain"] == 22
    assert normalize["explanations"][0] == "x: float64[1] (was float32[1])"
    blend = answer(runs.serial["blend"])
    assert blend["traces_plain"] == 8  # 0.5, 1 (== True == 1.0), 2, 3: each with two modes
    assert answer(runs.serial["Scaler.apply"])["traces_plain"] == 8  # one cache per instance
