"""One `functions[]` entry as records: contract fields checked, extras kept when well formed."""

from __future__ import annotations

from typing import Any, get_args

from tracehybrid.codes import Applicability
from tracehybrid.contract.records import (
    EffectRecord,
    FunctionResult,
    PatchRecord,
    ReasonRecord,
    Refactoring,
    RuntimeRecord,
    ShardCalls,
    SignatureRecord,
    Speedup,
    TraceCounts,
    Verdict,
)

_VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
_REFACTORINGS: tuple[Refactoring, ...] = get_args(Refactoring)
_APPLICABILITIES: tuple[Applicability, ...] = get_args(Applicability)


class EntryError(ValueError):
    """A contract field of one entry is missing or has the wrong type or value."""


def function_result(raw: Any) -> FunctionResult:
    """The record of one entry; EntryError when a field the contract requires is unusable."""
    if not isinstance(raw, dict):
        raise EntryError("the entry is not an object")
    return FunctionResult(
        path=_required(raw, "path", str),
        qualname=_required(raw, "qualname", str),
        line=_required(raw, "line", int),
        kind=str(raw.get("kind", "eager")),
        refactoring=_choice(raw.get("refactoring"), _REFACTORINGS, "refactoring", optional=True),
        verdict=_choice(raw.get("verdict"), _VERDICTS, "verdict"),
        reasons=[_reason(item) for item in as_list(raw.get("reasons"))],
        static=as_dict(raw.get("static")),
        runtime=_runtime(as_dict(raw.get("runtime"))),
        speedup=_speedup(raw.get("speedup")),
        patch=_patch(raw.get("patch")),
        shards=_shards(raw.get("shards")),
    )


def _shards(raw: Any) -> ShardCalls | None:
    """The `shards` extra of a merged run; None when absent or malformed."""
    if not isinstance(raw, dict):
        return None
    called, proved, differs = (_indices(raw.get(key)) for key in ("called", "proved", "differs"))
    local = {
        int(index): str(verdict)
        for index, verdict in as_dict(raw.get("local_verdicts")).items()
        if str(index).isdigit()
    }
    return ShardCalls(called, proved, local, differs, _indices(raw.get("unproven")))


def _indices(raw: Any) -> list[int]:
    return [item for item in as_list(raw) if isinstance(item, int) and not isinstance(item, bool)]


def _required[T](raw: dict[str, Any], name: str, kind: type[T]) -> T:
    value = raw.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise EntryError(f"`{name}` is {value!r}, not a {kind.__name__}")
    return value


def _choice[T](value: Any, allowed: tuple[T, ...], name: str, *, optional: bool = False) -> T:
    if value in allowed or (optional and value is None):
        return value  # type: ignore[no-any-return]  # checked against the Literal's values
    raise EntryError(f"`{name}` is {value!r}, not one of {', '.join(map(str, allowed))}")


def _reason(raw: Any) -> ReasonRecord:
    if not isinstance(raw, dict):
        raise EntryError("a reason is not an object")
    location = raw.get("location")
    return ReasonRecord(
        code=str(_present(raw, "code")),
        category=str(_present(raw, "category")),
        message=str(_present(raw, "message")),
        evidence=str(raw.get("evidence", "")),
        location=None if location is None else str(location),
    )


def _present(raw: dict[str, Any], name: str) -> Any:
    if name not in raw:
        raise EntryError(f"a reason has no `{name}`")
    return raw[name]


def _patch(raw: Any) -> PatchRecord | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("decorator"), str):
        raise EntryError(f"malformed patch {raw!r}")
    applicability = _choice(raw.get("applicability"), _APPLICABILITIES, "patch.applicability")
    diff = raw.get("diff")
    return PatchRecord(raw["decorator"], applicability, diff if isinstance(diff, str) else None)


def _speedup(raw: Any) -> Speedup | None:
    if not isinstance(raw, dict):
        return None
    try:
        eager, graph = float(raw["eager_s_per_call"]), float(raw["graph_s_per_call"])
        ratio = float(raw["ratio"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EntryError(f"malformed speedup ({exc!r})") from exc
    return Speedup(
        eager_s=eager,
        graph_s=graph,
        ratio=ratio,
        spread=_pair(as_list(raw.get("spread"))),
        repeats=_int(raw.get("repeats")),
        first_call_s=_float(raw.get("first_call_s")),
        break_even_calls=_float(raw.get("break_even_calls")),
        seconds_saved=_float(raw.get("seconds_saved")),
        seconds_saved_steady=_float(raw.get("seconds_saved_steady")),
        tracing_s=_float(raw.get("tracing_s")),
        traces_counted=_int(raw.get("traces_counted")),
    )


def _pair(values: list[Any]) -> tuple[float, float] | None:
    numbers = [_float(value) for value in values]
    if len(numbers) == 2 and numbers[0] is not None and numbers[1] is not None:
        return numbers[0], numbers[1]
    return None


def _runtime(raw: dict[str, Any]) -> RuntimeRecord:
    graph_only = raw.get("graph_only")
    return RuntimeRecord(
        calls=_int(raw.get("calls")) or 0,
        tests=[str(t) for t in as_list(raw.get("tests"))],
        distinct_trace_keys=_int(raw.get("distinct_trace_keys")) or 0,
        traces=_traces(raw.get("traces")),
        signatures=[
            SignatureRecord(str(item.get("args", "")), _int(item.get("calls")) or 0)
            for item in as_list(raw.get("signatures"))
            if isinstance(item, dict)
        ],
        retrace_explanations=[str(e) for e in as_list(raw.get("retrace_explanations"))],
        effects=[_effect(e) for e in as_list(raw.get("effects")) if isinstance(e, dict)],
        graph_only=graph_only if isinstance(graph_only, bool) else None,
        not_run_alone=[str(t) for t in as_list(raw.get("not_run_alone"))],
        output_notes=[str(n) for n in as_list(raw.get("output_notes"))],
    )


def _traces(raw: Any) -> TraceCounts | None:
    if not isinstance(raw, dict):
        return None
    mismatch = raw.get("prediction_mismatch")
    counts = TraceCounts(
        _int(raw.get("plain")),
        _int(raw.get("reduce_retracing")),
        _int(raw.get("signature")),
        observed=_int(raw.get("observed")),
        instances=_int(raw.get("instances")),
        max_per_instance=_int(raw.get("max_per_instance")),
        prediction_mismatch=mismatch if isinstance(mismatch, str) else None,
    )
    return None if counts == TraceCounts(None, None, None) else counts


def _effect(raw: dict[str, Any]) -> EffectRecord:
    location, test = raw.get("location"), raw.get("test")
    return EffectRecord(
        str(raw.get("code", "")),
        None if location is None else str(location),
        None if test is None else str(test),
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: extras are never trusted."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
