"""Predict how many traces tf.function would make for recorded calls, via TensorFlow's own cache."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tracehybrid.tracekeys.prekeys import KeyWalker, Node, UntraceableError
from tracehybrid.tracekeys.screen import KeyScreen
from tracehybrid.tracekeys.signatures import (
    WithheldError,
    build_specs,
    diff_arguments,
    spec_source,
    synthesize,
)
from tracehybrid.tracekeys.tf_internals import (
    CacheEntry,
    Internals,
    TfUnavailableError,
    clear_caches,
    internals,
    monomorphic_type,
)

__all__ = ["SpecText", "TracePrediction", "clear_caches", "predict_traces"]

type SpecText = str
type Call = tuple[tuple[Any, ...], dict[str, Any]]

_POSITIONAL_KINDS = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclasses.dataclass(frozen=True)
class TracePrediction:
    """How often tf.function would trace the recorded calls, and why."""

    traces_plain: int | None  # distinct traces tf.function would make (None: unknown)
    traces_reduce_retracing: int | None  # with reduce_retracing=True
    traces_with_signature: int | None  # under `signature` (None when none was synthesised)
    signature: tuple[SpecText, ...] | None  # input_signature, generalised per axis
    signature_source: str | None  # "[tf.TensorSpec(shape=[None, 3], dtype=tf.float32)]"
    explanations: tuple[str, ...]  # one per retrace: "x: float32[8] (was float32[4])"
    untraceable: tuple[str, ...]  # arguments that make tf.function raise
    unknown_reason: str | None
    signature_withheld: str | None = None  # why no signature was synthesised
    # The most traces in any one cache: tf.function on a method keeps a cache per instance, so a
    # method called on five models traces five times without retracing any of them.
    per_cache_plain: int | None = None
    per_cache_reduce_retracing: int | None = None
    # Parameters the synthesised signature turns from Python numbers into scalar tensors.
    signature_python_scalars: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class _Group:
    """Calls sharing one trace cache: all calls, or one instance's calls of a method."""

    fn: Any  # what tf.function would wrap: the function, or the method bound to the instance
    calls: tuple[tuple[int, Call], ...]
    instance: object = None
    first_group: bool = True


@dataclasses.dataclass(frozen=True)
class _SignatureOutcome:
    traces: int | None
    texts: tuple[str, ...] | None
    withheld: str | None
    python_scalars: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class _Keyed:
    index: int
    tree: Node
    mono: Any  # TensorFlow's monomorphic FunctionType: the cache key


def predict_traces(
    py_fn: Any,
    calls: Sequence[Call],
    *,
    input_signature: Sequence[Any] | None = None,
    fixed_axes: Mapping[str, set[int]] | None = None,
) -> TracePrediction:
    """Replay `calls` (in order) through a real tf.function cache without tracing anything.

    Never raises: a TensorFlow internal-API change degrades to `unknown_reason`.
    """
    try:
        tfi = internals()
    except TfUnavailableError as exc:
        return _unknown(str(exc))
    try:
        return _Predictor(tfi, py_fn, calls, fixed_axes or {}).run(input_signature)
    except Exception as exc:  # an internal API changed under us: say so, never break the run
        return _unknown(f"prediction failed ({type(exc).__name__}: {exc})")


def _unknown(reason: str) -> TracePrediction:
    text = reason if reason.startswith("unknown: ") else f"unknown: {reason}"
    return TracePrediction(None, None, None, None, None, (), (), text)


class _Predictor:
    def __init__(
        self, tfi: Internals, py_fn: Any, calls: Sequence[Call], fixed: Mapping[str, set[int]]
    ) -> None:
        self._tfi = tfi
        self._fixed = fixed
        self._calls = list(calls)  # holds identity-keyed objects alive while predicting
        self._groups = _split_groups(tfi, py_fn, self._calls)
        self._untraceable: list[tuple[int, str]] = []  # (call index, reason)

    def run(self, input_signature: Sequence[Any] | None) -> TracePrediction:
        keyed = [self._key_group(g, input_signature, self._untraceable) for g in self._groups]
        plain = [self._count(k, reduce=False) for k in keyed]
        traces_plain = sum(count for count, _ in plain)
        if input_signature is not None:  # tf.function ignores reduce_retracing under a signature
            texts = tuple(spec_source(spec) for spec in input_signature)
            sig = _SignatureOutcome(traces_plain, texts, None)
            reduced = [count for count, _ in plain]
        else:
            reduced = [self._count(k, reduce=True)[0] for k in keyed]
            sig = self._synthesised(keyed)
        traces_reduce = sum(reduced)
        return TracePrediction(
            traces_plain=traces_plain,
            traces_reduce_retracing=traces_reduce,
            traces_with_signature=sig.traces,
            signature=sig.texts,
            signature_source=None if sig.texts is None else "[" + ", ".join(sig.texts) + "]",
            explanations=self._explain(plain),
            untraceable=tuple(dict.fromkeys(text for _, text in sorted(self._untraceable))),
            unknown_reason=None,
            signature_withheld=sig.withheld,
            per_cache_plain=max((count for count, _ in plain), default=0),
            per_cache_reduce_retracing=max(reduced, default=0),
            signature_python_scalars=sig.python_scalars,
        )

    def _key_group(
        self, group: _Group, signature: Sequence[Any] | None, untraceable: list[tuple[int, str]]
    ) -> list[_Keyed]:
        tfi = self._tfi
        poly, defaults = tfi.make_function_type(group.fn, signature)
        leading = tfi.to_input_signature(poly)
        var_keyword = next(
            (p.name for p in poly.parameters.values() if p.kind.name == "VAR_KEYWORD"), None
        )
        keyed: list[_Keyed] = []
        for index, (args, kwargs) in group.calls:
            try:
                bound = tfi.canonicalize(tuple(args), dict(kwargs), poly, defaults)
            except (TypeError, ValueError) as exc:
                untraceable.append((index, f"call {index + 1}: {_binding_reason(exc)}"))
                continue
            walker = KeyWalker(tfi.types)
            try:
                tree = walker.arguments(bound.arguments, var_keyword)
            except UntraceableError as exc:
                untraceable.append((index, str(exc)))
                continue
            call_args = bound.args if leading is None else (*leading, *bound.args[len(leading) :])
            try:
                mono = monomorphic_type(tfi, poly, tree, walker.pure, call_args, bound.kwargs)
            except (TypeError, ValueError) as exc:
                untraceable.append((index, f"call {index + 1}: {_binding_reason(exc)}"))
                continue
            keyed.append(_Keyed(index, tree, mono))
        return keyed

    def _count(self, keyed: list[_Keyed], *, reduce: bool) -> tuple[int, list[_Keyed]]:
        """Replay lookups as tracing_compilation does; returns (cache size, calls that traced)."""
        cache = self._tfi.function_cache()
        context = self._tfi.make_context()
        screen = KeyScreen()
        entries: list[Any] = []  # the keys added, as the cache holds them
        seen: set[Node] = set()
        traced: list[_Keyed] = []
        for call in keyed:
            if call.tree in seen:  # same pre-key, same key: the cache only grows, so a hit
                continue
            seen.add(call.tree)
            mono = call.mono
            unmatched = all(screen.cannot_match(mono, entry) for entry in entries)
            if not unmatched and cache.lookup(mono, context) is not None:
                continue
            target = mono
            if reduce and not all(screen.cannot_merge(mono, entry) for entry in entries):
                try:
                    target = cache.generalize(context, mono)
                except Exception as exc:  # TensorFlow raises here too: the call fails, no trace
                    self._untraceable.append((call.index, _generalize_failure(call.index, exc)))
                    continue
            cache.add(CacheEntry(target), context)
            entries.append(target)
            traced.append(call)
        return len(cache), traced

    def _explain(self, plain: list[tuple[int, list[_Keyed]]]) -> tuple[str, ...]:
        """JAX-style: each retrace against the nearest earlier key of the same cache."""
        found: list[tuple[int, str]] = []
        for group, (_, traced) in zip(self._groups, plain, strict=True):
            for position, call in enumerate(traced):
                if position == 0:
                    if not group.first_group:
                        name = type(group.instance).__name__
                        text = f"self: new {name} instance (tf.function keeps one cache each)"
                        found.append((call.index, text))
                    continue
                found.append((call.index, _nearest_difference(call, traced[:position])))
        return tuple(text for _, text in sorted(found, key=lambda item: item[0]))

    def _synthesised(self, keyed: list[list[_Keyed]]) -> _SignatureOutcome:
        """Synthesise a signature from the traceable calls and count traces under it."""
        trees = [dict(call.tree) for calls in keyed for call in calls]
        if not trees:
            return _SignatureOutcome(None, None, "no traceable calls")
        poly, _ = self._tfi.make_function_type(self._groups[0].fn, None)
        positional = [p.name for p in poly.parameters.values() if p.kind.name in _POSITIONAL_KINDS]
        try:
            draft = synthesize(positional, trees, self._fixed)
            _require_defaults(poly, draft.names)
        except WithheldError as exc:
            return _SignatureOutcome(None, None, str(exc))
        specs = [build_specs(s, self._tfi.tensor_spec, self._tfi.as_dtype) for s in draft.specs]
        rejected: list[tuple[int, str]] = []
        try:
            under_sig = [self._key_group(g, specs, rejected) for g in self._groups]
        except (TypeError, ValueError) as exc:  # tf.function would refuse this signature itself
            return _SignatureOutcome(None, None, f"tf.function rejects the signature: {exc}")
        traceable = {call.index for calls in keyed for call in calls}
        newly_rejected = [text for index, text in rejected if index in traceable]
        if newly_rejected:
            return _SignatureOutcome(None, None, f"the signature would reject {newly_rejected[0]}")
        traces = sum(self._count(k, reduce=False)[0] for k in under_sig)
        return _SignatureOutcome(traces, draft.texts(), None, draft.python_scalars)


def _require_defaults(poly: Any, covered: Sequence[str]) -> None:
    """An input_signature must give a spec to every parameter that has no default.

    TensorFlow raises `input_signature missing type constraint for <name>` otherwise; a spec for a
    Python scalar would turn it into a tensor and change what the body sees, so withhold instead.
    """
    for param in poly.parameters.values():
        kind = param.kind.name
        if param.name in covered or param.name == "self" or kind.startswith("VAR_"):
            continue
        if not param.optional:
            raise WithheldError(
                f"{param.name}: not a tensor or ndarray in every call and has no default, "
                "so an input_signature would have to turn it into a tensor"
            )


def _nearest_difference(call: _Keyed, earlier: list[_Keyed]) -> str:
    """The diff against the closest earlier key; ties go to the most recent one."""
    diffs = [diff_arguments(call.tree, other.tree) for other in earlier]
    ranked = min(enumerate(diffs), key=lambda item: (sum(d.cost for d in item[1]), -item[0]))
    return ", ".join(d.text for d in ranked[1]) or "argument types differ"


def _split_groups(tfi: Internals, py_fn: Any, calls: list[Call]) -> list[_Group]:
    """tf.function on a method keeps one Function (one cache) per instance, `self` bound."""
    indexed = tuple(enumerate(calls))
    if not tfi.is_unbound_method(py_fn) or not all(len(args) > 0 for args, _ in calls):
        return [_Group(py_fn, indexed)]
    by_instance: dict[int, list[tuple[int, Call]]] = {}
    instances: dict[int, object] = {}
    for index, (args, kwargs) in indexed:
        if tfi.is_composite(args[0]):  # composite tensors stay ordinary parameters
            return [_Group(py_fn, indexed)]
        instances.setdefault(id(args[0]), args[0])
        by_instance.setdefault(id(args[0]), []).append((index, (tuple(args[1:]), kwargs)))
    return [
        _Group(tfi.bind_method(py_fn, instances[key]), tuple(group), instances[key], n == 0)
        for n, (key, group) in enumerate(by_instance.items())
    ]


def _generalize_failure(index: int, exc: BaseException) -> str:
    """TF 2.21 raises IndexError generalising keys of differing arity (*args, **kwargs)."""
    return (
        f"call {index + 1}: reduce_retracing=True makes tf.function raise "
        f"{type(exc).__name__}: {exc} (argument count differs from an earlier trace)"
    )


def _binding_reason(exc: BaseException) -> str:
    """TensorFlow's binding errors embed the useful part in backquotes; keep just that."""
    text = str(exc)
    start = text.find("`")
    end = text.find("`", start + 1)
    if start >= 0 and end > start:
        text = text[start + 1 : end]
    line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    line = _ADDRESS.sub("", line)  # `<Foo object at 0x7f..>`: the same fact in every process
    return line if len(line) <= 200 else line[:197] + "..."
