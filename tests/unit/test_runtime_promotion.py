"""Issue 15.1: functions static analysis cannot type are traced; the tests' tensors promote them."""

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
import tensorflow as tf

def rescale(images, gain):
    return images * gain

def pipeline(images, gain):
    return rescale(images, gain)

def noisy_rescale(images, gain):
    print("rescaling", gain)
    return images * gain

def identity(images):
    return images

def describe(count):
    return f"{count} items"

def clean(x):
    return tf.reduce_sum(x * 2.0)

class Layer:
    def __init__(self, gain):
        self.gain = gain * 2
"""


def facts() -> dict[str, FunctionFacts]:
    project = analyze_source(SOURCE, path="mod.py", module="mod")
    return {fn.qualname: fn for fn in project.functions}


def runtime(
    fn: FunctionFacts, signatures: list[str], plain: int = 1, explanations: list[str] | None = None
) -> CandidateFacts:
    """Runtime facts as `store.reader.read_facts` returns them: passing tests, eager calls."""
    prediction: dict[str, object] = {
        "source": "p1",
        "plain": plain,
        "reduce_retracing": plain,
        "signature": None,
        "untraceable": None,
        "explanations": explanations or [],
    }
    return CandidateFacts(
        path=str(ROOT / fn.path),
        qualname=fn.qualname,
        line=fn.line,
        first_line=fn.first_line,
        kind=fn.kind,
        calls={"eager": max(3, plain)},
        tests={"tests/test_mod.py::test_it": "passed"},
        signatures=signatures,
        predictions=[prediction],
    )


def propose(seen: dict[str, CandidateFacts]) -> dict[str, Proposal]:
    found = facts()
    keyed = {(f.path, f.qualname, f.first_line): f for f in seen.values()}
    return {p.fn.qualname: p for p in reconcile(list(found.values()), keyed, CONFIG)}


TENSORS = ["images: tensor float32[8,4], gain: float=0.5"]


def test_untyped_functions_that_compute_are_traced_but_not_static_candidates() -> None:
    found = facts()
    for name in ("rescale", "pipeline", "noisy_rescale"):
        fn = found[name]
        assert (fn.is_candidate, fn.promotable, fn.watched) == (False, True, True), name
        assert fn.tensor_computation.value == "unknown", name
    assert "`images`" in found["rescale"].tensor_computation.reason
    assert "calls `rescale" in found["pipeline"].tensor_computation.reason
    # Nothing to stage whatever flows in, a lifecycle method, or already a static candidate.
    for name in ("identity", "describe", "Layer.__init__", "clean"):
        assert not found[name].promotable, name


def test_a_tensor_from_the_tests_promotes_it_to_a_candidate() -> None:
    fn = facts()["rescale"]
    proposal = propose({"rescale": runtime(fn, TENSORS)})["rescale"]
    assert proposal.source == "runtime"
    assert proposal.to_prove
    assert (proposal.refactoring, proposal.decorator) == ("convert_to_hybrid", "@tf.function")


def test_without_a_tensor_it_stays_out_as_before() -> None:
    found = facts()
    proposals = propose(
        {
            "rescale": runtime(found["rescale"], ["images: float=2.0, gain: float=0.5"]),
            "pipeline": runtime(found["pipeline"], []),
        }
    )
    assert "rescale" not in proposals
    assert "pipeline" not in proposals
    assert "noisy_rescale" not in proposals  # never called at all
    assert set(proposals) == {"clean"}


def test_a_print_still_rejects_a_promoted_function_with_its_reason() -> None:
    fn = facts()["noisy_rescale"]
    proposal = propose({"noisy_rescale": runtime(fn, TENSORS)})["noisy_rescale"]
    assert proposal.source == "runtime"
    assert not proposal.to_prove
    (printed,) = [r for r in proposal.blockers if r.code == "TH101"]
    assert printed.category == "side_effect"
    assert "print" in printed.message
    assert printed.location == "mod.py:11"


def test_a_python_float_that_changes_every_call_still_retraces_and_says_so() -> None:
    fn = facts()["rescale"]
    signatures = [f"images: tensor float32[8,4], gain: float={g / 10}" for g in range(9)]
    because = [f"gain: Python float keyed by value ({g / 10})" for g in range(1, 9)]
    fact = runtime(fn, signatures, plain=9, explanations=because)
    proposal = propose({"rescale": fact})["rescale"]
    assert proposal.source == "runtime"
    (retrace,) = [r for r in proposal.blockers if r.code == "TH201"]
    assert retrace.category == "retracing"
    assert "9 traces" in retrace.message and "gain: Python float" in retrace.message


def test_static_candidates_say_whether_the_run_confirmed_them() -> None:
    fn = facts()["clean"]
    assert propose({"clean": runtime(fn, ["x: tensor float32[3]"])})["clean"].source == "both"
    assert propose({})["clean"].source == "static"
