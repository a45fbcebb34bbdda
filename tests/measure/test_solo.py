"""Which tests the solo reruns choose, what they cost, and how processes' findings merge."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.measure.inrun.record import ProcessRecord, crash_line, merge_solo
from tracehybrid.measure.inrun.solo import estimate_s, plan
from tracehybrid.measure.targets import Target

T1, T2, T3 = "t.py::test_one", "t.py::test_two", "t.py::test_three"


def target(name: str, decorator: str = "@tf.function") -> Target:
    return Target(f"/p/{name}.py", name, 1, 1, decorator)


F, G, H = target("f"), target("g"), target("h")


def record(tmp_path: Path) -> ProcessRecord:
    """f and g differ from eager in the last bits, h is bit-identical; f is timed."""
    rec = ProcessRecord([F, G, H], tmp_path)
    for key, compared, inexact in ((F.key, 2, 1), (G.key, 3, 3), (H.key, 4, 0)):
        rec.targets[key].compared, rec.targets[key].inexact = compared, inexact
    calls = {T1: {F.key: 1, G.key: 2, H.key: 1}, T2: {F.key: 1, H.key: 5}, T3: {G.key: 100}}
    for nodeid, hits in calls.items():
        for key, count in hits.items():
            rec.targets[key].tests[nodeid] = count
    f_timing = {"eager": {"median_s": 0.003}, "graph": {"median_s": 0.001}}
    rec.targets[F.key].timings = {"(float32[4])": f_timing}
    rec.durations.update({T1: 0.5, T2: 0.1, T3: 0.2})
    return rec


def test_only_tests_with_two_differing_targets_are_rerun(tmp_path: Path) -> None:
    rec = record(tmp_path)
    assert rec.targets[H.key].identical and not rec.targets[F.key].identical
    # test_two: h is identical, so f's solo run is the graph run; test_three calls g alone.
    assert plan(rec, [T1, T2, T3]) == [(T1, frozenset({F.key})), (T1, frozenset({G.key}))]


def test_a_target_not_compared_at_all_counts_as_differing(tmp_path: Path) -> None:
    rec = record(tmp_path)
    rec.targets[H.key].not_compared.append({"reason": "random"})
    assert not rec.targets[H.key].identical
    assert (T2, frozenset({H.key})) in plan(rec, [T2])


def test_the_estimate_adds_what_other_targets_lose_going_back_to_eager(tmp_path: Path) -> None:
    rec = record(tmp_path)
    assert estimate_s(rec, (T1, frozenset({F.key}))) == 0.5  # g and h are not timed
    # With g alone, f runs eagerly again: one call, 2 ms slower.
    assert estimate_s(rec, (T1, frozenset({G.key}))) == 0.5 + 0.002


def test_a_rejection_is_confirmed_only_where_every_caller_process_rejected_it() -> None:
    failing = {
        "targets": {F.key: {"tests": {T1: 1}}},
        "solo": {"reruns": 3, "seconds": 0.5, "failures": {F.key: {T1: "AssertionError"}}},
    }
    other_caller = {"targets": {F.key: {"tests": {T2: 1}}}, "solo": {"reruns": 1}}
    no_caller = {"targets": {F.key: {"tests": {}, "calls_in_graph": 0}}, "solo": None}
    merged = merge_solo([failing, no_caller])
    assert merged["confirmed"] and merged["reruns"] == 3
    assert merged["failures"] == {F.key: {T1: "AssertionError"}}
    assert not merge_solo([failing, other_caller])["confirmed"]
    # A culprit of a changed test counts the same way; a call while tracing counts as a call.
    culprit = {**failing, "solo": {"culprits": {F.key: {T1: "ValueError"}}}}
    in_graph = {"targets": {F.key: {"tests": {}, "calls_in_graph": 2}}, "solo": {}}
    assert merge_solo([culprit, no_caller])["culprits"] == {F.key: {T1: "ValueError"}}
    assert not merge_solo([culprit, in_graph])["confirmed"]


class Report:
    """What `crash_line` reads of a pytest TestReport."""

    def __init__(self, message: str, failed: bool = True) -> None:
        self.failed = failed
        self.longrepr = type("Longrepr", (), {"reprcrash": type("Crash", (), {"message": message})})


def test_crash_lines_keep_tensorflows_actual_error_not_its_frames() -> None:
    message = (
        'ValueError: in user code:\n\n    File "/p/linear.py", line 83, in __call__  *\n'
        "        self._initialize(inputs)\n\n    ValueError: tf.function only supports singleton "
        "tf.Variables created on the first call."
    )
    assert crash_line(Report(message)) == (
        "ValueError: tf.function only supports singleton tf.Variables created on the first call."
    )
    assert crash_line(Report("assert 1 == 2\n  where 1 = f()")) == "assert 1 == 2 where 1 = f()"
    assert crash_line(Report("boom", failed=False)) == ""
