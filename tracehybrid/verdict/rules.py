"""The decision rules: which refactoring to propose for an eager or an existing graph function."""

from __future__ import annotations

from tracehybrid.static.model import FunctionFacts
from tracehybrid.verdict.evidence import FunctionEvidence
from tracehybrid.verdict.model import Proposal, Reason
from tracehybrid.verdict.signature_fix import signature_fix, signature_source, signature_withheld

# Categories that make an existing tf.function graph-hostile: a graph loses that Python behaviour.
HOSTILE = frozenset(
    {
        "side_effect",
        "global_write",
        "mutation",
        "tensor_to_python",
        "nondeterminism",
        "variable_creation",
    }
)
NO_TENSOR_CODES = frozenset({"TH191", "TH192"})
RELAXED = "reduce_retracing=True"


def eager_proposal(ev: FunctionEvidence) -> Proposal:
    """convert_to_hybrid, with the blockers that keep it from being proven."""
    fn = ev.fn
    proposal = Proposal(fn, ev.fact, "convert_to_hybrid", "@tf.function")
    proposal.applicability = "unsafe" if fn.unknowns else "safe"
    proposal.blockers += ev.effect_reasons()
    if computes_without_arguments(ev.fn) or ev.python_valued():
        # No argument means one trace, Python values one per value (weighed below): the graph
        # can still pay off, so the traces, the proof and the measurement decide, not TH191.
        proposal.blockers = [r for r in proposal.blockers if r.code != "TH191"]
    exercised = _exercise_reasons(ev)
    if exercised:
        proposal.blockers += exercised
        return proposal
    proposal.blockers += _tensor_input_reasons(ev, proposal)
    proposal.blockers += _argument_reasons(ev)
    _weigh_retracing(ev, proposal)
    return proposal


def hybrid_proposal(ev: FunctionEvidence) -> Proposal:
    """optimize_hybrid, dehybridize, or nothing for an existing tf.function."""
    proposal = Proposal(ev.fn, ev.fact)
    hostile = [r for r in ev.effect_reasons() if r.category in HOSTILE]
    no_tensor = [r for r in ev.effect_reasons() if r.code in NO_TENSOR_CODES]
    # As for a conversion (eager_proposal): a graph of Python values can pay off, so its traces
    # judge it; going back to eager on TH191 alone would be undone by the next run's conversion.
    graph_of_values = computes_without_arguments(ev.fn) or ev.python_valued()
    # Created anew per call: its arguments are not the problem (each new object has its own
    # trace cache), and hoisting it is a change of the caller no contract refactoring writes.
    per_call = ev.per_call_creation()
    if hostile:
        _dehybridize(proposal, hostile, "unsafe")  # Python behaviour returns: the proof decides
    elif (no_tensor or ev.runtime_saw_tensors() is False) and not graph_of_values:
        _dehybridize(proposal, no_tensor or [_no_tensor_seen(ev)], "safe")
    elif per_call is None:
        _optimize_retracing(ev, proposal)
    if proposal.refactoring is not None and not ev.passing_eager_calls():
        proposal.blockers += _exercise_reasons(ev) or [_not_exercised(ev)]
    elif proposal.refactoring is None:
        proposal.blockers.append(per_call or _already_optimal(ev))
    return proposal


def _already_optimal(ev: FunctionEvidence) -> Reason:
    traces = _effective_traces(ev)
    seen = (
        f"its calls under the tests make {traces} traces"
        if traces is not None
        else "no retracing was seen"
    )
    limit = ev.config.max_traces
    message = f"Already a graph and nothing to change: {seen}, within the limit of {limit}."
    if not ev.passing_eager_calls():
        message = "Already a graph; no passing test called it eagerly, so nothing is proposed."
    return Reason("TH230", message, "both", ev.def_location())


def _effective_traces(ev: FunctionEvidence) -> int | None:
    """Traces the function makes as it is decorated now (reduce_retracing already counted)."""
    plain, relaxed, _ = _traces(ev)
    hybrid = ev.fn.hybrid
    return relaxed if hybrid is not None and hybrid.reduce_retracing else plain


# -- eager helpers --------------------------------------------------------------------------
def _exercise_reasons(ev: FunctionEvidence) -> list[Reason]:
    if ev.passing_eager_calls():
        return []
    calls = ev.fact.calls if ev.fact else {}
    if not calls.get("eager") and (calls.get("autograph") or calls.get("graph")):
        message = (
            "Only called from inside an existing graph (a tf.function or Keras fit), where "
            "AutoGraph runs a converted copy: its eager calls could not be observed."
        )
        return [Reason("TH211", message, "runtime", ev.def_location())]
    return [_not_exercised(ev)]


def _not_exercised(ev: FunctionEvidence) -> Reason:
    calls = ev.fact.calls.get("eager", 0) if ev.fact else 0
    tests = ev.fact.tests if ev.fact else {}
    if calls and not tests:
        message = (
            f"Called {calls} times, all outside tests (at import time or in shared set-up): "
            "no test's outcome depends on it, so there is no runtime proof."
        )
    elif calls:
        message = f"Called {calls} times, but never by a passing test: no runtime proof."
    else:
        message = "No test called it, so there is no runtime proof."
    return Reason("TH210", message, "runtime", ev.def_location())


def computes_without_arguments(fn: FunctionFacts) -> bool:
    """True for a function with no parameter but `self` that runs TensorFlow operations: it
    traces once, so TH191 (no tensor parameters) does not block its conversion."""
    params = [p for p in fn.params if not (fn.is_method and p is fn.params[0])]
    return not params and fn.tensor_computation.value == "yes"


def _tensor_input_reasons(ev: FunctionEvidence, proposal: Proposal) -> list[Reason]:
    if computes_without_arguments(ev.fn) or ev.python_valued():
        return []
    saw = ev.runtime_saw_tensors()
    static = ev.fn.has_tensor_param
    already = any(r.code in NO_TENSOR_CODES for r in proposal.blockers)
    if saw is False and static.value == "yes":
        message = (
            f"Static analysis inferred a tensor parameter ({static.reason}), but the tests "
            "passed only Python values."
        )
        return [Reason("TH220", message, "both", ev.def_location()), _no_tensor_seen(ev)]
    if saw is False and not already:
        return [_no_tensor_seen(ev)]
    if saw and static.value == "no":
        message = (
            f"Static analysis found no tensor parameter ({static.reason}), but the tests "
            "passed tensors."
        )
        return [Reason("TH220", message, "both", ev.def_location())]
    return []


def _no_tensor_seen(ev: FunctionEvidence) -> Reason:
    seen = "; ".join(ev.fact.signatures[:2]) if ev.fact else ""
    message = f"No tensor flowed in under the tests (calls looked like: {seen})."
    return Reason("TH191", message, "runtime", ev.def_location())


def _argument_reasons(ev: FunctionEvidence) -> list[Reason]:
    reasons = []
    if ev.fact and any("keras-symbolic" in sig for sig in ev.fact.signatures):
        message = "Called with a Keras symbolic tensor while a functional model was built."
        reasons.append(Reason("TH203", message, "runtime", ev.def_location()))
    prediction = ev.prediction()
    untraceable = prediction.get("untraceable") if prediction else None
    if isinstance(untraceable, list):
        untraceable = "; ".join(str(item) for item in untraceable)
    if untraceable:
        message = f"tf.function cannot key an argument the tests passed: {untraceable}."
        reasons.append(Reason("TH202", message, "runtime", ev.def_location()))
    return reasons


def _traces(ev: FunctionEvidence) -> tuple[int | None, int | None, list[str]]:
    """Traces per cache, as written and with reduce_retracing, and the retrace explanations.

    A method keeps one cache per instance: a new instance traces once without retracing, so
    the judgement uses the busiest cache and leaves out the new-instance explanations.
    """
    prediction = ev.prediction()
    if prediction is None:
        return None, None, []
    plain, relaxed = prediction.get("plain"), prediction.get("reduce_retracing")
    detail = prediction.get("detail")
    if isinstance(detail, dict) and isinstance(detail.get("per_cache_plain"), int):
        plain, relaxed = detail["per_cache_plain"], detail.get("per_cache_reduce_retracing")
    explanations = prediction.get("explanations")
    lines = [str(e) for e in explanations] if isinstance(explanations, list) else []
    lines = [line for line in lines if not line.startswith("self: new ")]
    return (
        plain if isinstance(plain, int) else None,
        relaxed if isinstance(relaxed, int) else None,
        lines,
    )


def _retrace_message(plain: int, explanations: list[str], limit: int) -> str:
    more = len(explanations) - 3
    shown = "; ".join(explanations[:3]) + (f"; and {more} more" if more > 0 else "")
    head = f"The tests' calls would make {plain} traces (limit {limit})"
    return f"{head}: {shown}." if shown else f"{head}."


def _weigh_retracing(ev: FunctionEvidence, proposal: Proposal) -> None:
    plain, relaxed, explanations = _traces(ev)
    limit = ev.config.max_traces
    if plain is None or plain <= limit:
        return
    message = _retrace_message(plain, explanations, limit)
    signature = signature_source(ev)
    if relaxed is not None and relaxed <= limit:
        proposal.decorator = f"@tf.function({RELAXED})"
        fixed = f"{message} With {RELAXED}: {relaxed}."
        proposal.fixes.append(Reason("TH201", fixed, "runtime", ev.def_location()))
    elif signature is not None:
        # The conversion itself is proposed with the signature: proven like any other change.
        proposal.decorator = f"@tf.function(input_signature={signature})"
        proposal.applicability = "unsafe"
        fallback = "the function stays eager"
        proposal.fixes.append(signature_fix(ev, message, fallback))
    else:
        proposal.blockers.append(Reason("TH201", message, "runtime", ev.def_location()))


# -- hybrid helpers -------------------------------------------------------------------------
def _dehybridize(proposal: Proposal, fixes: list[Reason], applicability: str) -> None:
    proposal.refactoring = "dehybridize"
    proposal.decorator = ""
    proposal.applicability = "safe" if applicability == "safe" else "unsafe"
    proposal.fixes += fixes


def _optimize_retracing(ev: FunctionEvidence, proposal: Proposal) -> None:
    plain, relaxed, explanations = _traces(ev)
    limit = ev.config.max_traces
    current = _effective_traces(ev)
    if plain is None or current is None or current <= limit:
        return
    message = _retrace_message(plain, explanations, limit)
    signature = signature_source(ev)
    if relaxed is not None and relaxed <= limit and relaxed < plain:
        proposal.refactoring, proposal.applicability = "optimize_hybrid", "safe"
        proposal.decorator = _with_argument(ev, "reduce_retracing", "True")
        message += f" With {RELAXED}: {relaxed}."
    elif signature is not None:
        proposal.refactoring, proposal.applicability = "optimize_hybrid", "unsafe"
        proposal.decorator = _with_argument(ev, "input_signature", signature)
        fallback = "going back to eager (removing @tf.function) is what remains"
        proposal.fixes.append(signature_fix(ev, message, fallback))
        return
    else:
        _dehybridize(proposal, [], "safe")
        message += f" Neither {RELAXED} nor an input_signature removes the retraces"
        message += f" ({withheld})." if (withheld := signature_withheld(ev)) else "."
    proposal.fixes.append(Reason("TH201", message, "runtime", ev.def_location()))


def _with_argument(ev: FunctionEvidence, name: str, value: str) -> str:
    """The existing decorator's arguments with `name` set (its deprecated alias dropped)."""
    hybrid = ev.fn.hybrid
    drop = {"func", name, "experimental_relax_shapes" if name == "reduce_retracing" else ""}
    kept = {k: v for k, v in (hybrid.arguments if hybrid else {}).items() if k not in drop}
    arguments = [*(f"{k}={v}" for k, v in kept.items()), f"{name}={value}"]
    return f"@tf.function({', '.join(arguments)})"
