"""Issue 15.4: a function of Python scalars that builds much graph is judged by its traces."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import analyze_source
from tracehybrid.static.model import FunctionFacts
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict import Proposal, reconcile

ROOT = Path("/project")
CONFIG = Config(root=ROOT)

SOURCE = """
import math
import tensorflow as tf

def positional_encoding(length: int, depth: int) -> tf.Tensor:
    positions = tf.range(length, dtype=tf.float32)[:, tf.newaxis]
    rates = tf.pow(10000.0, -tf.range(0, depth, 2, dtype=tf.float32) / float(depth))
    angles = positions * rates[tf.newaxis, :]
    table = tf.stack([tf.sin(angles), tf.cos(angles)], axis=-1)
    return tf.reshape(table, [length, 2 * math.ceil(depth / 2)])[:, :depth]

def table_size(length, depth):
    print("table", length, depth)
    return tf.zeros([length, depth])

def shape_of(length):
    return [int(tf.range(length).shape[0])]
"""

INTS = [
    "length: int=12, depth: int=16",
    "length: int=5, depth: int=7",
    "length: int=30, depth: int=8",
]


def facts(source: str = SOURCE) -> dict[str, FunctionFacts]:
    project = analyze_source(source, path="mod.py", module="mod")
    return {fn.qualname: fn for fn in project.functions}


def propose(name: str, signatures: list[str], plain: int = 3, source: str = SOURCE) -> Proposal:
    fn = facts(source)[name]
    prediction: dict[str, object] = {
        "source": "p1",
        "plain": plain,
        "reduce_retracing": plain,
        "explanations": [f"length: Python int keyed by value ({n})" for n in range(plain - 1)],
    }
    fact = CandidateFacts(
        path=str(ROOT / fn.path),
        qualname=name,
        line=fn.line,
        first_line=fn.first_line,
        kind="eager",
        calls={"eager": max(plain, 3)},
        tests={"tests/test_mod.py::test_it": "passed"},
        signatures=signatures,
        predictions=[prediction],
    )
    runtime = {(fact.path, name, fn.first_line): fact}
    (proposal,) = [
        p for p in reconcile(list(facts(source).values()), runtime, CONFIG) if p.fn.qualname == name
    ]
    return proposal


def codes_of(proposal: Proposal) -> set[str]:
    return {r.code for r in proposal.reasons}


def test_python_scalars_only_go_to_the_proof_with_few_traces() -> None:
    fn = facts()["positional_encoding"]
    (cast,) = [f for f in fn.findings if f.code == "TH132"]
    assert cast.if_tensor == ("depth",)  # `float(depth)` converts a tensor only if depth is one
    assert fn.returns_tensor and fn.tensor_computation.is_yes
    proposal = propose("positional_encoding", INTS)
    assert proposal.to_prove, proposal.reasons
    assert (proposal.refactoring, proposal.decorator) == ("convert_to_hybrid", "@tf.function")


def test_many_distinct_values_reject_it_for_retracing() -> None:
    signatures = [f"length: int={n}, depth: int=8" for n in range(9)]
    proposal = propose("positional_encoding", signatures, plain=9)
    assert not proposal.to_prove
    assert codes_of(proposal) == {"TH201"}
    assert "9 traces" in proposal.blockers[0].message


def test_a_tensor_for_the_cast_parameter_keeps_the_finding() -> None:
    signatures = [*INTS, "length: int=4, depth: tensor int32[]"]
    proposal = propose("positional_encoding", signatures)
    assert "TH132" in codes_of(proposal)
    assert not proposal.to_prove


def test_a_tensor_passed_by_a_project_call_is_not_refuted_by_the_tests() -> None:
    source = SOURCE + "\ndef user(n):\n    return positional_encoding(8, tf.constant(n))\n"
    assert (
        facts(source)["positional_encoding"]
        .param("depth")
        .tensor.reason.startswith("receives a tensor")
    )
    proposal = propose("positional_encoding", INTS, source=source)
    assert "TH132" in codes_of(proposal)


def test_other_findings_still_reject_it() -> None:
    proposal = propose("table_size", ["length: int=2, depth: int=3"], plain=1)
    assert "TH101" in codes_of(proposal)
    assert not proposal.to_prove


def test_without_a_tensor_result_no_tensor_inputs_still_rejects() -> None:
    proposal = propose("shape_of", ["length: int=3"], plain=1)
    assert not proposal.to_prove
    assert "TH191" in codes_of(proposal)
