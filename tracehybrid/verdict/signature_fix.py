"""The synthesized input_signature as a fix for retracing: its source, and what it risks."""

from __future__ import annotations

from tracehybrid.verdict.evidence import FunctionEvidence
from tracehybrid.verdict.model import Reason


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
