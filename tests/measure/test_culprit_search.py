"""In-process culprit search: each suspect alone, and the functions the culprits starved fed.

A scripted rerunner stands in for pytest's (`rerunner.Rerunner`, run for real by
test_measure_sessions.py): a rerun of the changed test fails exactly when one of BREAKERS is
among the targets in their new form.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tracehybrid.measure.inrun.record import ProcessRecord
from tracehybrid.measure.inrun.reruns import InProcessProof
from tracehybrid.measure.inrun.solo import Rerun
from tracehybrid.measure.targets import Target

TEST = "t.py::test_model"
OTHER = "t.py::test_other"


def target(name: str) -> Target:
    return Target(f"/p/{name}.py", name, 1, 1, "@tf.function")


F, G, H, K = (target(name) for name in ("f", "g", "h", "k"))


class ScriptedReruns:
    def __init__(self, breakers: set[str]) -> None:
        self.breakers = breakers
        self.made: list[Rerun] = []
        self.fed: list[tuple[str, frozenset[str]]] = []  # reruns with targets measured
        self.count = 0
        self.items = {TEST: None}

    def chain(
        self, reruns: list[Rerun], measured: frozenset[str] = frozenset()
    ) -> list[tuple[str, str]]:
        self.made += reruns
        self.fed += [(nodeid, measured) for nodeid, _ in reruns if measured]
        self.count += len(reruns)
        return [
            ("failed", "boom") if forms & self.breakers else ("passed", "") for _, forms in reruns
        ]

    def close(self) -> None:
        return None


def search(tmp_path: Path, breakers: set[str]) -> tuple[Any, ScriptedReruns]:
    """One changed test that called F, G, H and K."""
    rec = ProcessRecord([F, G, H, K], tmp_path)
    rec.durations[TEST] = 0.1
    rec.outcomes[TEST] = "failed"
    for called in (F, G, H, K):
        rec.targets[called.key].tests[TEST] = 1
    session: Any = SimpleNamespace(items=[])
    proof = InProcessProof(session, rec, 10.0, 0.5, {TEST: "passed"})
    scripted = ScriptedReruns(breakers)
    proof.rerunner = scripted  # type: ignore[assignment]
    proof.items = scripted.items  # type: ignore[assignment]
    return proof.run(), scripted


def test_each_target_the_test_called_is_tried_alone(tmp_path: Path) -> None:
    """Every suspect alone, whatever was found first: a rerun with all the others as graphs
    to stop early traces every nested graph, and cost GPflow more than the reruns it saved."""
    report, scripted = search(tmp_path, {G.key, K.key})
    assert scripted.made[:5] == [
        (TEST, frozenset()),  # the control
        *((TEST, frozenset({key})) for key in (F.key, G.key, H.key, K.key)),
    ]
    assert set(report.culprits) == {G.key, K.key}


def test_a_starved_target_is_fed_by_the_tests_that_called_it_when_traced(tmp_path: Path) -> None:
    """F breaks TEST and OTHER (a fixture); G, which only TEST called in the traced run, was
    never reached; H was never called when traced either, so nothing starved it. One rerun of
    TEST with G measured, and no other."""
    rec = ProcessRecord([F, G, H], tmp_path)
    for nodeid in (TEST, OTHER):
        rec.durations[nodeid] = 0.1
        rec.outcomes[nodeid] = "failed"
        rec.targets[F.key].tests[nodeid] = 1
    callers: dict[str, list[str] | None] = {F.key: [TEST, OTHER], G.key: [TEST]}
    assert fed_when_f_breaks_both(rec, callers) == [(TEST, frozenset({G.key}))]


def fed_when_f_breaks_both(
    rec: ProcessRecord, callers: dict[str, list[str] | None]
) -> list[tuple[str, frozenset[str]]]:
    """The reruns with targets measured, when F (the culprit) changed TEST and OTHER."""
    session: Any = SimpleNamespace(items=[])
    baseline = {TEST: "passed", OTHER: "passed"}
    proof = InProcessProof(session, rec, 10.0, 0.5, baseline, callers=callers)
    scripted = ScriptedReruns({F.key})
    scripted.items = {TEST: None, OTHER: None}
    proof.rerunner = scripted  # type: ignore[assignment]
    proof.items = scripted.items  # type: ignore[assignment]
    report = proof.run()
    assert set(report.culprits) == {F.key}
    return scripted.fed


def exception_proof(tmp_path: Path, comes_back: bool) -> tuple[ProcessRecord, ScriptedReruns]:
    """F (the culprit) changed TEST and OTHER; G raised as a graph only in both. The scripted
    rerun raises G's exception again only when COMES_BACK."""
    rec = ProcessRecord([F, G], tmp_path)
    for nodeid, duration in ((TEST, 0.1), (OTHER, 0.2)):
        rec.durations[nodeid] = duration
        rec.outcomes[nodeid] = "failed"
        for called in (F, G):
            rec.targets[called.key].tests[nodeid] = 1
        raised = {"test": nodeid, "type": "ValueError", "message": "x", "graph_only": True}
        rec.targets[G.key].exceptions.append(raised)
    rec.targets[G.key].calls = 2
    session: Any = SimpleNamespace(items=[])
    proof = InProcessProof(session, rec, 10.0, 0.5, {TEST: "passed", OTHER: "passed"})
    scripted = ScriptedReruns({F.key})
    scripted.items = {TEST: None, OTHER: None}

    def chain(reruns: list[Rerun], measured: frozenset[str] = frozenset()) -> list[Any]:
        if comes_back and G.key in measured:
            entry = {"test": reruns[0][0], "type": "ValueError", "message": "x", "graph_only": True}
            rec.targets[G.key].calls += 1  # counted by the rerun, and put back after it
            rec.targets[G.key].exceptions.append(entry)
        return ScriptedReruns.chain(scripted, reruns, measured)

    scripted.chain = chain  # type: ignore[method-assign]
    proof.rerunner = scripted  # type: ignore[assignment]
    proof.items = scripted.items  # type: ignore[assignment]
    proof.run()
    return rec, scripted


def test_an_exception_the_culprit_caused_is_dropped_after_one_rerun(tmp_path: Path) -> None:
    rec, scripted = exception_proof(tmp_path, comes_back=False)
    # The cheaper test once, every target but the culprit as a graph, G measured; not OTHER.
    assert scripted.fed == [(TEST, frozenset({G.key}))]
    assert (TEST, frozenset({G.key})) in scripted.made
    assert rec.targets[G.key].exceptions == []  # in OTHER too: the same culprit changed it
    assert rec.targets[G.key].calls == 2


def test_an_exception_that_comes_back_stays_and_is_rerun_once(tmp_path: Path) -> None:
    rec, scripted = exception_proof(tmp_path, comes_back=True)
    assert scripted.fed == [(TEST, frozenset({G.key}))]
    assert [e["test"] for e in rec.targets[G.key].exceptions] == ["t.py::test_other", TEST]
    assert rec.targets[G.key].calls == 2


def test_a_method_timed_on_one_object_is_fed_where_a_culprit_stopped_its_call(
    tmp_path: Path,
) -> None:
    """F (the culprit) changed TEST and OTHER. The method M, timed once on OTHER's object, was
    called by TEST when traced but not reached now: TEST runs again with M measured, for the
    object the figure lacks (dm-sonnet's EMA.reset). A function timed once (N) has no other
    object to time, and a method timed on two objects (P) has its figure; Q was never sampled
    (its measurement is off): none of them is fed."""
    names = ("E.m", "n", "E.p", "E.q")
    m, n, p, q = (Target(f"/p/{name}.py", name, 1, 1, "@tf.function") for name in names)
    rec = ProcessRecord([F, m, n, p, q], tmp_path)
    for nodeid in (TEST, OTHER):
        rec.durations[nodeid] = 0.1
        rec.outcomes[nodeid] = "failed"
        rec.targets[F.key].tests[nodeid] = 1
    for thin, timed in ((m, ["()"]), (n, ["()"]), (p, ["()", "() on object 2"])):
        rec.targets[thin.key].calls = 1
        rec.targets[thin.key].samples["()"] = 1
        rec.targets[thin.key].tests[OTHER] = 1
        rec.targets[thin.key].timings = {key: {} for key in timed}
    rec.targets[q.key].calls = 1
    rec.targets[q.key].tests[OTHER] = 1
    callers: dict[str, list[str] | None] = {
        key: [TEST, OTHER] for key in (F.key, m.key, n.key, p.key, q.key)
    }
    assert fed_when_f_breaks_both(rec, callers) == [(TEST, frozenset({m.key}))]


def test_a_target_in_a_class_body_is_told_from_module_and_nested_functions() -> None:
    """What `_thinly_timed` counts as a method (timed on up to two objects): a def in a class
    body, also a local class's; not a module's function, nor a function nested in a method."""
    assert target("E.m").in_class and target("f.<locals>.C.m").in_class
    assert not target("f").in_class and not target("E.m.<locals>.g").in_class
