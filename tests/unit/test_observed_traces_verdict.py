"""Traces judged on what the graph run counted, and the two figures over the test suite.

A layer the tests build anew in each test traces once per instance: set-up cost, shown as such,
never retracing. One object retracing on every call counts against `max-traces`. A prediction
the count does not bear out is reported beside it, and the tests' figure counts the traces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracehybrid.config import Config
from tracehybrid.contract.entries import function_result
from tracehybrid.measure.proof import TargetProof
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import Timing, summarize
from tracehybrid.results.document import function_entry
from tracehybrid.results.storeviews import StoreViews
from tracehybrid.static import analyze_source
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict import ProofView, Proposal, decide
from tracehybrid.verdict.observed_traces import ObservedTraces, mismatch_note, predicted_for
from tracehybrid.verdict.speed import suite_effect_fields

SOURCE = """
import tensorflow as tf


class Dense(tf.Module):
    def __call__(self, x):
        return tf.tanh(x) * 2.0
"""
CONFIG = Config(root=Path("/project"), max_traces=4)
(FN,) = [fn for fn in analyze_source(SOURCE).functions if fn.qualname == "Dense.__call__"]
KEY = f"/project/mod.py:{FN.first_line}:{FN.qualname}"
FAST = Timing(summarize([2e-3] * 7), summarize([1e-3] * 7), None)  # 2x, 1 ms saved per call


def proof(traces: int, objects: int, busiest: int, calls: int = 96) -> TargetProof:
    target = Target("/project/mod.py", FN.qualname, FN.line, FN.first_line)
    facts: dict[str, Any] = {"calls": calls, "traces": traces, "trace_calls_s": [0.051]}
    facts |= {"traced_objects": objects, "max_object_traces": busiest}
    return TargetProof(target, "proven", [], facts, FAST)


def decide_on(target: TargetProof) -> Any:
    proposal = Proposal(FN, None, "convert_to_hybrid", "@tf.function", "safe")
    return decide(proposal, ProofView({KEY: target}, {}, 1.0), KEY, [2e-3] * 97, CONFIG)


def entry_of(target: TargetProof, predicted_plain: int) -> dict[str, Any]:
    fact = CandidateFacts("/project/mod.py", FN.qualname, FN.line, FN.first_line, "eager")
    fact.calls = {"eager": 96}
    fact.predictions = [{"source": "combined", "plain": predicted_plain}]
    decision = decide_on(target)
    return function_entry(decision, fact, StoreViews(), ("/project/mod.py", FN.qualname, 1))


def test_a_layer_built_per_test_traces_once_per_instance_as_set_up_not_retracing() -> None:
    decision = decide_on(proof(traces=96, objects=96, busiest=1))
    assert decision.verdict == "approved"
    assert not [r for r in decision.reasons if r.code == "TH201"]
    observed = decision.observed_traces
    assert observed is not None and (observed.retraces, observed.setup_traces) == (0, 96)
    assert observed.describe() == (
        "the tests built 96 objects and each traced once: set-up cost per object, not retracing"
    )


def test_one_object_retracing_on_every_call_counts_against_max_traces() -> None:
    decision = decide_on(proof(traces=12, objects=1, busiest=12, calls=12))
    assert decision.verdict == "rejected"
    (reason,) = [r for r in decision.reasons if r.code == "TH201"]
    assert reason.evidence == "measurement"
    assert "counted 12 traces in its cache (limit 4; 12 traces in all)" in reason.message


def test_retracing_within_one_of_many_objects_is_judged_on_the_busiest_cache() -> None:
    decision = decide_on(proof(traces=30, objects=6, busiest=5))
    (reason,) = [r for r in decision.reasons if r.code == "TH201"]
    assert "counted 5 traces in one object's cache (limit 4; 30 traces in all)" in reason.message


def test_a_prediction_the_graph_run_does_not_bear_out_is_reported_with_both_numbers() -> None:
    entry = entry_of(proof(traces=96, objects=96, busiest=1), predicted_plain=64)
    traces = entry["runtime"]["traces"]
    assert (traces["plain"], traces["observed"], traces["instances"]) == (64, 96, 96)
    assert traces["prediction_mismatch"].startswith(
        "predicted 64 traces from the traced run; the graph run counted 96 (the tests built 96"
    )
    read = function_result(entry).runtime.traces
    assert read is not None and read.observed == 96 and read.setup_only
    assert read.prediction_mismatch == traces["prediction_mismatch"]


def test_an_agreeing_prediction_is_no_mismatch_and_the_decorator_picks_the_prediction() -> None:
    observed = ObservedTraces(traces=3, instances=1, per_instance=3)
    assert mismatch_note(3, observed) is None
    counts = {"plain": 9, "reduce_retracing": 3, "signature": 1}
    assert predicted_for("@tf.function(reduce_retracing=True)", counts) == 3
    assert predicted_for("@tf.function(input_signature=[...])", counts) == 1
    assert predicted_for("@tf.function", counts) == 9


def test_the_suite_figure_is_negative_when_tracing_dominates() -> None:
    entry = entry_of(proof(traces=96, objects=96, busiest=1), predicted_plain=96)
    speedup = entry["speedup"]
    assert speedup["ratio"] == 2.0  # the steady-state figure stays as it was
    assert speedup["seconds_saved_steady"] == 0.096  # 96 calls x 1 ms
    assert speedup["tracing_s"] == 4.8  # 96 traces x (51 ms - 1 ms)
    assert speedup["seconds_saved"] == -4.704  # the tests get slower
    read = function_result(entry).speedup
    assert read is not None and read.seconds_saved == -4.704 and read.traces_counted == 96


def test_without_a_trace_count_the_steady_figure_is_all_there_is() -> None:
    fields = suite_effect_fields(FAST, calls=10, traces=None, trace_calls_s=[])
    assert fields["seconds_saved"] == fields["seconds_saved_steady"] == 0.01
    assert fields["tracing_s"] is None
