"""The synthesized input_signature as a fix for retracing: its source, and what it risks."""

from __future__ import annotations

import dataclasses

from tracehybrid.measure.timing import Timing
from tracehybrid.verdict.evidence import FunctionEvidence
from tracehybrid.verdict.model import Proposal, Reason


def signature_fix(ev: FunctionEvidence, message: str, fallback: str) -> Reason:
    """TH205 when the signature turns Python numbers into tensors (say what that risks), else
    TH201 with the signature's single trace."""
    scalars = _signature_python_scalars(ev)
    if not scalars:
        return Reason(
            "TH201", f"{message} A synthesized input_signature traces once.", "runtime",
            ev.def_location(),
        )  # fmt: skip
    names = ", ".join(f"`{name}`" for name in scalars)
    many = len(scalars) > 1
    text = (
        f"{message} A synthesized input_signature traces once: it gives {names} "
        f"{'scalar TensorSpecs' if many else 'a scalar TensorSpec'}, so the body sees "
        f"{'tensors, not Python numbers' if many else 'a tensor, not a Python number'}. "
        f"Unsafe: `if {scalars[0]} > 0` "
        f"becomes a tensor condition, and `math.cos({scalars[0]})`, `[0] * {scalars[0]}` or "
        "other Python uses of the number break or change; the graph run must prove it, and if "
        f"it fails there {fallback}."
    )
    return Reason("TH205", text, "runtime", ev.def_location())


def _signature_python_scalars(ev: FunctionEvidence) -> list[str]:
    """The parameters the synthesized signature makes tensors although the tests passed numbers."""
    prediction = ev.prediction()
    detail = prediction.get("detail") if prediction else None
    names = detail.get("signature_python_scalars") if isinstance(detail, dict) else None
    return [str(name) for name in names] if isinstance(names, list | tuple) else []


def signature_withheld(ev: FunctionEvidence) -> str | None:
    """Why no signature was synthesized, as the predictor said (one line)."""
    if any(param.reads_static_axes for param in ev.fn.params):
        return "the body reads an axis as a Python int"
    prediction = ev.prediction()
    detail = prediction.get("detail") if prediction else None
    withheld = detail.get("signature_withheld") if isinstance(detail, dict) else None
    return withheld if isinstance(withheld, str) and withheld else None


def signature_source(ev: FunctionEvidence) -> str | None:
    """The synthesized input_signature, unless the body reads an axis as a Python int (TH196):
    a signature that leaves that axis unknown would break the body, so it is withheld."""
    if any(param.reads_static_axes for param in ev.fn.params):
        return None
    prediction = ev.prediction()
    detail = prediction.get("detail") if prediction else None
    traces = prediction.get("signature") if prediction else None
    if not isinstance(detail, dict) or not isinstance(traces, int):
        return None
    source = detail.get("signature_source")
    return source if isinstance(source, str) and traces <= ev.config.max_traces else None


def eager_measures_better(proposal: Proposal, timing: Timing | None, where: str) -> Proposal | None:
    """Hook of `decide`: an existing tf.function proven with the scalar signature (TH205) whose
    graph calls measured slower than its eager body over the whole 95% interval goes back to
    eager instead: a dehybridize proposal (a new one; `decide` runs more than once on the same
    proposal), its last fix saying what was measured. None in every other case."""
    if proposal.refactoring != "optimize_hybrid" or timing is None:
        return None
    if not any(reason.code == "TH205" for reason in proposal.fixes):
        return None
    interval = timing.interval
    if interval is None or interval.high >= 1.0:
        return None
    eager_ms, graph_ms = timing.eager.median_s * 1e3, timing.graph.median_s * 1e3
    message = (
        f"Measured in the graph run: with the signature a graph call takes {graph_ms:.3g} ms "
        f"against {eager_ms:.3g} ms for the eager body on the same inputs ({timing.ratio:.2f}x, "
        f"95% interval {interval.low:.2f}-{interval.high:.2f}x), so going back to eager measures "
        "better. Unsafe: the tests ran the graph with the signature, not the eager body, whose "
        "outputs matched it on the sampled calls."
    )
    measured = Reason("TH201", message, "measurement", where)
    return dataclasses.replace(
        proposal, refactoring="dehybridize", decorator="", applicability="unsafe",
        fixes=[*proposal.fixes, measured],
    )  # fmt: skip
