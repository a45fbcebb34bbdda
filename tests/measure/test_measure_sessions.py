"""Real pytest sessions on measure_project: wrapping, bisection, mismatches, randomness, xdist."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from measure_targets import (
    BISECTED,
    ENCLOSING,
    FAILING,
    FOUND_LATER,
    PYTEST,
    QUICK,
    STARVED,
    Proved,
    locate,
    project_targets,
)

from tracehybrid.measure.suite_run import SuiteRun, changed_tests, run_suite

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]


def statuses(proved: Proved) -> dict[str, str]:
    return {p.target.qualname: p.status for p in proved.proof.targets.values()}


def test_exactly_the_failing_targets_are_rejected(proved: Proved) -> None:
    found = statuses(proved)
    failed = {name for name, status in found.items() if status == "graph_failure"}
    assert failed == FAILING | BISECTED | FOUND_LATER | {"with_third"}  # with_third: see below
    failing = {p.target.qualname: p.failing_tests for p in proved.proof.by_status("graph_failure")}
    assert [t["test"] for t in failing["first_value"]] == [
        "test_ops.py::test_first_value",
        "test_ops.py::test_first_value_again",  # settled by rerunning it without first_value
    ]
    assert "no attribute 'numpy'" in failing["first_value"][0]["crash"]
    assert "unsupported format string" in failing["label"][0]["crash"]
    assert [t["test"] for t in failing["tally"]] == ["test_ops.py::test_tally_at_import"]
    exceptions = proved.facts("label")["exceptions"]
    assert exceptions[0]["graph_only"] is True and exceptions[0]["type"] == "TypeError"


def test_culprits_are_found_in_process_and_bisection_finds_the_rest(proved: Proved) -> None:
    first = next(run for run in proved.proof.runs if run.purpose == "graph")
    culprits = {key.rsplit(":", 1)[-1]: tests for key, tests in first.solo["culprits"].items()}
    assert set(culprits) == FAILING  # each alone changed its test: no whole run needed
    assert list(culprits["label"]) == ["test_ops.py::test_label"]
    # The import-time call changes its test whatever the rerun changes: the control rerun says
    # so, and bisection, with whole runs, blames the one target called outside any test.
    assert "test_ops.py::test_tally_at_import" in first.solo["order_dependent"]
    bisect_runs = [run for run in proved.proof.runs if run.purpose == "bisect"]
    assert sorted(t.qualname for run in bisect_runs for t in run.targets) == sorted(BISECTED)
    later = [run for run in proved.proof.runs if run.purpose == "graph"][1:]
    pinned = {key.rsplit(":", 1)[-1] for run in later for key in run.solo.get("culprits", {})}
    assert pinned >= FOUND_LATER  # no longer measured there: its lost effect shows in process


def test_a_function_a_culprit_starved_is_fed_in_the_same_process(proved: Proved) -> None:
    """padded is called only by a test whose fixture fails with as_batch as a graph. Once
    as_batch is pinned, that test runs again in process with padded alone as a graph, called
    and measured as in the main loop: no other process runs for it, and it is proven."""
    first = next(run for run in proved.proof.runs if run.purpose == "graph")
    # Without the traced run's callers (this proof has none) each test a culprit changed may
    # have called it: they run until padded is fed (test_culprit_search.py narrows it down).
    assert first.rerun_kinds["hidden"]["count"] >= 1
    fed = first.facts[next(key for key in first.facts if key.endswith(f":{STARVED}"))]
    assert fed["calls"] == 1 and fed["tests"] == {"test_ops.py::test_padded_batch": 1}
    assert fed["compared"] == 1 and fed["timings"]  # measured as in the main loop
    narrowed = [run for run in proved.proof.runs if run.purpose == "graph" and run.not_run]
    assert all(STARVED not in {t.qualname for t in run.targets} for run in narrowed)
    assert statuses(proved)[STARVED] == "proven"


def test_an_exception_a_culprit_caused_in_an_enclosing_graph_is_not_held_against_it(
    proved: Proved,
) -> None:
    """outer_total raised as a graph in the graph run only because the inner_vector_sum it calls
    was a graph too (a culprit). Rerun with every target but the culprits as graphs, it does not
    raise: the exception is dropped, and it is proven."""
    first = next(run for run in proved.proof.runs if run.purpose == "graph")
    enclosing = first.facts[next(key for key in first.facts if key.endswith(f":{ENCLOSING}"))]
    assert enclosing["exceptions"] == []
    assert enclosing["calls"] == 1  # the rerun's calls are not counted again
    assert enclosing["timings"] and enclosing["compared"] == 1  # but what it measured is kept
    assert statuses(proved)[ENCLOSING] == "proven"


def test_a_failure_masked_by_measurement_shows_in_a_rerun_that_measures_nothing(
    proved: Proved,
) -> None:
    first = next(run for run in proved.proof.runs if run.purpose == "graph")
    assert first.solo["masked"] == ["test_ops.py::test_counted_add_counts_each_call"]
    assert first.solo["unmeasured"] >= 1
    failing = next(p for p in proved.proof.targets.values() if p.target.qualname == "counted_add")
    assert [t["test"] for t in failing.failing_tests] == [
        "test_ops.py::test_counted_add_counts_each_call"
    ]


def test_final_run_is_clean_and_untouched_tests_keep_their_outcome(proved: Proved) -> None:
    proof = proved.proof
    assert proof.clean and not proof.flaky
    assert proof.graph.outcomes == proved.baseline.outcomes
    assert proof.graph.outcomes["test_ops.py::test_xfailed"] == "xfailed"
    assert proof.graph.outcomes["test_ops.py::test_skipped"] == "skipped"
    assert proof.eager is not None and proof.eager.contract_run()["tests_passed"] == 23
    assert json.loads(json.dumps(proof.to_json()))["suite"]["graph"]["tests_failed"] == 0


def test_targets_ran_as_graphs_with_their_decorators(proved: Proved) -> None:
    for name in (
        "many_ops",
        "normalize",
        "Scale.call",
        "Geometry.norm",
        "make_affine.<locals>.affine",
    ):
        facts = proved.facts(name)
        assert facts["traces"] >= 1 and facts["calls"] >= 1, name
        assert statuses(proved)[name] == "proven", name
    assert proved.facts("retraced")["traces"] == 2  # reduce_retracing: (1,) then (None,)
    assert proved.facts("retraced")["calls"] == 3
    dehybridized = proved.facts("count_positive")
    assert dehybridized["mode"] == "eager"
    assert dehybridized["calls"] == 1 and dehybridized["traces"] == 0
    # The outer functools.wraps decorator still counts calls: its test passed as a graph.
    assert (
        proved.proof.graph.outcomes["test_ops.py::test_normalize_keeps_outer_decorator"] == "passed"
    )


def test_a_target_that_fails_only_alone_is_found_by_its_solo_rerun(proved: Proved) -> None:
    rejected = next(p for p in proved.proof.targets.values() if p.target.qualname == "with_third")
    assert rejected.status == "graph_failure" and "alone" in rejected.note
    assert [t["test"] for t in rejected.failing_tests] == [
        "test_ops.py::test_with_third_ends_with_third"
    ]
    assert "Arrays are not equal" in rejected.failing_tests[0]["crash"]
    assert statuses(proved)["third"] == "proven"  # alone, the test compares it with itself
    first, *_, last = [run for run in proved.proof.runs if run.purpose == "graph"]
    # The order-dependent test failed its solo reruns and its control rerun: it blames nobody,
    # cannot confirm the set without with_third, so the prover ran the suite once more.
    assert "test_ops.py::test_thirds_once_per_session" in first.solo["order_dependent"]
    assert set(first.solo["failures"]) == {rejected.target.key}
    assert first.solo["confirmed"] is False and first is not last
    assert last.solo["failures"] == {} and rejected.target not in last.targets


def test_reruns_share_fixtures_above_the_test(proved: Proved) -> None:
    # One set-up of the module fixture for the run's own loop, one for all its reruns together.
    setups = Counter((proved.root / "fixture-setups.log").read_text().split())
    first = next(run for run in proved.proof.runs if run.purpose == "graph")
    assert first.solo["reruns"] >= 4 and max(setups.values()) == 2


def test_identical_outputs_need_no_solo_rerun(proved: Proved) -> None:
    facts = proved.facts("Accumulator.add")  # only updates a variable: compared with it restored
    assert facts["compared"] >= 1 and facts["inexact"] == 0 and not facts["not_compared"]
    assert statuses(proved)["Accumulator.add"] == "proven"
    assert proved.facts("third")["inexact"] >= 1  # x / 3.0 becomes x * (1/3) in the graph
    assert proved.proof.graph.outcomes["test_ops.py::test_accumulator"] == "passed"


def test_nested_function_not_returned_is_reported_not_wrapped(proved: Proved) -> None:
    proof = next(p for p in proved.proof.targets.values() if p.target.qualname.startswith("summed"))
    assert proof.status == "not_wrapped"
    assert "did not return" in proof.note


def test_stale_global_is_an_output_mismatch(proved: Proved) -> None:
    assert statuses(proved)["scaled"] == "output_mismatch"
    mismatch = proved.facts("scaled")["mismatches"][0]
    assert mismatch["test"] == "test_ops.py::test_scaled"
    assert mismatch["kind"] == "value" and mismatch["signature"] == "(float32[3])"


def test_random_outputs_are_explained_not_flagged(proved: Proved) -> None:
    facts = proved.facts("noisy")
    assert statuses(proved)["noisy"] == "proven" and not facts["mismatches"]
    assert facts["not_compared"][0]["reason"] == "random"
    assert "RandomStandardNormal" in facts["not_compared"][0]["ops"]


def test_timings_are_steady_state_statistics(proved: Proved) -> None:
    proof = next(p for p in proved.proof.targets.values() if p.target.qualname == "many_ops")
    speedup = proof.speedup()
    assert proof.timing is not None and speedup is not None
    assert speedup["ratio"] == pytest.approx(
        speedup["eager_s_per_call"] / speedup["graph_s_per_call"], rel=1e-3
    )
    timing = proved.facts("many_ops")["timings"]["(float32[8,8])"]
    for mode in ("eager", "graph"):
        stats = timing[mode]
        assert stats["min_s"] <= stats["median_s"] <= stats["max_s"] and stats["repeats"] >= 1
    # The tracing call is recorded apart from steady state (no claim about speed here).
    assert timing["first_call_s"] is not None and timing["trace_s"] >= 0
    assert "break_even_calls" in timing


def test_xdist_workers_record_and_merge(proved: Proved, tmp_path: Path) -> None:
    root = proved.root
    proven = {n for n, s in statuses(proved).items() if s == "proven"}
    targets = [
        *project_targets(root, proven),
        locate(root, "mproj/ops.py", "plain_python", "@tf.function(bogus=1)"),
    ]
    with_third = project_targets(root, {"with_third"})
    run: SuiteRun = run_suite(
        [*PYTEST, "-n", "2"], [*targets, *with_third], tmp_path / "xdist", QUICK, cwd=root
    )
    assert run.processes == 3  # the controller and two workers
    # The workers' solo reruns find with_third and rerun its tests without it.
    assert set(run.solo["failures"]) == {with_third[0].key} and run.solo["reruns"] >= 3
    assert not changed_tests(proved.baseline.outcomes, run.outcomes)
    serial = proved.proof.graph.facts
    for target in targets[:-1]:
        if target.qualname != "third":  # with_third, a graph here, calls it inside its graph
            assert run.facts[target.key]["calls"] == serial[target.key]["calls"], target.qualname
    bogus = run.facts[targets[-1].key]
    assert bogus["wrap"] == "not_wrapped" and "bogus" in bogus["wrap_error"]
    assert any("bogus" in problem for problem in run.problems)
