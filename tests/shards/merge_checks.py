"""Sharded runs merged by `tracehybrid combine SHARD_DIR...` decide as one whole-suite run does.

The checks of one merged run (`merged`: each of the importing test file's MERGES, conftest.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from shard_runs import TRACEHYBRID, Merged, by_function, verdict_differences

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]


def test_merged_verdicts_equal_the_whole_suite_run_functionby_function(merged: Merged) -> None:
    assert verdict_differences(merged.whole.results, merged.results) == []


def test_merged_results_follow_the_shared_contract(merged: Merged, shared_contract: Path) -> None:
    schema = json.loads((shared_contract / "results.schema.json").read_text())
    jsonschema.validate(merged.results, schema)


def test_whole_suite_figures_add_up(merged: Merged) -> None:
    whole, results = merged.whole.results, merged.results
    counts = ("tests_passed", "tests_failed", "tests_skipped")
    eager = results["runs"]["eager"]
    assert {k: eager[k] for k in counts} == {k: whole["runs"]["eager"][k] for k in counts}
    shard_seconds = sum(
        json.loads((s.out / "run.json").read_text())["wall_s"] for s in merged.shards
    )
    assert eager["wall_s"] == pytest.approx(shard_seconds, abs=0.01)
    assert results["summary"]["candidates"] == whole["summary"]["candidates"]
    assert [s["tests"] for s in results["shards"]] == [
        sum(s.results["runs"]["eager"][k] for k in counts) for s in merged.shards
    ]


def test_each_function_names_the_shards_that_called_and_proved_it(merged: Merged) -> None:
    # A function can be a candidate in some shards only (the tests there passed it a tensor).
    shard_results = [by_function(s.results) for s in merged.shards]
    for key, entry in by_function(merged.results).items():
        own = {i: r[key] for i, r in enumerate(shard_results, 1) if key in r}
        called = [i for i, fn in own.items() if fn["runtime"]["calls"] > 0]
        assert entry["shards"]["called"] == called, key
        if entry["verdict"] == "approved" and entry["refactoring"] == "convert_to_hybrid":
            assert entry["shards"]["proved"] == called, key  # every caller proved it
        local = entry["shards"]["local_verdicts"]
        assert local == {str(i): own[i]["verdict"] for i in called}
        assert entry["shards"]["differs"] == [
            i for i in called if own[i]["verdict"] != entry["verdict"]
        ]
        assert set(entry["shards"]["unproven"]) <= set(called) - set(entry["shards"]["proved"])


def test_the_report_and_sarif_are_written_and_name_the_shards(merged: Merged) -> None:
    html = (merged.out / "report.html").read_text()
    assert "CI shards" in html and "called in shard" in html
    assert json.loads((merged.out / "results.sarif").read_text())["runs"]
    functions = merged.results["functions"]
    said = sum(bool(f["shards"]["differs"]) + bool(f["shards"]["unproven"]) for f in functions)
    notes = [line for line in merged.merge.stderr.splitlines() if "note[shard-decision]" in line]
    assert len(notes) == (said + 1 if said else 0)
    for entry in functions:
        if entry["shards"]["unproven"]:  # what single-stage merging cannot decide is named
            assert any(entry["qualname"] in note and "two-stage" in note for note in notes)


def test_the_merged_folder_rebuilds_to_the_same_verdicts(merged: Merged) -> None:
    """`report --rebuild` reads the merged trace.db, proof.json and run.json as a run's."""
    checkout = merged.out.parent / "merge"
    done = subprocess.run(
        [*TRACEHYBRID, "report", "--rebuild", "--format", "json", "--dir", str(merged.out)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rebuilt = {k: v["verdict"] for k, v in by_function(json.loads(done.stdout)).items()}
    assert rebuilt == {k: v["verdict"] for k, v in by_function(merged.results).items()}
