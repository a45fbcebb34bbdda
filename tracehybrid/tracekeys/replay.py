"""Rebuild recorded calls from replay specs and predict traces over samples merged across processes.

Rebuilt values key exactly like the originals: tensors and arrays of the same shape and dtype,
literals by value, names (functions, classes, enum members) as one object shared by every process,
other objects as one sentinel per (process, identity token). Identity sentinels live as long as the
Rebuilder, so no identity is reused while predicting.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib
import weakref
from collections.abc import Sequence
from typing import Any

from tracehybrid.tracekeys.predictor import TracePrediction, predict_traces
from tracehybrid.tracekeys.specs import Spec
from tracehybrid.tracekeys.tf_internals import TfUnavailableError, internals

__all__ = ["Rebuilder", "ReplayError", "replay_prediction", "standin_function"]

_MAPPINGS: dict[str, type] = {
    "builtins:dict": dict,
    "collections:OrderedDict": collections.OrderedDict,
    "collections:defaultdict": collections.defaultdict,
}


class ReplayError(Exception):
    """A spec this replay cannot rebuild faithfully."""


class _Valued:
    """A hashable value keyed by its recorded repr (not weak-referenceable, like a Literal)."""

    __slots__ = ("_key",)

    def __init__(self, ref: str, text: str) -> None:
        self._key = (ref, text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Valued) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return self._key[1]


class Rebuilder:
    """Turns specs back into values; `namespace` separates the identity tokens of processes."""

    def __init__(self) -> None:
        # Imported on use: tracehybrid.tracekeys imports without TensorFlow.
        self._tf: Any = importlib.import_module("tensorflow")
        self._np: Any = importlib.import_module("numpy")
        self._types: dict[Any, type] = {}
        self._objects: dict[Any, Any] = {}  # identity sentinels, kept alive while predicting

    def call(self, namespace: int, spec: Spec) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """(args, kwargs) of one recorded call."""
        args, kwargs = spec
        return (
            tuple(self.value(namespace, a) for a in args),
            {k: self.value(namespace, v) for k, v in kwargs},
        )

    def value(self, ns: int, spec: Spec) -> Any:
        """The rebuilt value of one spec."""
        kind = spec[0]
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            name = spec[1] if kind == "opaque" else kind
            raise ReplayError(f"replay cannot rebuild a {name} argument")
        return handler(ns, *spec[1:])

    # -- tensors -------------------------------------------------------------------------------
    def _tensor(self, _ns: int, dtype: str, shape: list[int] | None) -> Any:
        if shape is None:
            raise ReplayError("replay cannot rebuild a tensor of unknown rank")
        return self._tf.zeros(shape, dtype=self._tf.as_dtype(dtype))

    def _ndarray(self, _ns: int, dtype: str, shape: list[int]) -> Any:
        return self._np.zeros(shape, dtype=self._tf.as_dtype(dtype).as_numpy_dtype)

    def _npscalar(self, _ns: int, dtype: str) -> Any:
        return self._tf.as_dtype(dtype).as_numpy_dtype(0)

    def _variable(self, ns: int, dtype: str, shape: list[int], trainable: bool, token: int) -> Any:
        key = ("variable", ns, token)
        if key not in self._objects:
            initial = self._tensor(ns, dtype, shape)
            self._objects[key] = self._tf.Variable(initial, trainable=trainable)
        return self._objects[key]

    # -- literals and containers ---------------------------------------------------------------
    def _value(self, _ns: int, value: Any) -> Any:
        return value

    def _complex(self, _ns: int, real: float, imag: float) -> complex:
        return complex(real, imag)

    def _bytes(self, _ns: int, text: str) -> bytes:
        return bytes.fromhex(text)

    def _list(self, ns: int, items: list[Spec]) -> list[Any]:
        return [self.value(ns, item) for item in items]

    def _tuple(self, ns: int, items: list[Spec]) -> tuple[Any, ...]:
        return tuple(self.value(ns, item) for item in items)

    def _dict(self, ns: int, ref: str, items: list[list[Spec]]) -> Any:
        mapping = _MAPPINGS.get(ref) or self._type(ref, ref, lambda n: type(n, (dict,), {}))
        built = mapping()
        for key, value in items:
            built[self.value(ns, key)] = self.value(ns, value)
        return built

    def _ntuple(self, ns: int, ref: str, fields: list[str], items: list[Spec]) -> Any:
        kind = self._type((ref, *fields), ref, lambda n: collections.namedtuple(n, fields))
        return kind(*(self.value(ns, item) for item in items))

    def _frozen(self, ns: int, ref: str, fields: list[list[Any]]) -> Any:
        names = [name for name, _ in fields]
        kind = self._type(
            ("frozen", ref, *names),
            ref,
            lambda n: dataclasses.make_dataclass(n, names, frozen=True),
        )
        return kind(*(self.value(ns, spec) for _, spec in fields))

    # -- identities ----------------------------------------------------------------------------
    def _named(self, _ns: int, type_name: str, ref: str) -> Any:
        return self._sentinel(("named", ref), type_name)

    def _enum(self, _ns: int, ref: str, member: str) -> Any:
        return self._sentinel(("enum", ref, member), ref)

    def _object(self, ns: int, ref: str, token: int) -> Any:
        return self._sentinel(("object", ns, token), ref)

    def _valued(self, _ns: int, ref: str, text: str) -> Any:
        return _Valued(ref, text)

    def _unhashable(self, _ns: int, type_name: str, is_dataclass: bool) -> Any:
        if is_dataclass:
            return self._type(
                ("dc", type_name), type_name, lambda n: dataclasses.make_dataclass(n, [])
            )()
        make = lambda n: type(n, (), {"__hash__": None})  # noqa: E731
        return self._type(("unhashable", type_name), type_name, make)()

    def _set(self, _ns: int) -> set[Any]:
        return set()

    def _weakref(self, ns: int) -> Any:
        return weakref.ref(self._sentinel(("weakref", ns, len(self._objects)), "object"))

    def _sentinel(self, key: Any, ref: str) -> Any:
        """An identity-keyed object whose type has the recorded name (explanations show it)."""
        if key not in self._objects:
            module = ref.partition(":")[0] if ":" in ref else __name__
            make = lambda n: type(n, (), {"__module__": module})  # noqa: E731
            self._objects[key] = self._type(ref, ref, make)()
        return self._objects[key]

    def _type(self, key: Any, ref: str, make: Any) -> Any:
        """One stand-in type per recorded type (`module:qualname`), shared by all processes."""
        if key not in self._types:
            qualname = ref.rpartition(":")[2]
            kind = make(qualname.rpartition(".")[2])
            kind.__qualname__ = qualname
            self._types[key] = kind
        return self._types[key]

    def signature(self, spec: Spec | None) -> list[Any] | None:
        """A user-given input_signature rebuilt as TensorSpecs."""
        return None if spec is None else [self._spec(s) for s in spec]

    def _spec(self, spec: Spec) -> Any:
        if spec[0] == "spec":
            return self._tf.TensorSpec(shape=spec[2], dtype=self._tf.as_dtype(spec[1]))
        if spec[0] == "dict":
            return {k: self._spec(v) for k, v in spec[1]}
        items = [self._spec(s) for s in spec[1]]
        return items if spec[0] == "list" else tuple(items)


def standin_function(function: Spec, rebuilder: Rebuilder, namespace: int = 0) -> Any:
    """A function with the recorded parameters (names, kinds, rebuilt defaults) and qualname."""
    qualname, params = function
    parts: list[str] = []
    defaults: list[Any] = []
    star_done = False
    for index, (name, kind, has_default, default) in enumerate(params):
        if kind == "KEYWORD_ONLY" and not star_done:
            parts.append("*")
            star_done = True
        text = {"VAR_POSITIONAL": f"*{name}", "VAR_KEYWORD": f"**{name}"}.get(kind, name)
        star_done = star_done or kind == "VAR_POSITIONAL"
        if has_default:
            defaults.append(rebuilder.value(namespace, default))
            text += f"=__defaults[{len(defaults) - 1}]"
        parts.append(text)
        following = params[index + 1][1] if index + 1 < len(params) else None
        if kind == "POSITIONAL_ONLY" and following != "POSITIONAL_ONLY":
            parts.append("/")
    namespace_dict: dict[str, Any] = {"__defaults": defaults}
    exec(f"def standin({', '.join(parts)}):\n    pass\n", namespace_dict)
    fn = namespace_dict["standin"]
    fn.__qualname__ = qualname
    fn.__name__ = qualname.rpartition(".")[2]
    return fn


def replay_prediction(
    function: Spec, signature: Spec | None, calls: Sequence[tuple[int, Spec]]
) -> TracePrediction:
    """Predict traces for `calls` ((namespace, call spec), in order); never raises."""
    try:
        internals()
        rebuilder = Rebuilder()
        fn = standin_function(function, rebuilder)
        values = [rebuilder.call(namespace, spec) for namespace, spec in calls]
        input_signature = rebuilder.signature(signature)
    except (TfUnavailableError, ReplayError) as exc:
        return _unknown(str(exc))
    except Exception as exc:  # a malformed spec or a TensorFlow change: say so, never crash combine
        return _unknown(f"replay failed ({type(exc).__name__}: {exc})")
    return predict_traces(fn, values, input_signature=input_signature)


def _unknown(reason: str) -> TracePrediction:
    text = reason if reason.startswith("unknown: ") else f"unknown: {reason}"
    return TracePrediction(None, None, None, None, None, (), (), text)
