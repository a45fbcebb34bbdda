"""Classify the callables a candidate calls (sys.monitoring CALL events) into effect kinds.

Each distinct callable is classified once and cached under `callable_key`, so the hot path is one
dictionary lookup. Some kinds depend on the first argument (`float(tensor)`, `np.sum(tensor)`,
`next(iterator)`); those are resolved per call with the argument's type only.
"""

from __future__ import annotations

import builtins
import random
import types
from typing import Any

# Effect kinds, each mapped to a results-contract category in CATEGORY.
PRINT = "print"
IO = "io"
LOGGING = "logging"
PY_RANDOM = "python_random"
NP_RANDOM = "numpy_random"
CLOCK = "clock"
TENSOR_NUMPY = "tensor_numpy"
TENSOR_CAST = "tensor_cast"
NUMPY_ON_TENSOR = "numpy_on_tensor"
VARIABLE_CREATION = "variable_creation"
ITERATOR_NEXT = "iterator_next"
WRITE = "write"  # a write that static analysis located ran (its kind is in the static facts)

CATEGORY = {
    PRINT: "side_effect",
    IO: "side_effect",
    LOGGING: "side_effect",
    ITERATOR_NEXT: "side_effect",
    PY_RANDOM: "nondeterminism",
    NP_RANDOM: "nondeterminism",
    CLOCK: "nondeterminism",
    TENSOR_NUMPY: "tensor_to_python",
    TENSOR_CAST: "tensor_to_python",
    NUMPY_ON_TENSOR: "tensor_to_python",
    VARIABLE_CREATION: "variable_creation",
    WRITE: "write",
}

# Kinds that depend on the first argument: resolved by `resolve_dynamic`.
DYNAMIC_CAST = "?cast"
DYNAMIC_NUMPY = "?numpy"
DYNAMIC_NEXT = "?next"
DYNAMIC = frozenset({DYNAMIC_CAST, DYNAMIC_NUMPY, DYNAMIC_NEXT})

_BUILTINS: dict[Any, str] = {
    builtins.print: PRINT,
    builtins.open: IO,
    builtins.input: IO,
    builtins.next: DYNAMIC_NEXT,
    float: DYNAMIC_CAST,
    int: DYNAMIC_CAST,
    bool: DYNAMIC_CAST,
    complex: DYNAMIC_CAST,
}
_LOG_NAMES = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_OS_IO = frozenset(
    {"remove", "unlink", "rename", "replace", "makedirs", "mkdir", "rmdir", "write", "read", "open"}
    | {"system", "listdir", "scandir", "walk", "truncate", "symlink", "link", "chmod"}
)
_PATH_IO = frozenset(
    {"write_text", "write_bytes", "read_text", "read_bytes", "open", "mkdir", "unlink", "touch"}
    | {"rmdir", "rename", "replace", "iterdir", "glob", "rglob"}
)
_IO_MODULES = ("_io", "io", "socket", "_socket", "ssl", "shutil", "subprocess", "urllib", "http")
_CLOCK_NAMES = frozenset({"now", "utcnow", "today", "fromtimestamp"})
_TENSOR_MODULES = ("tensorflow", "keras", "tf_keras")


def callable_key(func: Any) -> Any:
    """A hashable, stable key for a callable; never hashes a bound instance (tensors can't be)."""
    kind = type(func)
    if kind is types.MethodType:
        return func.__func__
    if kind is types.BuiltinFunctionType:
        owner = func.__self__
        if owner is None or type(owner) is types.ModuleType:
            return func
        return (type(owner), func.__name__)
    if kind is types.FunctionType or isinstance(func, type):
        return func
    return (kind, "__call__")  # a callable instance (numpy ufunc/dispatcher, tf.function, layer)


def _origin(key: Any) -> tuple[str, str]:
    """(module, name) of what a callable key stands for."""
    if type(key) is tuple:
        owner, name = key
        return getattr(owner, "__module__", "") or "", name
    return getattr(key, "__module__", "") or "", getattr(key, "__name__", "") or ""


def is_library(key: Any) -> bool:
    """True for a callable of TensorFlow, Keras or NumPy itself (not a user subclass)."""
    module = _origin(key)[0]
    return module.startswith((*_TENSOR_MODULES, "numpy"))


def _is_variable_class(key: Any) -> bool:
    if not isinstance(key, type):
        return False
    return any(
        base.__name__ == "Variable" and base.__module__.startswith(_TENSOR_MODULES)
        for base in key.__mro__
    )


def _owner_is_random(key: Any) -> bool:
    owner = key[0] if type(key) is tuple else getattr(key, "__self__", None)
    return isinstance(owner, type) and issubclass(owner, random.Random)


def classify(key: Any) -> str | None:
    """The effect kind of a callable key, a DYNAMIC kind, or None for inert callables."""
    try:
        found = _BUILTINS.get(key)
    except TypeError:
        found = None
    if found is not None:
        return found
    module, name = _origin(key)
    if module.startswith("numpy.random") or module == "numpy.random.mtrand":
        return NP_RANDOM
    if module == "random" or _owner_is_random(key):
        return PY_RANDOM
    if module == "time" or (module == "datetime" and name in _CLOCK_NAMES):
        return CLOCK
    return _classify_rest(key, module, name)


def _classify_rest(key: Any, module: str, name: str) -> str | None:
    if (module == "logging" or module.startswith("absl.logging")) and name in _LOG_NAMES:
        return LOGGING
    if module.startswith(_IO_MODULES) or (module in ("os", "posix") and name in _OS_IO):
        return IO
    if module.startswith("pathlib") and name in _PATH_IO:
        return IO
    if name == "numpy" and module.startswith(_TENSOR_MODULES):
        return TENSOR_NUMPY
    if _is_variable_class(key):
        return VARIABLE_CREATION
    if module.startswith("numpy") and not isinstance(key, type):
        return DYNAMIC_NUMPY
    return None


def _is_tensor(value: Any) -> bool:
    module = type(value).__module__ or ""
    return module.startswith(_TENSOR_MODULES) and hasattr(value, "dtype")


def resolve_dynamic(kind: str, arg0: Any) -> str | None:
    """Resolve a DYNAMIC kind from the call's first argument (cheap: a type check)."""
    if kind is DYNAMIC_NEXT:
        return None if _is_tensor(arg0) else ITERATOR_NEXT
    if _is_tensor(arg0):
        return TENSOR_CAST if kind is DYNAMIC_CAST else NUMPY_ON_TENSOR
    return None
