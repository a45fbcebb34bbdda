"""Pre-keys: bound call arguments as hashable trees that mirror TensorFlow's `from_value`."""

from __future__ import annotations

import collections.abc
import dataclasses
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
