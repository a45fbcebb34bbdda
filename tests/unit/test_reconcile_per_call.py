"""The verdict of a tf.function created on every call: TH197, never TH230 "already optimal"."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import analyze_source
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict import Proposal, reconcile

ROOT = Path("/project")
SOURCE = """
import tensorflow as tf

def fast_eval(x):
    @tf.function
    def _run(y):
        return tf.reduce_sum(y * 2.0)
    return _run(x)

@tf.function
def step(x):
    return tf.reduce_sum(x * 2.0)
"""
INNER = "fast_eval.<locals>._run"


def propose(qualname: str, calls: dict[str, int] | None) -> Proposal:
    """The proposal for `qualname`, with store-shaped runtime facts (None: the run missed it)."""
    functions = analyze_source(SOURCE, path="mod.py", module="mod").functions
    fn = next(f for f in functions if f.qualname == qualname)
    runtime = {}
    if calls is not None:
        prediction: dict[str, object] = {
            "source": "p1",
            "plain": 1,  # every call has the same signature: one trace per cache, as predicted
            "reduce_retracing": 1,
            "signature": None,
            "untraceable": None,
            "explanations": [],
            "detail": {},
        }
        fact = CandidateFacts(
            path=str(ROOT / "mod.py"),
            qualname=qualname,
            line=fn.line,
            first_line=fn.first_line,
            kind="hybrid",
            calls=calls,
            tests={"tests/test_mod.py::test_eval": "passed"},
            signatures=["y: tensor float32[3]"],
            predictions=[prediction],
        )
        runtime[fact.key] = fact
    proposals = reconcile(functions, runtime, Config(root=ROOT))
    return next(p for p in proposals if p.fn.qualname == qualname)


def test_every_call_traced_confirms_it_at_run_time() -> None:
    proposal = propose(INNER, {"eager": 9, "trace": 9})
    assert (proposal.refactoring, proposal.decorator, proposal.to_prove) == (None, None, False)
    (reason,) = proposal.reasons
    assert (reason.code, reason.category, reason.evidence) == ("TH197", "retracing", "both")
    assert reason.location == "mod.py:6"
    assert "called 9 times and its graph was traced 9 times: every call traced" in reason.message
    assert "created anew on every call of `fast_eval`" in reason.message


def test_a_run_that_cannot_tell_leaves_the_static_finding() -> None:
    once = propose(INNER, {"eager": 1, "trace": 1})
    (reason,) = once.reasons
    assert (reason.code, reason.evidence) == ("TH197", "static")
    assert "called once and traced once" in reason.message
    missed = propose(INNER, None)
    assert [(r.code, r.evidence) for r in missed.reasons] == [("TH197", "static")]
    assert "Under the tests" not in missed.reasons[0].message


def test_a_tf_function_created_once_is_still_already_optimal() -> None:
    proposal = propose("step", {"eager": 9, "trace": 1})
    assert [r.code for r in proposal.reasons] == ["TH230"]


def test_the_enclosing_function_is_not_blocked_by_it() -> None:
    proposal = propose("fast_eval", {"eager": 9})
    assert "TH197" not in [r.code for r in proposal.reasons]
    assert proposal.refactoring == "convert_to_hybrid"
