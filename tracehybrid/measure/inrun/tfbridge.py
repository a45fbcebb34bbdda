"""The TensorFlow boundary of the graph run: decorators, forcing results, reading graphs.

TensorFlow is imported inside functions only, so `tracehybrid.measure` imports without it.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import Any

#: Stateful ops that neither draw random numbers nor change state visible to a test. Control
#: flow (While, If, Case, calls) is stateful when its body is; the body's ops are checked too.
_HARMLESS_STATEFUL = frozenset(
    {
        "ReadVariableOp",
        "VarHandleOp",
        "VarIsInitializedOp",
        "StatefulPartitionedCall",
        "PartitionedCall",
        "Placeholder",
        "While",
        "If",
        "Case",
    }
)
_RANDOM_MARKERS = ("Random", "Multinomial", "TruncatedNormal", "RngReadAndSkip", "RngSkip")


def tensorflow() -> Any:
    """TensorFlow, imported on first use: `tracehybrid.measure` imports without it."""
    import tensorflow as tf  # noqa: PLC0415 - lazy: tracehybrid.measure imports without it

    return tf


def is_tf_function(obj: Any) -> bool:
    """True for a `tf.function` object (a polymorphic Function), without importing TensorFlow."""
    return hasattr(obj, "python_function") and hasattr(obj, "experimental_get_tracing_count")


def check_decorator(text: str) -> ast.expr:
    """Parse `@tf.function` or `@tf.function(...)`; anything else is refused (it is evaluated)."""
    source = text.strip().removeprefix("@").strip()
    expr = ast.parse(source, mode="eval").body
    head = expr.func if isinstance(expr, ast.Call) else expr
    is_tf_function_name = (
        isinstance(head, ast.Attribute)
        and head.attr == "function"
        and isinstance(head.value, ast.Name)
        and head.value.id == "tf"
    )
    if not is_tf_function_name:
        raise ValueError(f"not a tf.function decorator: {text!r}")
    return expr


def make_graph_function(python_function: Callable[..., Any], decorator: str) -> Any:
    """Apply DECORATOR (the text `apply` would write) to PYTHON_FUNCTION."""
    expr = check_decorator(decorator)
    code = compile(ast.Expression(expr), "<tracehybrid decorator>", "eval")
    decorate = eval(code, {"__builtins__": {}, "tf": tensorflow()})  # checked: tf.function(...)
    return decorate(python_function)


def tracing_count(function: Any) -> int:
    """How many concrete functions a tf.function holds (0 for anything else)."""
    count = getattr(function, "experimental_get_tracing_count", None)
    return int(count()) if callable(count) else 0


def executing_eagerly() -> bool:
    """False while a graph is being traced (calls then go straight to the graph function)."""
    return bool(tensorflow().executing_eagerly())


def force(result: Any) -> None:
    """Wait for every tensor in RESULT (GPU ops are asynchronous)."""
    for leaf in tensorflow().nest.flatten(result, expand_composites=True):
        numpy = getattr(leaf, "numpy", None)
        if callable(numpy):
            numpy()


def _describe(value: Any, depth: int = 0) -> str:
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        dtype = getattr(value.dtype, "name", str(value.dtype))
        dims = ",".join("?" if d is None else str(d) for d in tuple(value.shape))
        return f"{dtype}[{dims}]"
    if isinstance(value, (int, float, bool, type(None))) or (
        isinstance(value, (str, bytes)) and len(value) <= 40
    ):
        return repr(value)
    if depth < 3 and isinstance(value, (list, tuple)):
        inner = ", ".join(_describe(v, depth + 1) for v in value[:16])
        more = ", ..." if len(value) > 16 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    if depth < 3 and isinstance(value, dict):
        items = list(value.items())[:16]
        return "{" + ", ".join(f"{k!r}: {_describe(v, depth + 1)}" for k, v in items) + "}"
    return f"<{type(value).__name__} {id(value):x}>"


def signature_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """A readable key per argument signature: dtype[shape] of tensors, values of scalars."""
    parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def copy_mutable(value: Any, depth: int = 0) -> Any:
    """Copy Python containers and NumPy arrays: the eager run must not see the graph's edits.

    Other objects (tensors, variables, models) are shared: tensors are immutable, and copying
    a model would be slow and would change what the function computes with.
    """
    if depth > 8:
        return value
    if isinstance(value, list):
        return [copy_mutable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        copied = copy.copy(value)  # keeps the mapping's class (defaultdict, OrderedDict...)
        for key, item in value.items():
            copied[key] = copy_mutable(item, depth + 1)
        return copied
    if isinstance(value, (set, bytearray)):
        return copy.copy(value)
    if isinstance(value, tuple):
        items = [copy_mutable(v, depth + 1) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if type(value).__module__ == "numpy" and hasattr(value, "copy"):
        return value.copy()
    return value


def _op_types(concrete: Any) -> set[str]:
    graph_def = concrete.graph.as_graph_def()
    types = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        types.update(node.op for node in function.node_def)
    return types


def _is_stateful(op_type: str) -> bool:
    try:
        from tensorflow.python.framework import op_def_registry  # noqa: PLC0415
    except ImportError:  # pragma: no cover - TensorFlow moved it: assume the worst
        return True
    op_def = op_def_registry.get(op_type)
    return op_def is None or bool(op_def.is_stateful)


def graph_effects(concrete: Any) -> tuple[str, list[str]]:
    """("random" | "stateful" | "", the op types why) for a concrete function's graph.

    Random: its stream differs from eager, so outputs cannot be compared. Stateful: running it
    again (to time or compare) would change state a test can see, e.g. assign to a variable.
    """
    types = _op_types(concrete)
    random = sorted(
        t for t in types if any(m in t for m in _RANDOM_MARKERS) and "Stateless" not in t
    )
    if random:
        return "random", random
    stateful = sorted(t for t in types if t not in _HARMLESS_STATEFUL and _is_stateful(t))
    return ("stateful", stateful) if stateful else ("", [])


#: Stateful ops whose only lasting effect is on variables, which `preserve_variables` restores.
_VARIABLE_WRITES = frozenset(
    {
        "AssignVariableOp",
        "AssignAddVariableOp",
        "AssignSubVariableOp",
        "ResourceApplyGradientDescent",
    }
)


def only_variable_writes(ops: list[str]) -> bool:
    """True when every stateful op is a variable update (or an optimizer's resource update)."""
    return all(op in _VARIABLE_WRITES or op.startswith("ResourceApply") for op in ops)


class preserve_variables:  # noqa: N801 - a context manager used like a function
    """Snapshot the variables a concrete function captures or is passed, and restore them on
    exit, so timing a state-changing function leaves the state exactly as the test left it."""

    def __init__(self, concrete: Any, arguments: Any) -> None:
        tf = tensorflow()
        passed = [v for v in tf.nest.flatten(arguments) if isinstance(v, tf.Variable)]
        unique = {id(v): v for v in [*concrete.variables, *passed]}  # captured and passed in
        self.variables = list(unique.values())
        self.saved: list[Any] = []

    def __enter__(self) -> preserve_variables:
        self.saved = [variable.read_value() for variable in self.variables]
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        """Put every variable back to its value at `__enter__`."""
        for variable, value in zip(self.variables, self.saved, strict=True):
            variable.assign(value)

    def current(self) -> dict[str, Any]:
        """Copies of the variables' values now, keyed `index:name` (names need not be unique)."""
        return {f"{i}:{v.name}": v.numpy().copy() for i, v in enumerate(self.variables)}
