"""Final verdicts: a proposal plus what the graph-mode rerun proved and measured."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tracehybrid.config import Config
from tracehybrid.measure.interval import Samples
from tracehybrid.measure.proof import TargetProof
from tracehybrid.measure.timing import Timing, timing_of_samples
from tracehybrid.verdict.model import Proposal, Reason, Verdict
from tracehybrid.verdict.observed_traces import ObservedTraces, retracing_reason
from tracehybrid.verdict.proofview import ProofView
from tracehybrid.verdict.signature_fix import eager_measures_better
from tracehybrid.verdict.speed import judge_speed

UNPROVEN = {"not_wrapped", "not_called", "inconclusive"}
PASSIVE_MIN_CALLS = 5  # calls needed on each side before the tests' own calls count as a timing


@dataclass
class Decision:
    """The verdict of one candidate, its reasons, and the measured speedup when there is one."""

    proposal: Proposal
    verdict: Verdict
    reasons: list[Reason]
    timing: Timing | None = None
    timing_method: str | None = None  # replay: timed on copies of the tests' inputs; passive
    proof: TargetProof | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def observed_traces(self) -> ObservedTraces | None:
        """The traces the graph run counted for it, when it ran as a graph."""
        return ObservedTraces.of(self.proof)


def decide(
    proposal: Proposal,
    proof: ProofView | None,
    target_key: str,
    eager_call_s: list[float],
    config: Config,
) -> Decision:
    """Approve a proposal only when the rerun proved it and, for a conversion, it got faster."""
    if not proposal.to_prove:
        return Decision(proposal, "rejected", proposal.reasons)
    target = proof.targets.get(target_key) if proof else None
    if target is None:
        reason = Reason("TH210", "The graph-mode rerun did not run it.", "measurement", None)
        return Decision(proposal, "rejected", [*proposal.reasons, reason])
    where = f"{proposal.fn.path}:{proposal.fn.line}"
    other_form = _proven_in_another_form(proposal, target, where)
    if other_form is not None:
        return Decision(proposal, "rejected", [*proposal.reasons, other_form], proof=target)
    failure = _proof_failure(target, where) or _graph_warning(target, where)
    if failure is not None:
        return Decision(proposal, "rejected", [*proposal.reasons, failure], proof=target)
    if proposal.refactoring == "dehybridize":  # nothing to time: it goes back to eager
        return Decision(proposal, "approved", list(proposal.reasons), proof=target)
    observed = ObservedTraces.of(target)
    retracing = retracing_reason(observed, target.target.decorator, config.max_traces, where)
    if retracing is not None:  # judged on what the graph run saw, not on the prediction
        return Decision(proposal, "rejected", [*proposal.reasons, retracing], proof=target)
    timing, method = _timing(target, eager_call_s)
    eager = eager_measures_better(proposal, timing, where)  # rules' hook (TH205)
    if eager is not None:
        return Decision(eager, "approved", eager.reasons, proof=target)
    eager_calls = max(0, len(eager_call_s) - 1)  # as _timing counts them: the first dropped
    decision = Decision(proposal, "approved", list(proposal.reasons), timing, method, target)
    if proposal.refactoring == "convert_to_hybrid" and timing is None:
        decision.verdict = "rejected"
        decision.reasons.append(_untimed(target, proof, eager_calls, where))
    elif proposal.refactoring == "convert_to_hybrid":
        _judge_conversion(decision, where, config)
    if decision.verdict == "approved" and target.facts.get("warnings"):
        _downgrade_for_warnings(decision, target, where)
    return decision


#: Warnings that reject when the function's own graph form raised them: training would break.
_TRAINING_WARNINGS = re.compile(r"Gradients do not exist|[Cc]reat\w* (?:a )?(?:tf\.)?[Vv]ariable")


def _graph_warning(target: TargetProof, where: str) -> Reason | None:
    for item in target.facts.get("warnings", []):
        message = str(item.get("message", ""))
        if item.get("own") and _TRAINING_WARNINGS.search(message):
            text = f'As a graph it made TensorFlow warn: "{message}" (in {item.get("test")}).'
            return Reason("TH307", text, "measurement", where)
    return None


#: TensorFlow's retracing warning counts calls across every instance's cache; the graph run's own
#: trace counts per object judge retracing (TH201), so it makes no fix unsafe on its own.
_RETRACING_WARNING = "triggered tf.function retracing"


def _proven_in_another_form(proposal: Proposal, target: TargetProof, where: str) -> Reason | None:
    """TH210 when the graph run ran it with another decorator than the one proposed now: merged
    CI shards each proved what their own calls proposed (`@tf.function`), and the calls of all
    of them propose another (an input_signature), which no shard ever ran."""
    if proposal.refactoring == "dehybridize" or proposal.decorator is None:
        return None
    proven, proposed = target.target.decorator.strip(), proposal.decorator.strip()
    if proven == proposed:
        return None
    message = (
        f"It could not be proven as a graph under the tests: they ran it as `{proven}`, and "
        f"the evidence now proposes `{proposed}` (prove it in that form: two-stage mode, "
        "docs/ci.md)."
    )
    return Reason("TH210", message, "measurement", where)


def _downgrade_for_warnings(decision: Decision, target: TargetProof, where: str) -> None:
    """Proven and faster, but TensorFlow warned where it ran as a graph: an unsafe fix."""
    warned = [
        w for w in target.facts["warnings"] if _RETRACING_WARNING not in str(w.get("message"))
    ]
    if not warned:
        return
    first = warned[0]
    whose = "its own graph call" if first.get("own") else "a test where it ran as a graph"
    message = (
        f'TensorFlow warned in {whose} ({first.get("test")}): "{first.get("message")}"; '
        "applied only with --unsafe-fixes."
    )
    decision.proposal.applicability = "unsafe"
    decision.reasons.append(Reason("TH308", message, "measurement", where))


def _proof_failure(target: TargetProof, where: str) -> Reason | None:
    if target.status == "graph_failure":
        tests = ", ".join(t.get("test", "?") for t in target.failing_tests[:3])
        crash = next((t.get("crash") for t in target.failing_tests if t.get("crash")), "")
        detail = (f", {target.note}" if target.note else "") + (f"; {crash}" if crash else "")
        message = f"As a graph it changed the outcome of {tests or 'a test'}{detail}."
        if not tests:
            message = f"As a graph it raised where the eager function did not ({target.note})."
        return Reason("TH301", message, "measurement", where)
    if target.status == "output_mismatch":
        return Reason("TH302", _mismatch_message(target), "measurement", where)
    if target.status in UNPROVEN:
        message = (
            f"It could not be proven as a graph under the tests: {target.note or target.status}."
        )
        return Reason("TH210", message, "measurement", where)
    return None


def _mismatch_message(target: TargetProof) -> str:
    first = (target.facts.get("mismatches") or [{}])[0]
    test = first.get("test", "a test")
    if first.get("kind") == "gradient":  # outputs agree; training through it would not
        return (
            f"As a graph its outputs match, but the {first.get('path', 'gradient')} "
            f"{first.get('detail', 'differs')} (in {test})."
        )
    return (
        f"The graph's output differs from the eager output at {first.get('path', '?')} "
        f"({first.get('detail', '')}) in {test}."
    )


def _timing(target: TargetProof, eager_call_s: list[float]) -> tuple[Timing | None, str | None]:
    """Replay timing where the measurer could re-run the call; otherwise the tests' own calls.

    Passive timing compares the traced run's eager calls (the first dropped: it pays one-time
    kernel set-up) with the graph run's calls that did not trace. It needs enough calls on both
    sides to mean anything; functions with stateful ops (variable updates) cannot be replayed.
    """
    if target.timing is not None:
        return _as_recorded(target.timing), "replay"
    steady = [float(s) for s in target.facts.get("steady_calls_s", [])]
    eager = eager_call_s[1:]
    if len(steady) < PASSIVE_MIN_CALLS or len(eager) < PASSIVE_MIN_CALLS:
        return None, None
    eager_call_s = eager
    firsts = target.facts.get("trace_calls_s") or []
    first = float(firsts[0]) if firsts else None
    # Two runs' calls, not back to back: the interval resamples each side on its own.
    samples = Samples(tuple(eager_call_s), tuple(steady), paired=False)
    return _as_recorded(timing_of_samples(samples, first)), "passive"


def _as_recorded(timing: Timing) -> Timing:
    """The timing rounded as proof.json records it, so `report` rebuilds identical figures."""
    return Timing.from_json(timing.to_json())


def _untimed(target: TargetProof, proof: ProofView | None, eager_calls: int, where: str) -> Reason:
    """Why a proven conversion has no timing: it only ran inside other graphs (TH305), or its
    calls could not be timed (TH306). Neither is TH303, which means "timed, and not faster"."""
    facts = target.facts
    if not facts.get("calls") and facts.get("calls_in_graph"):
        outer = enclosing_graphs(proof, target) if proof is not None else []
        names = ", ".join(f"`{name}`" for name in outer[:3]) + (", ..." if len(outer) > 3 else "")
        inside = f"inside {names}" if outer else "inside an existing tf.function or Keras graph"
        message = (
            f"Runs {inside}: already a graph there. In the graph-mode run it was only called "
            "while an outer graph was traced, so converting it too gains nothing."
        )
        return Reason("TH305", message, "measurement", where)
    steady = len(facts.get("steady_calls_s") or [])
    skipped = next((item.get("detail") for item in facts.get("not_compared") or []), None)
    why = "none of its calls was timed by replay"
    if skipped:
        why = f"its calls were not replayed for timing (it {skipped})"
    message = (
        f"Proven as a graph, but not timed: {why}, and the tests made {steady} graph calls that "
        f"did not trace and {eager_calls} eager calls after the first, fewer than the "
        f"{PASSIVE_MIN_CALLS} each needed to time those instead."
    )
    return Reason("TH306", message, "measurement", where)


def enclosing_graphs(proof: ProofView, target: TargetProof) -> list[str]:
    """The other targets that ran as graphs in the tests where TARGET was called only inside an
    outer graph, most shared tests first: the graphs it most likely ran inside. The graph run
    records no call stacks, so this is read from the tests both were called in."""
    inside = set(target.facts.get("graph_tests") or ())
    shared: dict[str, int] = {}
    for other in proof.targets.values():
        if other is target or other.target.dehybridize:
            continue
        common = len(inside & set(other.facts.get("tests") or ()))
        if common:
            shared[other.target.qualname] = max(shared.get(other.target.qualname, 0), common)
    return sorted(shared, key=lambda name: (-shared[name], name))


def _judge_conversion(decision: Decision, where: str, config: Config) -> None:
    for finding in judge_speed(
        decision.timing, config.min_speedup, config.expected_calls_per_trace
    ):
        decision.verdict = "rejected"
        decision.reasons.append(Reason(finding.code, finding.message, "measurement", where))
