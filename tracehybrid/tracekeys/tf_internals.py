"""The TensorFlow boundary: lazy, self-checked handles on tf.function's tracing internals."""

from __future__ import annotations

import collections
import dataclasses
import importlib
import inspect
import types
from collections.abc import Callable
from typing import Any

from tracehybrid.tracekeys.prekeys import Node, TfTypes

__all__ = [
    "CacheEntry",
    "Internals",
    "Node",
    "TfUnavailableError",
    "clear_caches",
    "internals",
    "monomorphic_type",
]

_POSITIONAL_KINDS = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")


class CacheEntry:
    """Stands in for a ConcreteFunction: FunctionCache.add only reads `.function_type`."""

    __slots__ = ("function_type",)

    def __init__(self, function_type: Any) -> None:
        self.function_type = function_type


# --- The TensorFlow boundary: every internal API used is named here, imported lazily, self-checked.

_MEMO_LIMIT = 4096
_MONO_MEMO: collections.OrderedDict[tuple[Any, Node], Any] = collections.OrderedDict()
_LOADED: list[Internals | TfUnavailableError] = []  # at most one entry: the memoised load


class TfUnavailableError(Exception):
    """TensorFlow or one of the internal APIs the predictor relies on is missing or changed."""


@dataclasses.dataclass(frozen=True)
class Internals:
    """Handles on TensorFlow's tracing internals (recipe: tf-function-semantics.md section 3)."""

    version: str
    make_function_type: Callable[..., Any]  # function_type_utils.make_function_type
    # function_type_utils.canonicalize_function_inputs, less the repr in its error (_canonicalizer)
    canonicalize: Callable[..., Any]
    monomorphic: Callable[..., Any]  # function_type_utils.make_canonicalized_monomorphic_type
    to_input_signature: Callable[[Any], Any]
    function_cache: Callable[[], Any]  # function_cache.FunctionCache
    make_context: Callable[[], Any]  # function_context.make_function_context
    types: TfTypes
    tensor_spec: Callable[..., Any]
    as_dtype: Callable[[Any], Any]
    composite: type[Any]

    def is_composite(self, value: object) -> bool:
        """tf.function binds composite-tensor instances as ordinary parameters."""
        return isinstance(value, self.composite) and getattr(value, "_type_spec", None) is not None

    @staticmethod
    def is_unbound_method(fn: Any) -> bool:
        """A function defined in a class body whose first parameter is `self`."""
        if not inspect.isfunction(fn):
            return False
        parts = fn.__qualname__.split(".")
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):  # no introspectable signature: not a method we can bind
            return False
        return (
            len(parts) > 1
            and parts[-2] != "<locals>"
            and bool(params)
            and (params[0].name == "self" and params[0].kind.name in _POSITIONAL_KINDS)
        )

    @staticmethod
    def bind_method(fn: Any, instance: object) -> Any:
        """What `Function.__get__` wraps per instance: the method bound to it."""
        return types.MethodType(fn, instance)


def _import_internals() -> Internals:
    """Import TensorFlow's internals; the only place that names them."""
    # Imported here, on first use: tracehybrid.tracekeys must import without TensorFlow.
    np = importlib.import_module("numpy")
    tf = importlib.import_module("tensorflow")
    function_cache = importlib.import_module("tensorflow.core.function.polymorphism.function_cache")
    from_value = importlib.import_module("tensorflow.core.function.trace_type").from_value
    polymorphic = "tensorflow.python.eager.polymorphic_function"
    function_context = importlib.import_module(f"{polymorphic}.function_context")
    ftu = importlib.import_module(f"{polymorphic}.function_type_utils")
    function_type = importlib.import_module("tensorflow.core.function.polymorphism.function_type")
    composite_tensor = importlib.import_module("tensorflow.python.framework.composite_tensor")

    walker_types = TfTypes(
        tensor=tf.Tensor,
        variable=tf.Variable,
        ndarray=(np.ndarray, np.generic),
        np_str=np.str_,
        from_value=from_value,
        opaque_dtypes=frozenset({"resource", "variant"}),
    )
    return Internals(
        version=str(tf.__version__),
        make_function_type=ftu.make_function_type,
        canonicalize=_canonicalizer(ftu.canonicalize_function_inputs, function_type),
        monomorphic=ftu.make_canonicalized_monomorphic_type,
        to_input_signature=ftu.to_input_signature,
        function_cache=function_cache.FunctionCache,
        make_context=function_context.make_function_context,
        types=walker_types,
        tensor_spec=tf.TensorSpec,
        as_dtype=tf.as_dtype,
        composite=composite_tensor.CompositeTensor,
    )


def _canonicalizer(tf_canonicalize: Callable[..., Any], function_type: Any) -> Callable[..., Any]:
    """TensorFlow's canonicalize_function_inputs (bind_function_inputs) without the repr of every
    argument in its binding error: `Received args: ...` printed each variable's value through
    NumPy, 0.1 s of GPflow's final flush, and the predictor keeps only the text in backquotes."""
    sanitize = function_type.sanitize_arg_name

    def canonicalize(
        args: Any, kwargs: dict[str, Any], poly: Any, default_values: Any = None
    ) -> Any:
        sanitized = {sanitize(name): value for name, value in kwargs.items()}
        if len(sanitized) != len(kwargs):  # TensorFlow's own name-collision error
            return tf_canonicalize(args, kwargs, poly, default_values)
        try:
            return poly.bind_with_defaults(args, sanitized, default_values or {})
        except Exception as exc:
            raise TypeError(f"Binding inputs to tf.function failed due to `{exc}`.") from exc

    return canonicalize


def _self_check(tfi: Internals) -> None:
    """Run the recipe once on a known case, so an API change shows up as `unknown`."""

    def probe(x: Any, y: int = 1) -> None:
        del x, y

    poly, defaults = tfi.make_function_type(probe, None)
    keys = []
    for args, kwargs in (((1.0,), {}), ((1.0,), {"y": 1}), ((2.0,), {})):
        bound = tfi.canonicalize(args, kwargs, poly, defaults)
        keys.append(tfi.monomorphic(bound.args, bound.kwargs, {}, poly)[0])
    cache, context = tfi.function_cache(), tfi.make_context()
    for key in keys:
        if cache.lookup(key, context) is None:
            cache.add(CacheEntry(cache.generalize(context, key)), context)
    if len(cache) != 2:
        raise TfUnavailableError(f"self-check expected 2 cache entries, got {len(cache)}")


def internals() -> Internals:
    """The memoised TensorFlow handles; raises TfUnavailableError with a reason."""
    if not _LOADED:
        try:
            tfi = _import_internals()
            _self_check(tfi)
            _LOADED.append(tfi)
        except Exception as exc:
            reason = (
                f"unknown: tensorflow tracing internals unavailable ({type(exc).__name__}: {exc})"
            )
            _LOADED.append(TfUnavailableError(reason))
    loaded = _LOADED[0]
    if isinstance(loaded, TfUnavailableError):
        raise loaded
    return loaded


def clear_caches() -> None:
    """Forget the loaded internals and memoised keys (tests, or after TensorFlow reloads)."""
    _LOADED.clear()
    _MONO_MEMO.clear()


def monomorphic_type(
    tfi: Internals, poly: Any, tree: Node, pure: bool, args: Any, kwargs: Any
) -> Any:
    """TensorFlow's cache key for one bound call, memoised on (poly type, pre-key) when pure."""
    memo_key = (poly, tree)
    if pure and memo_key in _MONO_MEMO:
        _MONO_MEMO.move_to_end(memo_key)
        return _MONO_MEMO[memo_key]
    key = tfi.monomorphic(args, kwargs, {}, poly)[0]
    if pure:
        _MONO_MEMO[memo_key] = key
        if len(_MONO_MEMO) > _MEMO_LIMIT:
            _MONO_MEMO.popitem(last=False)
    return key
