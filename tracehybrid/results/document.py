"""The parts of the results.json document (contract format 1, extras in docs/results-extras.md)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from tracehybrid import __version__, codes
from tracehybrid.apply.edits import FunctionTarget
from tracehybrid.apply.preview import PatchPreviewer
from tracehybrid.measure.timing import Timing
from tracehybrid.results.storeviews import StoreViews
from tracehybrid.sourcefile import sha256_hex
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict.decide import Decision
from tracehybrid.verdict.evidence import prediction_of
from tracehybrid.verdict.model import CANDIDATE_SOURCES
from tracehybrid.verdict.observed_traces import mismatch_note, predicted_for
from tracehybrid.verdict.speed import speed_interval_fields, suite_effect_fields


def file_hashes(root: Path, paths: set[str]) -> dict[str, str]:
    """sha256 of each analysed file's bytes, as `apply` checks them."""
    hashes = {}
    for rel in sorted(paths):
        try:
            hashes[rel] = sha256_hex((root / rel).read_bytes())
        except OSError:
            continue
    return hashes


def function_entry(
    decision: Decision, fact: CandidateFacts | None, views: StoreViews, key: tuple[str, str, int]
) -> dict[str, Any]:
    """One `functions[]` item (its patch without the preview: see `patch_preview`)."""
    proposal, fn = decision.proposal, decision.proposal.fn
    runtime = _runtime(fact, views, key)
    _add_observed_traces(runtime, decision)
    if decision.proof is not None and decision.proof.alone_unchecked:
        runtime["not_run_alone"] = list(decision.proof.alone_unchecked)
    notes = output_notes(decision.proof.facts) if decision.proof is not None else []
    if notes:
        runtime["output_notes"] = notes
    return {
        "path": fn.path,
        "qualname": fn.qualname,
        "line": fn.line,
        "kind": fn.kind,
        "refactoring": proposal.refactoring,
        "verdict": decision.verdict,
        "reasons": [r.to_dict() for r in decision.reasons],
        "static": fn.to_dict(),
        "runtime": runtime,
        "speedup": _speedup(decision, fact),
        "patch": _patch(decision),
    }


def _patch(decision: Decision) -> dict[str, Any] | None:
    proposal = decision.proposal
    if decision.verdict != "approved" or proposal.refactoring is None:
        return None
    if proposal.decorator is None:
        return None
    return {"decorator": proposal.decorator, "applicability": proposal.applicability}


def patch_preview(decision: Decision, previewer: PatchPreviewer) -> str | None:
    """The `patch.diff` extra: what apply's own codemod writes for this approved change in the
    source under the previewer's root as it is now, the import it adds included; None when
    nothing is written."""
    proposal, fn = decision.proposal, decision.proposal.fn
    if _patch(decision) is None or proposal.refactoring is None or proposal.decorator is None:
        return None
    target = FunctionTarget(fn.qualname, fn.line)
    return previewer.diff(fn.path, target, proposal.refactoring, proposal.decorator)


def _runtime(
    fact: CandidateFacts | None, views: StoreViews, key: tuple[str, str, int]
) -> dict[str, Any]:
    if fact is None:
        return {"calls": 0, "tests": [], "distinct_trace_keys": 0}
    prediction = prediction_of(fact)
    traces = {
        name: _int_or_none(prediction.get(name)) if prediction else None
        for name in ("plain", "reduce_retracing", "signature")
    }
    explanations = prediction.get("explanations") if prediction else None
    return {
        "calls": sum(fact.calls.values()),
        "calls_by_mode": dict(fact.calls),
        "tests": sorted(fact.tests),
        "distinct_trace_keys": traces["plain"]
        if traces["plain"] is not None
        else len(fact.signatures),
        "traces": traces,
        "signatures": [{"args": a, "calls": n} for a, n in views.signature_calls.get(key, [])],
        "retrace_explanations": list(explanations) if isinstance(explanations, list) else [],
        "effects": [
            {
                "code": e.kind,
                "location": f"{e.path}:{e.line}",
                "test": e.tests[0] if e.tests else "",
            }
            for e in fact.effects
        ],
        "graph_only": not fact.calls.get("eager")
        and bool(fact.calls.get("autograph") or fact.calls.get("graph")),
    }


def _add_observed_traces(runtime: dict[str, Any], decision: Decision) -> None:
    """The graph run's trace counts beside the prediction, and a line where they disagree."""
    observed = decision.observed_traces
    if observed is None or decision.proof is None:
        return
    traces = runtime.setdefault("traces", {})
    predicted = predicted_for(decision.proof.target.decorator, traces)
    traces.update(observed.to_json())
    note = mismatch_note(predicted, observed)
    if note is not None:
        traces["prediction_mismatch"] = note


def _speedup(decision: Decision, fact: CandidateFacts | None) -> dict[str, Any] | None:
    timing = decision.timing
    if timing is None or not math.isfinite(timing.ratio) or timing.graph.median_s <= 0:
        return None
    eager, graph = timing.eager, timing.graph
    calls = fact.calls.get("eager", 0) if fact else 0
    return {
        "eager_s_per_call": _sig(eager.median_s),
        "graph_s_per_call": _sig(graph.median_s),
        "ratio": round(timing.ratio, 4),
        **speed_interval_fields(timing),
        "method": decision.timing_method,
        "first_call_s": None if timing.first_call_s is None else _sig(timing.first_call_s),
        "break_even_calls": None if timing.break_even is None else _sig(timing.break_even),
        **_suite_effect(decision, timing, calls),
    }


def _suite_effect(decision: Decision, timing: Timing, calls: int) -> dict[str, Any]:
    """The two figures over this suite: steady state, and with the counted traces' cost."""
    observed = decision.observed_traces
    facts = decision.proof.facts if decision.proof is not None else {}
    trace_calls = [float(s) for s in facts.get("trace_calls_s") or []]
    traces = None if observed is None else observed.traces
    return suite_effect_fields(timing, calls, traces, trace_calls)


def summary(decisions: list[Decision], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract's summary over every candidate."""
    ratios = [e["speedup"]["ratio"] for e in entries if e["verdict"] == "approved" and e["speedup"]]
    approved = sum(1 for d in decisions if d.verdict == "approved")
    unchanged = Counter(
        codes.nothing_to_change(r.code for r in d.reasons)
        for d in decisions
        if d.verdict == "rejected"
    )
    return {
        "candidates": len(decisions),
        "approved": approved,
        "rejected": len(decisions) - approved,
        "mean_speedup": round(statistics.fmean(ratios), 4) if ratios else None,
        "median_speedup": round(statistics.median(ratios), 4) if ratios else None,
        # Of `rejected`, those with nothing to change (see codes.NOTHING_TO_CHANGE).
        "already_optimal": unchanged["already_optimal"],
        "inside_graph": unchanged["inside_graph"],
        # What made each a candidate: static analysis alone, runtime evidence alone, or both.
        "candidate_sources": candidate_sources(decisions),
    }


def candidate_sources(decisions: list[Decision]) -> dict[str, int]:
    """How many candidates static analysis alone, runtime evidence alone, and both found."""
    counted = Counter(d.proposal.source for d in decisions)
    return {source: counted[source] for source in CANDIDATE_SOURCES}


def tool() -> dict[str, str]:
    """The contract's tool object."""
    return {"name": "tracehybrid", "version": __version__}


def _sig(value: float) -> float:
    """Six significant figures: what proof.json keeps, so `report` rebuilds identical numbers."""
    return float(f"{value:.6g}")


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None


#: The `not_compared` reasons that are a difference between eager and graph seen and set aside,
#: not a call that was never compared (random or stateful ops): what a reader should see.
SET_ASIDE = ("not_reproduced", "nondeterministic")
MAX_OUTPUT_NOTES = 5


def output_notes(facts: dict[str, Any]) -> list[str]:
    """results.json's `runtime.output_notes`: each difference between eager and graph outputs
    (or gradients) that did not reject, and why (not reproduced, or eager itself varies)."""
    notes: list[str] = []
    for item in facts.get("not_compared") or []:
        if not isinstance(item, dict) or item.get("reason") not in SET_ASIDE:
            continue
        note = f"{str(item['reason']).replace('_', ' ')}: {item.get('detail', '')}"
        if note not in notes:
            notes.append(note)
    return notes[:MAX_OUTPUT_NOTES]
