"""Rules: a Python number that changes on every call gets the scalar-signature fix (TH205), for an
existing tf.function and for a conversion; without a signature the old advice stays, with why;
an existing tf.function whose signature graph measured slower than its eager body goes eager."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.measure.interval import Samples
from tracehybrid.measure.timing import Timing, timing_of_samples
from tracehybrid.static import analyze_source
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict import Proposal, reconcile
from tracehybrid.verdict.signature_fix import eager_measures_better

ROOT = Path("/project")
SOURCE = """
import tensorflow as tf

@tf.function(jit_compile=True)
def rotate(points, angle):
    return points * tf.cos(angle)

def scale(points, gain):
    return tf.reduce_sum(points * gain)
"""
SIGNATURE = (
    "[tf.TensorSpec(shape=[3, 2], dtype=tf.float32), tf.TensorSpec(shape=[], dtype=tf.float32)]"
)


def propose(qualname: str, *, signature: str | None, scalars: list[str]) -> Proposal:
    """The proposal for nine calls, each with a new angle: nine traces, reduce_retracing no help."""
    functions = analyze_source(SOURCE, path="mod.py", module="mod").functions
    fn = next(f for f in functions if f.qualname == qualname)
    detail = {
        "per_cache_plain": 9,
        "signature_source": signature,
        "signature_python_scalars": scalars,
        "signature_withheld": None if signature else "angle: not a tensor or ndarray",
    }
    prediction: dict[str, object] = {
        "source": "p1",
        "plain": 9,
        "reduce_retracing": 9,
        "signature": 1 if signature else None,
        "untraceable": None,
        "explanations": [f"angle: 0.{i} (was 0.{i - 1})" for i in range(1, 9)],
        "detail": detail,
    }
    fact = CandidateFacts(
        path=str(ROOT / "mod.py"), qualname=qualname, line=fn.line, first_line=fn.first_line,
        kind="eager", calls={"eager": 9}, tests={"t.py::test_it": "passed"},
        signatures=["points: tensor float32[3,2]; angle: 0.1"], predictions=[prediction],
    )  # fmt: skip
    facts = {(fact.path, qualname, fn.first_line): fact}
    return next(p for p in reconcile(functions, facts, Config(root=ROOT)) if p.fn is fn)


def test_an_existing_tf_function_gets_the_scalar_signature_not_eager() -> None:
    proposal = propose("rotate", signature=SIGNATURE, scalars=["angle"])
    assert proposal.to_prove
    assert (proposal.refactoring, proposal.applicability) == ("optimize_hybrid", "unsafe")
    assert proposal.decorator == f"@tf.function(jit_compile=True, input_signature={SIGNATURE})"
    (fix,) = proposal.fixes
    assert fix.code == "TH205"
    assert "gives `angle` a scalar TensorSpec" in fix.message
    assert "`if angle > 0` becomes a tensor condition" in fix.message
    assert "going back to eager (removing @tf.function) is what remains" in fix.message


def test_a_conversion_retracing_on_a_number_is_proposed_with_the_signature() -> None:
    signature = SIGNATURE.replace("angle", "gain")
    proposal = propose("scale", signature=signature, scalars=["gain"])
    assert proposal.to_prove
    assert proposal.refactoring == "convert_to_hybrid"
    assert proposal.decorator == f"@tf.function(input_signature={signature})"
    assert proposal.applicability == "unsafe"
    assert [r.code for r in proposal.reasons] == ["TH205"]
    assert "the function stays eager" in proposal.reasons[0].message


def test_without_a_signature_the_old_advice_stays_and_says_why() -> None:
    hybrid = propose("rotate", signature=None, scalars=[])
    assert (hybrid.refactoring, hybrid.applicability) == ("dehybridize", "safe")
    assert "(angle: not a tensor or ndarray)" in hybrid.fixes[0].message
    eager = propose("scale", signature=None, scalars=[])
    assert not eager.to_prove
    assert [r.code for r in eager.blockers] == ["TH201"]


def test_a_tensor_only_signature_keeps_th201() -> None:
    proposal = propose("rotate", signature=SIGNATURE, scalars=[])
    assert [r.code for r in proposal.fixes] == ["TH201"]
    assert proposal.fixes[0].message.endswith("A synthesized input_signature traces once.")


def timing(eager_ms: float, graph_ms: float) -> Timing:
    """Twenty paired repeats around the given medians (a little noise for the interval)."""
    wobble = [1.0 + 0.01 * (i % 5 - 2) for i in range(20)]
    eager = tuple(eager_ms * 1e-3 * w for w in wobble)
    graph = tuple(graph_ms * 1e-3 * w for w in reversed(wobble))
    return timing_of_samples(Samples(eager, graph), 0.2)


def test_a_signature_graph_clearly_slower_than_eager_goes_back_to_eager() -> None:
    proposal = propose("rotate", signature=SIGNATURE, scalars=["angle"])
    eager = eager_measures_better(proposal, timing(0.35, 0.9), "mod.py:5")
    assert eager is not None
    assert (eager.refactoring, eager.decorator, eager.applicability) == (
        "dehybridize",
        "",
        "unsafe",
    )
    assert [r.code for r in eager.reasons] == ["TH205", "TH201"]
    assert "0.9 ms against 0.35 ms" in eager.reasons[1].message
    assert proposal.refactoring == "optimize_hybrid"  # decide runs twice: the proposal is kept


def test_a_signature_graph_that_is_faster_or_unclear_keeps_the_signature() -> None:
    proposal = propose("rotate", signature=SIGNATURE, scalars=["angle"])
    assert eager_measures_better(proposal, timing(2.0, 0.5), "mod.py:5") is None
    assert eager_measures_better(proposal, timing(1.0, 1.0), "mod.py:5") is None
    assert eager_measures_better(proposal, None, "mod.py:5") is None
    tensor_only = propose("rotate", signature=SIGNATURE, scalars=[])  # TH201, not TH205
    assert eager_measures_better(tensor_only, timing(0.35, 0.9), "mod.py:5") is None
    conversion = propose("scale", signature=SIGNATURE, scalars=["gain"])
    assert eager_measures_better(conversion, timing(0.35, 0.9), "mod.py:5") is None
