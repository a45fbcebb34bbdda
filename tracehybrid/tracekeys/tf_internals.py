"""The TensorFlow boundary: lazy, self-checked internals and pre-keys that mirror from_value."""

from __future__ import annotations

import collections
import collections.abc
import dataclasses
import importlib
import inspect
import types
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# A node is a plain tuple so that pre-keys hash and compare fast:
#   ("T", dtype, shape, kind)   tensor or ndarray (kind "tensor"/"ndarray"; TF ignores the kind)
#   ("V", dtype, shape, trainable, alias)  tf.Variable; alias = first position of that variable
#   ("L", value)                Literal: keyed by == / hash, so 1, True and 1.0 are one key
#   ("O", obj)                  weakref-keyed object: same object or ==
#   ("X", trace_type)           anything else TensorFlow types itself (composites, attrs, ...)
#   ("list"|"tuple", children), ("ntuple", type, children), ("dict", type, ((key, child), ...))
type Node = tuple[Any, ...]

_PURE_LITERALS = (bool, int, float, complex, str, bytes, type(None))
_ARRAY_KINDS = frozenset("biufc")
_POSITIONAL_KINDS = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")


class UntraceableError(Exception):
    """A value for which tf.function would raise instead of tracing."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class TfTypes:
    """The few TensorFlow/NumPy handles the walker needs, loaded lazily by the caller."""

    tensor: type[Any]
    variable: type[Any]
    ndarray: tuple[type[Any], ...]
    np_str: type[Any]
    from_value: Callable[[Any], Any]
    opaque_dtypes: frozenset[str]  # resource/variant tensors carry handle data: ask TF


class KeyWalker:
    """Turns bound arguments into a pre-key tree; one walker per call (variable aliasing)."""

    def __init__(self, types: TfTypes) -> None:
        self._types = types
        self._aliases: dict[int, int] = {}
        self.pure = True  # no object identities: safe to memoise across predictions

    def arguments(self, bound: Mapping[str, Any], var_keyword: str | None) -> Node:
        """Pre-key of a bound call, in TensorFlow's parameter order (VAR_KEYWORD keys sorted)."""
        items: list[tuple[str, Node]] = []
        for name, value in bound.items():
            if name == var_keyword:
                items.extend((key, self.value(value[key], key)) for key in sorted(value))
            else:
                items.append((name, self.value(value, name)))
        return tuple(items)

    def value(self, value: Any, path: str) -> Node:
        """Pre-key of one value; raises UntraceableError where from_value would raise."""
        kind = type(value)
        if kind in _PURE_LITERALS:
            return ("L", value)
        types = self._types
        if isinstance(value, types.variable):
            return self._variable(value)
        if isinstance(value, types.tensor):
            if value.dtype.name in types.opaque_dtypes:
                return self._traced(value, path)
            return ("T", value.dtype.name, _shape(value.shape), "tensor")
        if hasattr(kind, "__tf_tracing_type__"):
            return self._traced(value, path)
        if isinstance(value, weakref.ref):
            raise UntraceableError(path, "weakref.ref is not supported by tf.function")
        if hasattr(value, "__wrapped__"):
            return self.value(value.__wrapped__, path)
        return self._structure(value, path)

    def _structure(self, value: Any, path: str) -> Node:
        if isinstance(value, list):
            return ("list", self._items(value, path))
        if isinstance(value, tuple):
            if _is_namedtuple(value):
                names: tuple[str, ...] = getattr(value, "_fields")  # noqa: B009 (checked above)
                fields = tuple(
                    self.value(v, f"{path}.{f}") for f, v in zip(names, value, strict=True)
                )
                return ("ntuple", type(value), fields)
            return ("tuple", self._items(value, path))
        if isinstance(value, collections.abc.Mapping):
            children = tuple((k, self.value(value[k], f"{path}[{k!r}]")) for k in value)
            return ("dict", type(value), children)
        if hasattr(type(value), "__attrs_attrs__") or hasattr(value, "__tf_flatten__"):
            return self._traced(value, path)
        if isinstance(value, type):
            return ("O", value)
        return self._array_or_object(value, path)

    def _array_or_object(self, value: Any, path: str) -> Node:
        types = self._types
        if hasattr(value, "__array__") and not isinstance(value, types.np_str):
            if isinstance(value, types.ndarray) and value.dtype.kind in _ARRAY_KINDS:
                return ("T", value.dtype.name, tuple(value.shape), "ndarray")
            return self._traced(value, path)
        try:
            weakref.ref(value)
        except TypeError:
            _require_hashable(value, path)
            self.pure = self.pure and type(value) in _PURE_LITERALS
            return ("L", value)
        _require_hashable(value, path)
        self.pure = False
        return ("O", value)

    def _items(self, values: Iterable[Any], path: str) -> tuple[Node, ...]:
        return tuple(self.value(v, f"{path}[{i}]") for i, v in enumerate(values))

    def _variable(self, var: Any) -> Node:
        alias = self._aliases.setdefault(id(var), len(self._aliases))
        return ("V", var.dtype.name, _shape(var.shape), bool(var.trainable), alias)

    def _traced(self, value: Any, path: str) -> Node:
        self.pure = False
        try:
            return ("X", self._types.from_value(value))
        except TypeError as exc:
            raise UntraceableError(path, _first_line(str(exc))) from None


def _shape(shape: Any) -> tuple[int | None, ...] | None:
    dims = shape.as_list() if shape.rank is not None else None
    return None if dims is None else tuple(dims)


def _is_namedtuple(value: Any) -> bool:
    fields = getattr(value, "_fields", None)
    return isinstance(fields, tuple) and all(isinstance(f, str) for f in fields)


def _require_hashable(value: Any, path: str) -> None:
    try:
        hash(value)
    except TypeError:
        raise UntraceableError(path, f"unhashable {_kind_name(value)}") from None


def _kind_name(value: Any) -> str:
    name = type(value).__name__
    if dataclasses.is_dataclass(value):
        return f"dataclass {name}"
    return name


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "TypeError"
    return line if len(line) <= 160 else line[:157] + "..."


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
    canonicalize: Callable[..., Any]  # function_type_utils.canonicalize_function_inputs
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
        canonicalize=ftu.canonicalize_function_inputs,
        monomorphic=ftu.make_canonicalized_monomorphic_type,
        to_input_signature=ftu.to_input_signature,
        function_cache=function_cache.FunctionCache,
        make_context=function_context.make_function_context,
        types=walker_types,
        tensor_spec=tf.TensorSpec,
        as_dtype=tf.as_dtype,
        composite=composite_tensor.CompositeTensor,
    )


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
