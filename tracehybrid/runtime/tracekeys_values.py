"""Cheap hashable pre-keys for tf.function arguments (mirroring TraceType rules) and their diffs."""

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


def describe(node: Node) -> str:
    """Short human text for a node: `float32[8]`, `0.01`, `list of 3`, `Foo object`."""
    tag = node[0]
    if tag == "T":
        return _tensor_text(node[1], node[2])
    if tag == "V":
        text = "Variable " + _tensor_text(node[1], node[2])
        return text if node[3] else text + " (non-trainable)"
    if tag == "L":
        return _short_repr(node[1])
    if tag == "O":
        obj = node[1]
        own_eq: Any = type(obj).__eq__
        if own_eq is object.__eq__:
            return f"{type(obj).__name__} object"
        return _short_repr(obj)
    if tag == "X":
        return _short_repr(node[1])
    if tag == "ntuple":
        return f"{node[1].__name__} namedtuple"
    if tag == "dict":
        return f"{node[1].__name__} of {len(node[2])}"
    return f"{tag} of {len(node[1])}"


def diff_arguments(new: Node, old: Node) -> list[str]:
    """Explain how two argument pre-keys differ, one `path: now (was before)` line per leaf."""
    old_params = dict(old)
    new_params = dict(new)
    lines: list[str] = []
    for name, node in new:
        if name in old_params:
            lines.extend(diff_nodes(name, node, old_params[name]))
        else:
            lines.append(f"{name}: {describe(node)} (new value)")
    lines.extend(
        f"{name}: absent (was {describe(node)})" for name, node in old if name not in new_params
    )
    return lines


def diff_nodes(path: str, new: Node, old: Node) -> list[str]:
    """Leaf-level differences between two nodes at `path`."""
    if _same_leaf(new, old):
        return []
    tag = new[0]
    if tag != old[0] or tag not in ("list", "tuple", "ntuple", "dict"):
        return [f"{path}: {describe(new)} (was {describe(old)})"]
    if tag == "dict":
        return _diff_dicts(path, new, old)
    if tag == "ntuple":
        if new[1] is not old[1]:
            return [f"{path}: {describe(new)} (was {describe(old)})"]
        names = new[1]._fields
        pairs = zip(new[2], old[2], strict=True)
        return [
            line
            for f, (n, o) in zip(names, pairs, strict=True)
            for line in diff_nodes(f"{path}.{f}", n, o)
        ]
    if len(new[1]) != len(old[1]):
        return [f"{path}: {describe(new)} (was {describe(old)})"]
    items = enumerate(zip(new[1], old[1], strict=True))
    return [line for i, (n, o) in items for line in diff_nodes(f"{path}[{i}]", n, o)]


def _diff_dicts(path: str, new: Node, old: Node) -> list[str]:
    if new[1] is not old[1]:
        return [f"{path}: {describe(new)} (was {describe(old)})"]
    old_items = dict(old[2])
    new_items = dict(new[2])
    lines: list[str] = []
    for key, node in new[2]:
        if key in old_items:
            lines.extend(diff_nodes(f"{path}[{key!r}]", node, old_items[key]))
        else:
            lines.append(f"{path}[{key!r}]: new key")
    lines.extend(f"{path}[{k!r}]: key removed" for k, _ in old[2] if k not in new_items)
    return lines


def _same_leaf(new: Node, old: Node) -> bool:
    if new[0] == "T" and old[0] == "T":
        return bool(new[1:3] == old[1:3])  # a tensor and an ndarray of one shape share a key
    try:
        return bool(new == old)
    except Exception:  # a user __eq__ that raises: treat as different
        return False


def _tensor_text(dtype: str, shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return f"{dtype}[*]"
    return f"{dtype}[{','.join('?' if d is None else str(d) for d in shape)}]"


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."
