"""The `timings` extra: the PhaseTimes record, its JSON, the contract reader, the rerun tallies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tracehybrid.contract import (
    PHASES,
    PhaseTimes,
    RerunTally,
    SuiteRunTime,
    parse_results,
    read_timings,
)
from tracehybrid.measure.inrun.record import ProcessRecord, merge_records
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.report.phase_times import phase_rows, timing_lines


def _timings() -> PhaseTimes:
    graph = SuiteRunTime("graph", 3, 4.0, {"solo": RerunTally(2, 0.5)}, 0.25, 1)
    bisect = SuiteRunTime("bisect", 1, 1.5)
    again = SuiteRunTime("graph", 2, 3.0, {"solo": RerunTally(1, 0.2), "culprit": RerunTally(4, 1)})
    phases = {"traced_run": 5.0, "static": 1.0, "graph_runs": 7.5, "bisection_runs": 1.5}
    return PhaseTimes(phases, [graph, bisect, again], wall_s=15.5)


def test_phases_are_timed_in_run_order_and_fit_the_wall_time() -> None:
    clock = PhaseTimes()
    with clock.phase("results"):
        pass
    with clock.phase("static"):
        pass
    clock.add("traced_run", 0.0)
    document = clock.to_json()
    assert list(document["phases"]) == ["static", "traced_run", "results"]
    assert sum(clock.phases.values()) <= clock.wall_s
    assert set(document["phases"]) <= set(PHASES)


def test_reruns_and_measurement_add_up_over_the_suite_runs_by_kind() -> None:
    document = _timings().to_json()
    assert document["reruns"] == {
        "culprit": {"count": 4, "seconds": 1.0},
        "solo": {"count": 3, "seconds": 0.7},
    }
    assert document["measure_s"] == 0.25
    assert [run["purpose"] for run in document["suite_runs"]] == ["graph", "bisect", "graph"]


def test_the_json_reads_back_as_the_same_record() -> None:
    timings = _timings()
    again = read_timings(timings.to_json())
    assert again is not None
    assert again.to_json() == timings.to_json()


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"phases": {"static": 1.0}},  # no wall_s
        {"wall_s": 2.0, "phases": [["static", 1.0]]},
        {"wall_s": 2.0, "phases": {"static": "1.0"}},
        {"wall_s": 2.0, "phases": {"static": -1.0}},
        {"wall_s": True, "phases": {}},
    ],
)
def test_a_malformed_timings_is_ignored(raw: Any) -> None:
    assert read_timings(raw) is None


def test_malformed_suite_runs_and_tallies_are_left_out() -> None:
    raw = _timings().to_json()
    raw["suite_runs"][1] = {"purpose": "bisect", "targets": "one", "wall_s": 1.5}
    raw["suite_runs"][0]["reruns"]["control"] = {"count": 1}
    timings = read_timings(raw)
    assert timings is not None
    assert [run.purpose for run in timings.suite_runs] == ["graph", "graph"]
    assert set(timings.suite_runs[0].reruns) == {"solo"}


def test_the_contract_reader_keeps_timings_and_ignores_malformed_ones() -> None:
    document: dict[str, Any] = {"format_version": 1, "functions": [], "timings": {}}
    assert parse_results(document).timings is None
    document["timings"] = _timings().to_json()
    read = parse_results(document).timings
    assert read is not None
    assert read.phases["graph_runs"] == 7.5


def test_process_records_tally_reruns_by_kind_and_merge_them(tmp_path: Path) -> None:
    documents = []
    for seconds in (0.5, 0.25):
        record = ProcessRecord([], tmp_path)
        record.count_reruns("solo", 2, seconds)
        record.count_reruns("control", 1, 0.125)
        documents.append(record.to_json())
    merged = merge_records(documents)
    assert merged["rerun_kinds"] == {
        "solo": {"count": 4, "seconds": 0.75},
        "control": {"count": 2, "seconds": 0.25},
    }
    run = SuiteRun("graph", [], 0, 9.0, tmp_path, measure_s=0.5, rerun_kinds=merged["rerun_kinds"])
    timing = run.timing()
    assert timing.reruns["solo"] == RerunTally(4, 0.75)
    assert (timing.purpose, timing.targets, timing.wall_s, timing.measure_s) == (
        "graph",
        0,
        9.0,
        0.5,
    )


def test_the_terminal_block_lists_phases_details_and_what_it_leaves_out() -> None:
    timings = _timings()
    rows = phase_rows(timings)
    assert [row.label for row in rows] == [
        "static analysis",
        "traced run",
        "graph runs",
        "bisection runs",
        "other",
    ]
    assert rows[-1].seconds == pytest.approx(0.5)
    assert sum(row.share for row in rows) == pytest.approx(1.0)
    lines = timing_lines(timings)
    assert lines[0] == "where the time went (15.5 s in all):"
    assert "      2 graph runs: 3 functions in 4.0 s; 2 functions in 3.0 s" in lines
    assert "      in-process reruns: culprit search 4 (1.0 s), solo 3 (0.7 s)" in lines
    assert lines[-1].endswith("(writing the reports is not counted: it comes after these numbers)")


def test_the_eager_run_shows_the_tracers_overhead_and_the_final_run_its_functions() -> None:
    eager, final = SuiteRunTime("eager", 0, 4.0), SuiteRunTime("final", 7, 5.0)
    phases = {"traced_run": 6.0, "eager_run": 4.0, "final_run": 5.0}
    rows = {row.label: row for row in phase_rows(PhaseTimes(phases, [eager, final], wall_s=15.0))}
    assert "the traced run took 1.50x this run: the tracer's overhead" in rows["eager run"].details
    (final_row,) = [row for label, row in rows.items() if label.startswith("final run")]
    assert final_row.seconds == 5.0 and "7 functions" in " ".join(final_row.details)
