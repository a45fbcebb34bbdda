"""Replay specs: recorded arguments as TF-free JSON that rebuilds values with the same trace keys.

Written at flush time (never on the hot path) so that `combine` can replay every process's samples
through one predictor. A spec is a JSON list whose first item names its kind:

    ["tensor"|"ndarray", dtype, shape]     ["npscalar", dtype]
    ["variable", dtype, shape, trainable, token]        token: identity within this process
    ["value", v]  ["complex", re, im]  ["bytes", hex]   Python literals, keyed by ==
    ["list"|"tuple", [specs]]  ["dict", type_ref, [[key, spec], ...]]
    ["ntuple", type_ref, [fields], [specs]]   ["frozen", type_ref, [[field, spec], ...]]
    ["named", type_name, ref]    functions, classes, modules: the same object in every process
    ["enum", type_ref, member]   ["object", type_ref, token]    keyed by identity (per process)
    ["valued", type_ref, repr]   a hashable object with its own __eq__: approximated by its repr
    ["unhashable", type_name, is_dataclass]  ["set"]  ["weakref"]   tf.function raises on these
    ["opaque", type_name]        TensorFlow types it itself (composites, attrs...): not rebuilt
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import sys
import types
import weakref
from typing import Any

type Spec = list[Any]

_LITERALS = (bool, int, float, str, type(None))
_ARRAY_KINDS = frozenset("biufc")
_NAMED = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType, type)
OPAQUE_DTYPES = frozenset({"resource", "variant"})


def type_ref(kind: type) -> str:
    """`module:qualname` of a type: how a rebuilt stand-in type is named and shared."""
    return f"{getattr(kind, '__module__', '?')}:{getattr(kind, '__qualname__', kind.__name__)}"


class SpecEncoder:
    """Encodes one process's argument values; identity tokens are stable across its samples."""

    def __init__(self) -> None:
        tf = sys.modules.get("tensorflow")
        np = sys.modules.get("numpy")
        self._tensor: Any = getattr(tf, "Tensor", None)
        self._variable: Any = getattr(tf, "Variable", None)
        self._ndarray: Any = getattr(np, "ndarray", None)
        self._generic: Any = getattr(np, "generic", None)
        self._np_str: Any = getattr(np, "str_", None)
        self._tokens: dict[int, int] = {}
        self._alive: list[Any] = []  # ids stay unique while this encoder lives

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Spec:
        """`[[arg specs], [[name, spec], ...]]` for one recorded call."""
        return [[self.value(a) for a in args], [[k, self.value(v)] for k, v in kwargs.items()]]

    def value(self, value: Any) -> Spec:
        """The spec of one value, mirroring the order KeyWalker classifies values in."""
        kind = type(value)
        if kind in _LITERALS:
            return ["value", value]
        if kind is complex:
            return ["complex", value.real, value.imag]
        if kind is bytes:
            return ["bytes", value.hex()]
        if self._variable is not None and isinstance(value, self._variable):
            shape = _shape(value.shape)
            trainable = bool(value.trainable)
            return ["variable", value.dtype.name, shape, trainable, self._token(value)]
        if self._tensor is not None and isinstance(value, self._tensor):
            if value.dtype.name in OPAQUE_DTYPES:
                return ["opaque", f"{value.dtype.name} tensor"]
            return ["tensor", value.dtype.name, _shape(value.shape)]
        if hasattr(kind, "__tf_tracing_type__"):
            return ["opaque", kind.__name__]
        if isinstance(value, weakref.ref):
            return ["weakref"]
        if hasattr(value, "__wrapped__"):
            return self.value(value.__wrapped__)
        return self._structure(value)

    def _structure(self, value: Any) -> Spec:
        kind = type(value)
        if isinstance(value, list):
            return ["list", [self.value(v) for v in value]]
        if isinstance(value, tuple):
            fields = getattr(value, "_fields", None)
            if isinstance(fields, tuple) and all(isinstance(f, str) for f in fields):
                return ["ntuple", type_ref(kind), list(fields), [self.value(v) for v in value]]
            return ["tuple", [self.value(v) for v in value]]
        if isinstance(value, collections.abc.Mapping):
            items = [[self.value(k), self.value(value[k])] for k in value]
            return ["dict", type_ref(kind), items]
        if hasattr(kind, "__attrs_attrs__") or hasattr(value, "__tf_flatten__"):
            return ["opaque", kind.__name__]
        if isinstance(value, type):
            name = _importable_name(value)
            return (
                ["named", "type", name] if name else ["object", "builtins:type", self._token(value)]
            )
        return self._array_or_object(value)

    def _array_or_object(self, value: Any) -> Spec:
        kind = type(value)
        if hasattr(value, "__array__") and not (self._np_str and isinstance(value, self._np_str)):
            arrays = tuple(t for t in (self._ndarray, self._generic) if t is not None)
            if arrays and isinstance(value, arrays) and value.dtype.kind in _ARRAY_KINDS:
                if self._generic is not None and isinstance(value, self._generic):
                    return ["npscalar", value.dtype.name]
                return ["ndarray", value.dtype.name, list(value.shape)]
            return ["opaque", kind.__name__]
        try:
            weakref.ref(value)
        except TypeError:
            return self._literal_object(value)
        return self._weakrefable(value)

    def _literal_object(self, value: Any) -> Spec:
        """Hashable, not weak-referenceable: a Literal keyed by ==."""
        if not _hashable(value):
            return ["unhashable", type(value).__name__, dataclasses.is_dataclass(value)]
        if self._np_str is not None and isinstance(value, self._np_str):
            return ["value", str(value)]
        return ["valued", type_ref(type(value)), _safe_repr(value)]

    def _weakrefable(self, value: Any) -> Spec:
        kind = type(value)
        if isinstance(value, set | frozenset) and not _hashable(value):
            return ["set"]
        if not _hashable(value):
            return ["unhashable", kind.__name__, dataclasses.is_dataclass(value)]
        if isinstance(value, enum.Enum):
            return ["enum", type_ref(kind), value.name]
        if isinstance(value, _NAMED) and _importable_name(value) is not None:
            return ["named", kind.__name__, _importable_name(value)]
        if _is_frozen_dataclass(kind):
            fields = [
                [f.name, self.value(getattr(value, f.name))] for f in dataclasses.fields(kind)
            ]
            return ["frozen", type_ref(kind), fields]
        own_eq: Any = kind.__eq__
        if own_eq is not object.__eq__:
            return ["valued", type_ref(kind), _safe_repr(value)]
        return ["object", type_ref(kind), self._token(value)]

    def _token(self, value: Any) -> int:
        token = self._tokens.get(id(value))
        if token is None:
            token = self._tokens[id(value)] = len(self._tokens) + 1
            self._alive.append(value)
        return token


def parameters_spec(fn: Any, encoder: SpecEncoder) -> Spec:
    """`[qualname, [[name, kind, has_default, default spec], ...]]` of the function to replay."""
    params = []
    for param in inspect.signature(fn).parameters.values():
        has_default = param.default is not inspect.Parameter.empty
        default = encoder.value(param.default) if has_default else None
        params.append([param.name, param.kind.name, has_default, default])
    return [getattr(fn, "__qualname__", getattr(fn, "__name__", "fn")), params]


def signature_spec(input_signature: Any) -> Spec | None:
    """A user-given input_signature as nested `["spec", dtype, shape]`; None when there is none."""
    if input_signature is None:
        return None
    return [_tensor_spec(s) for s in input_signature]


def _tensor_spec(spec: Any) -> Spec:
    if isinstance(spec, list | tuple):
        return ["list" if isinstance(spec, list) else "tuple", [_tensor_spec(s) for s in spec]]
    if isinstance(spec, dict):
        return ["dict", [[k, _tensor_spec(v)] for k, v in spec.items()]]
    if type(spec).__name__ != "TensorSpec":
        raise TypeError(f"cannot replay an input_signature holding {type(spec).__name__}")
    return ["spec", spec.dtype.name, _shape(spec.shape)]


def _shape(shape: Any) -> list[int | None] | None:
    return None if shape.rank is None else list(shape.as_list())


def _is_frozen_dataclass(kind: type) -> bool:
    """Frozen with the generated __eq__: tf.function keys it by value (reference section 1.2)."""
    params = getattr(kind, "__dataclass_params__", None)
    return params is not None and bool(params.frozen) and bool(params.eq)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _importable_name(value: Any) -> str | None:
    """`module:qualname` when that name leads back to this very object in its module."""
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}"
    module = sys.modules.get(getattr(value, "__module__", None) or "")
    qualname = getattr(value, "__qualname__", None)
    if module is None or not qualname or "<locals>" in qualname:
        return None
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return f"{module.__name__}:{qualname}" if found is value else None


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
