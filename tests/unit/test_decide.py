"""Final verdicts of proven conversions that were never timed, and how summaries count them.

A conversion the graph run proved but could not time is not "no speedup" (TH303 means timed and
not faster): it ran only inside other graphs (TH305, nothing to change), or its calls could not
be timed (TH306). Rejections that leave nothing to change are counted apart in every headline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tracehybrid import codes
from tracehybrid.config import Config
from tracehybrid.measure.proof import TargetProof
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import Timing, summarize
from tracehybrid.report.model import build_model
from tracehybrid.report.text import totals_line
from tracehybrid.results.document import summary
from tracehybrid.static import analyze_source
from tracehybrid.verdict import Decision, ProofView, Proposal, Reason, decide
from tracehybrid.verdict.decide import enclosing_graphs

SOURCE = """
import tensorflow as tf


def helper(x):
    return tf.tanh(x) * 2.0


def step(x):
    return helper(x) + tf.reduce_sum(x)


def update(v, x):
    v.assign_add(x)
    return v


@tf.function
def fused(x):
    return tf.reduce_sum(x * x)
"""
CONFIG = Config(root=Path("/project"))
FUNCTIONS = {fn.qualname: fn for fn in analyze_source(SOURCE).functions}


def proposal(qualname: str) -> Proposal:
    return Proposal(FUNCTIONS[qualname], None, "convert_to_hybrid", "@tf.function", "safe")


def target_key(qualname: str) -> str:
    return f"/project/mod.py:{FUNCTIONS[qualname].first_line}:{qualname}"


def proof_of(qualname: str, **facts: Any) -> TargetProof:
    fn = FUNCTIONS[qualname]
    target = Target("/project/mod.py", qualname, fn.line, fn.first_line)
    timing = facts.pop("timing", None)
    return TargetProof(target, "proven", [], facts, timing)


def view(*proofs: TargetProof) -> ProofView:
    return ProofView({p.target.key: p for p in proofs}, {}, 1.0)


def timing(eager_s: float, graph_s: float) -> Timing:
    return Timing(summarize([eager_s] * 7), summarize([graph_s] * 7), None)


def test_a_function_run_only_inside_its_converted_caller_is_already_a_graph_there() -> None:
    proof = view(
        proof_of("helper", calls=0, calls_in_graph=4, graph_tests=["t.py::a", "t.py::b"]),
        proof_of("step", calls=9, tests=["t.py::a", "t.py::b"], timing=timing(2e-3, 1e-3)),
        proof_of("fused", calls=3, tests=["t.py::b"], timing=timing(2e-3, 1e-3)),
    )
    decision = decide(proposal("helper"), proof, target_key("helper"), [1e-3] * 9, CONFIG)
    assert decision.verdict == "rejected"
    (reason,) = decision.reasons
    assert reason.code == "TH305"
    assert reason.message.startswith("Runs inside `step`, `fused`: already a graph there.")
    assert enclosing_graphs(proof, proof.targets[target_key("helper")]) == ["step", "fused"]


def test_without_a_converted_caller_the_outer_graph_is_an_existing_one() -> None:
    proof = view(proof_of("helper", calls=0, calls_in_graph=2, graph_tests=["t.py::a"]))
    decision = decide(proposal("helper"), proof, target_key("helper"), [], CONFIG)
    (reason,) = decision.reasons
    assert reason.code == "TH305"
    assert "inside an existing tf.function or Keras graph" in reason.message


def test_a_proven_function_whose_calls_could_not_be_timed_is_not_timed_not_slow() -> None:
    skipped = {"reason": "stateful", "detail": "changes TensorFlow state"}
    proof = view(proof_of("update", calls=2, steady_calls_s=[1e-4], not_compared=[skipped]))
    decision = decide(proposal("update"), proof, target_key("update"), [1e-3] * 3, CONFIG)
    (reason,) = decision.reasons
    assert reason.code == "TH306"
    assert "(it changes TensorFlow state)" in reason.message
    assert "1 graph calls that did not trace and 2 eager calls" in reason.message


def test_a_timed_function_that_is_not_faster_is_still_no_speedup() -> None:
    proof = view(proof_of("step", calls=9, timing=timing(1e-3, 2e-3)))
    decision = decide(proposal("step"), proof, target_key("step"), [1e-3] * 9, CONFIG)
    assert [r.code for r in decision.reasons] == ["TH303"]


def rejected(qualname: str, *reason_codes: str) -> Decision:
    reasons = [Reason(code, "why.", "runtime", None) for code in reason_codes]
    return Decision(proposal(qualname), "rejected", reasons)


def test_nothing_to_change_is_counted_apart_from_rejections() -> None:
    decisions = [
        rejected("fused", "TH230"),
        rejected("helper", "TH305"),
        rejected("step", "TH211"),
        rejected("update", "TH305", "TH101"),  # a real obstacle too: a rejection
    ]
    counts = summary(decisions, [{"verdict": "rejected", "speedup": None}] * 4)
    assert (counts["rejected"], counts["already_optimal"], counts["inside_graph"]) == (4, 1, 2)
    assert codes.nothing_to_change([]) is None
    assert codes.nothing_to_change(["TH230", "TH305"]) is None


def test_the_headline_after_a_successful_apply_is_not_total_failure() -> None:
    function = {"path": "mod.py", "line": 1, "kind": "hybrid", "refactoring": None}
    entries = [
        {**function, "qualname": f"f{i}", "verdict": "rejected", "reasons": [reason(code)]}
        for i, code in enumerate(["TH230", "TH230", "TH305", "TH101"])
    ]
    document = {
        "format_version": 1,
        "project_root": "/project",
        "functions": entries,
        "summary": {"candidates": 4, "approved": 0, "rejected": 4},
    }
    model = build_model(document, source_root="/nonexistent")
    assert totals_line(model) == (
        "tracehybrid: 4 candidates: 0 approved, 1 rejected, 2 already optimal, "
        "1 already inside a graph"
    )
    assert [doc.code for doc, _ in model.reason_counts()] == ["TH101"]


def reason(code: str) -> dict[str, Any]:
    category = codes.get(code).category
    return {"code": code, "category": category, "message": "m.", "evidence": "runtime"}


def test_a_training_warning_from_its_own_graph_call_rejects() -> None:
    warning = {"test": "t.py::a", "message": "Gradients do not exist for variables", "own": True}
    proof = view(proof_of("step", calls=9, timing=timing(2e-3, 1e-3), warnings=[warning]))
    decision = decide(proposal("step"), proof, target_key("step"), [1e-3] * 9, CONFIG)
    assert decision.verdict == "rejected"
    assert [r.code for r in decision.reasons] == ["TH307"]
    assert "Gradients do not exist" in decision.reasons[0].message


def test_another_graph_warning_makes_a_proven_speedup_an_unsafe_fix() -> None:
    warning = {"test": "t.py::a", "message": "AutoGraph could not transform g", "own": False}
    proof = view(proof_of("step", calls=9, timing=timing(2e-3, 1e-3), warnings=[warning]))
    decision = decide(proposal("step"), proof, target_key("step"), [1e-3] * 9, CONFIG)
    assert decision.verdict == "approved"
    assert decision.proposal.applicability == "unsafe"
    assert [r.code for r in decision.reasons] == ["TH308"]
    assert "a test where it ran as a graph (t.py::a)" in decision.reasons[0].message


def test_tensorflows_retracing_warning_alone_makes_no_fix_unsafe() -> None:
    """It counts calls across every instance's cache: the graph run's own counts judge that."""
    message = "5 out of the last 6 calls to <function call> triggered tf.function retracing."
    warning = {"test": "t.py::a", "message": message, "own": True}
    proof = view(proof_of("step", calls=9, timing=timing(2e-3, 1e-3), warnings=[warning]))
    decision = decide(proposal("step"), proof, target_key("step"), [1e-3] * 9, CONFIG)
    assert decision.verdict == "approved"
    assert decision.proposal.applicability == "safe"
    assert decision.reasons == []


def test_a_proof_of_another_decorator_proves_nothing() -> None:
    """Merged CI shards each proved `@tf.function`; all their calls together propose a signature."""
    proven = proof_of("step", calls=9, timing=timing(2e-3, 1e-3))
    signature = "@tf.function(input_signature=[tf.TensorSpec(shape=[], dtype=tf.int32)])"
    wanted = dataclasses.replace(proposal("step"), decorator=signature)
    decision = decide(wanted, view(proven), target_key("step"), [1e-3] * 9, CONFIG)
    assert decision.verdict == "rejected"
    assert [r.code for r in decision.reasons] == ["TH210"]
    assert "ran it as `@tf.function`" in decision.reasons[0].message
