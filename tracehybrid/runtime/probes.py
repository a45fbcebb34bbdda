"""Cheap argument signatures: a hashable pre-key per call, described as text only at flush time.

TensorFlow is never imported here: tensors are recognised by their type's name and module, and read
through `.shape`/`.dtype` (or EagerTensor's fast `_shape_tuple`). A pre-key never merges two calls
that `tf.function` would key differently; it may split calls that TensorFlow would merge (the
trace-key predictor decides those from the real samples).
"""

from __future__ import annotations

import sys
from typing import Any

# Pre-key tags: the first element of a tuple pre-key.
TENSOR = "T"  # eager tf.Tensor and other TF tensor-likes: dtype + shape
ARRAY = "A"  # numpy.ndarray: dtype + shape, like TensorFlow keys it
VARIABLE = "V"  # tf.Variable: dtype + shape + trainable
SYMBOLIC = "S"  # a graph (symbolic) tensor: the call ran while an outer graph was being built
KERAS = "K"  # a Keras symbolic tensor (functional-model construction)
# A tensor-like TensorFlow accepts that is not one of its own tensor classes: a composite tensor
# (ExtensionType, TFP's DeferredTensor/TransformedVariable and distributions), the `__tf_tensor__`
# protocol, a subclass of a TF/Keras tensor or variable class (gpflow.Parameter). Keyed by
# identity too: tf.function keys these by their own TypeSpec, which only TensorFlow can compute,
# and a pre-key must never merge calls that TensorFlow would key apart.
COMPOSITE = "C"
LIST, TUPLE, DICT = "L", "U", "D"
OBJECT = "O"  # anything else: type + identity
LARGE = "X"  # a container too large or deep to key fully
# Not a pre-key tag: the probe of a tensor class with C accessors (EagerTensor). Its pre-key is a
# TENSOR key whose dtype is the DataType enum (an int); `describe` names it.
EAGER = "E"

MAX_ITEMS = 64
MAX_DEPTH = 4
SCALAR_TYPES = frozenset({int, float, bool, complex, str, bytes, type(None)})
_KIND_CACHE: dict[type, str] = {}
_DTYPE_KEYS: dict[int, tuple[Any, Any]] = {}  # id(dtype) -> (the dtype, kept alive; its key)
GRAPH_TAGS = frozenset({SYMBOLIC, KERAS})


_TF_PACKAGES = ("tensorflow.", "keras.", "tf_keras.")  # their tensors: keyed by dtype and shape
_TF_LIKE_PACKAGES = (*_TF_PACKAGES, "tensorflow_probability.")


def _in_packages(kind: type, packages: tuple[str, ...]) -> bool:
    return f"{getattr(kind, '__module__', '') or ''}.".startswith(packages)


def _tensorflow_tag(kind: type) -> str | None:
    """The tag of one of TensorFlow's or Keras's own tensor or variable classes, else None."""
    name, module = kind.__name__, kind.__module__
    if name == "KerasTensor":
        return KERAS
    if name == "SymbolicTensor" or (name == "Tensor" and "framework.ops" in module):
        return SYMBOLIC
    if "Variable" in name:
        return VARIABLE
    if hasattr(kind, "shape") and hasattr(kind, "dtype"):
        return TENSOR
    return None


def _tensor_like(kind: type) -> bool:
    """Duck typing, so that nothing is imported: a composite tensor has `_type_spec`, the
    tensor protocol is `__tf_tensor__`, and TFP's tensor-likes and the subclasses defined
    elsewhere (gpflow.Parameter) have a TF, Keras or TFP tensor or variable class in their MRO."""
    if hasattr(kind, "_type_spec") or hasattr(kind, "__tf_tensor__"):
        return True
    return any(
        _in_packages(base, _TF_LIKE_PACKAGES) and _tensorflow_tag(base) in (TENSOR, VARIABLE)
        for base in kind.__mro__
    )


def _classify(kind: type) -> str:
    """Decide once per type which probe applies."""
    if kind.__name__ == "ndarray" and _in_packages(kind, ("numpy.",)):
        return ARRAY
    if _in_packages(kind, _TF_PACKAGES):
        tag = _tensorflow_tag(kind)
        if tag is TENSOR and hasattr(kind, "_datatype_enum") and hasattr(kind, "_shape_tuple"):
            return EAGER
        if tag is not None:
            return tag
    if _tensor_like(kind):
        return COMPOSITE
    if issubclass(kind, tuple):
        return TUPLE
    if issubclass(kind, list):
        return LIST
    if issubclass(kind, dict):
        return DICT
    return OBJECT


def _shape_of(value: Any) -> tuple[Any, ...] | None:
    fast = getattr(value, "_shape_tuple", None)
    if fast is None:
        return _public_shape(value)
    try:
        return fast()  # type: ignore[no-any-return]
    except Exception:  # unknown rank, or an exotic shape object
        return None


def _dtype_key(dtype: Any) -> Any:
    """A tf.DType's enum, which it is equal by: the DType hashes in Python (0.4 us at every
    lookup of the call's key, per variable: dm-sonnet's optimizers take lists of them) and the
    enum in C. Each DType object is asked once (kept alive, so its id stays its own); a dtype
    that is not a tf.DType (Keras 3 variables have strings) stays as it is."""
    found = _DTYPE_KEYS.get(id(dtype))
    if found is None:
        enum = getattr(dtype, "as_datatype_enum", None)
        found = _DTYPE_KEYS[id(dtype)] = (dtype, enum if type(enum) is int else dtype)
    return found[1]


def _public_shape(value: Any) -> tuple[Any, ...] | None:
    """The shape through `.shape`: for a tf.Variable, 0.3 us where its `_shape_tuple` takes
    1.3 us (dm-sonnet's optimizer candidates take lists of variables, 16,000 calls a suite)."""
    try:
        shape = value.shape
        return tuple(shape) if isinstance(shape, tuple) else tuple(shape.as_list())
    except Exception:  # unknown rank, or an exotic shape object
        return None


def prekey(value: Any, depth: int = 0) -> Any:
    """A hashable key for one argument value; cheap enough for every candidate call."""
    kind = type(value)
    if kind in SCALAR_TYPES:
        return (kind, value)
    tag = _KIND_CACHE.get(kind)
    if tag is None:
        tag = _KIND_CACHE[kind] = _classify(kind)
    if tag is OBJECT:
        return (OBJECT, kind, id(value))
    if tag is EAGER:
        # EagerTensor: two C calls, and an int that hashes in C, where `.dtype` builds a DType
        # whose hash is Python (0.4 us, paid again at every lookup of the call's key).
        return (TENSOR, kind, value._datatype_enum(), value._shape_tuple())
    if tag in (TENSOR, ARRAY, SYMBOLIC, KERAS):
        return (tag, kind, value.dtype, _shape_of(value))
    if tag is VARIABLE:
        trainable = bool(getattr(value, "trainable", True))
        return (tag, kind, _dtype_key(value.dtype), _public_shape(value), trainable)
    if tag is COMPOSITE:
        return (tag, kind, id(value), *_dtype_and_shape(value))
    return _container_key(tag, kind, value, depth)


def _dtype_and_shape(value: Any) -> tuple[Any, tuple[Any, ...] | None]:
    """(dtype, shape) of a tensor-like, for people to read; (None, None) when it has none
    (an ExtensionType of several fields) or they cannot be read."""
    try:
        dtype = getattr(value, "dtype", None)
    except Exception:
        return None, None
    return dtype, _shape_of(value) if dtype is not None else None


def _container_key(tag: str, kind: type, value: Any, depth: int) -> Any:
    if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
        return (LARGE, kind, id(value))  # identity: never merges two different large containers
    depth += 1
    if tag is DICT:
        return (tag, kind, tuple([(k, prekey(v, depth)) for k, v in value.items()]))
    return (tag, kind, tuple([prekey(v, depth) for v in value]))


def call_prekey(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """The pre-key of one call: its argument values in parameter order."""
    return tuple([prekey(v) for v in values])


def has_symbolic_arg(call_key: tuple[Any, ...]) -> bool:
    """True when a top-level argument is a symbolic tensor (TF graph or Keras functional model)."""
    for part in call_key:  # noqa: SIM110 - a loop, not any(generator): every candidate call
        if type(part) is tuple and part and part[0] in GRAPH_TAGS:
            return True
    return False


_TENSOR_WORDS = {TENSOR: "tensor", ARRAY: "ndarray", SYMBOLIC: "symbolic", KERAS: "keras-symbolic"}


def _dims(shape: tuple[Any, ...] | None) -> str:
    if shape is None:
        return "[<unknown rank>]"
    return "[" + ",".join("None" if d is None else str(d) for d in shape) + "]"


def _dtype_name(dtype: Any) -> str:
    if type(dtype) is int:  # an eager tensor's DataType enum: TensorFlow is loaded, it made one
        dtypes = sys.modules.get("tensorflow.python.framework.dtypes")
        if dtypes is not None:
            dtype = dtypes.as_dtype(dtype)
    return str(getattr(dtype, "name", dtype))


def describe(key: Any, identities: dict[int, int]) -> str:
    """Text for a pre-key, for people and for the store: `float32[8]`, `int=3`, `Foo#2`."""
    if type(key) is not tuple or not key:
        return repr(key)
    tag = key[0]
    if isinstance(tag, type):
        return "None" if tag is type(None) else f"{tag.__name__}={key[1]!r}"
    if tag in _TENSOR_WORDS:
        return f"{_TENSOR_WORDS[tag]} {_dtype_name(key[2])}{_dims(key[3])}"
    if tag == VARIABLE:
        trainable = "" if key[4] else " non-trainable"
        return f"variable {_dtype_name(key[2])}{_dims(key[3])}{trainable}"
    if tag in (OBJECT, LARGE):
        ordinal = identities.setdefault(key[2], len(identities) + 1)
        return f"{key[1].__name__}#{ordinal}"
    if tag == COMPOSITE:
        ordinal = identities.setdefault(key[2], len(identities) + 1)
        traits = "" if key[3] is None else " " + _dtype_name(key[3])
        traits += "" if key[4] is None else _dims(key[4])  # a TFP distribution has no shape
        return f"tensor-like {key[1].__name__}#{ordinal}{traits}"
    if tag == DICT:
        inner = ", ".join(f"{k!r}: {describe(v, identities)}" for k, v in key[2])
        return f"{key[1].__name__}{{{inner}}}"
    inner = ", ".join(describe(v, identities) for v in key[2])
    return f"{key[1].__name__}[{inner}]"
