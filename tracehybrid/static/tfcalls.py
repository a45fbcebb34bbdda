"""Calls of TensorFlow: ops, variables, datasets, `tf.function(f)`, and their arguments."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Protocol

from tracehybrid.static import names
from tracehybrid.static.context import BodyContext, dotted
from tracehybrid.static.edges import record_callbacks
from tracehybrid.static.exprs import ExprEvaluator
from tracehybrid.static.scopes import ScopeKind
from tracehybrid.static.summary import TENSOR
from tracehybrid.static.values import Val, ValKind

DTYPES = frozenset(
    {
        "float16",
        "float32",
        "float64",
        "bfloat16",
        "half",
        "double",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "bool",
        "string",
        "complex64",
        "complex128",
    }
)
# Where a TensorFlow op's `name` parameter sits when passed positionally (catalogue F70).
UNARY_OPS = frozenset(
    [
        "sqrt",
        "abs",
        "exp",
        "log",
        "square",
        "negative",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "identity",
        "floor",
        "ceil",
        "round",
        "rsqrt",
        "sign",
        "reciprocal",
        "log1p",
        "expm1",
        "erf",
        "softplus",
    ]
)
BINARY_OPS = frozenset(
    [
        "add",
        "subtract",
        "multiply",
        "divide",
        "maximum",
        "minimum",
        "pow",
        "equal",
        "less",
        "greater",
        "truediv",
        "floordiv",
        "squared_difference",
        "cast",
    ]
)
VARIABLE_DTYPES = {"float": "float32", "int": "int32"}  # of `tf.Variable(1.0)`, `tf.Variable(1)`
Evaluate = Callable[[ast.expr], Val]


class HigherOrderHook(Protocol):
    """The module analyser: `tf.function(g, ...)` makes g hybrid, as a decorator would."""

    def on_higher_order(self, target: str, node: ast.Call, ev: Evaluate) -> None: ...


class TensorFlowCalls:
    """Evidence from calls of TensorFlow names and TensorFlow objects."""

    def __init__(self, body: BodyContext, exprs: ExprEvaluator, hook: HigherOrderHook) -> None:
        self.body = body
        self.exprs = exprs
        self.hook = hook

    def call(self, qualified: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]) -> Val:
        kind = names.tf_call_kind(qualified)
        short = dotted(node.func)
        if names.canonical(qualified) in names.EAGER_ONLY_FUNCTIONS:
            self.body.find("TH131", f"calls the eager-only `{short}`", node.lineno)
        if kind == "function":
            return self.higher_order(node, args)
        if kind == "dataset":
            record_callbacks(self.body, node, args, kwargs)
            return Val(ValKind.DATASET, origin="local", elem=TENSOR)
        if kind in ("tfobj", "none"):
            result = ValKind.TFOBJ if kind == "tfobj" else ValKind.UNKNOWN
            return Val(result, ref=qualified, origin="local")
        self.op(short, node, args + list(kwargs.values()), note=kind != "print")
        self.check_name_argument(qualified, node)
        if kind == "print":
            return Val(ValKind.NONE, origin="local")
        if kind == "variable":
            self.variable_created(node, short)
        dtype = self.dtype_of(node, args, kind)
        record_callbacks(self.body, node, args, kwargs)
        result = ValKind.TFRANGE if kind == "range" else ValKind.TENSOR
        ref = names.VARIABLE if kind == "variable" else ""  # an attribute holding it is typed by it
        return Val(result, TENSOR, ref=ref, origin="local", dtype=dtype)

    def op(self, short: str, node: ast.Call, args: list[Val], *, note: bool = True) -> None:
        """A TensorFlow operation: the body touches TensorFlow, its arguments flow into it."""
        fs = self.body.fs
        if not fs.tf_ops:
            fs.tf_ops = f"calls `{short}` (line {node.lineno})"
        if note:
            self.body.note_tf_use(args, f"`{short}`", node.lineno)

    def variable_created(self, node: ast.Call, short: str) -> None:
        body = self.body
        if body.lazy_depth or body.exempt_self_writes:
            body.fs.setup_lines.append(node.lineno)  # the run will see it: not a disagreement
            return
        body.find("TH151", f"creates a `{short}` on every call", node.lineno)

    def dtype_of(self, node: ast.Call, args: list[Val], kind: str) -> str:
        for keyword in node.keywords:
            if keyword.arg == "dtype":
                return self.dtype_name(keyword.value)
        if kind == "variable" and args:
            return VARIABLE_DTYPES.get(args[0].ref, "")
        return ""

    def dtype_name(self, node: ast.expr) -> str:
        if isinstance(node, ast.Attribute | ast.Name):
            val = self.exprs.ev(node)
            last = val.ref.rsplit(".", 1)[-1]
            if val.kind is ValKind.SYM and last in DTYPES:
                return last
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return ""

    def check_name_argument(self, qualified: str, node: ast.Call) -> None:
        candidates = [k.value for k in node.keywords if k.arg == "name"]
        slot = name_slot(qualified.rsplit(".", 1)[-1])
        if 0 <= slot < len(node.args):
            candidates.append(node.args[slot])
        for value in candidates:
            if self.is_bad_name(value):
                text, short = self.body.ctx.text(value), dotted(node.func)
                message = f"passes `{text}` as the `name` of `{short}`"
                self.body.find("TH182", message, node.lineno)

    def is_bad_name(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return node.value is not None and not isinstance(node.value, str)
        return bool(self.dtype_name(node))

    def higher_order(self, node: ast.Call, args: list[Val]) -> Val:
        """`tf.function(g, ...)`: g is hybrid (recorded by the module analyser)."""
        if self.body.scope.kind is ScopeKind.FUNCTION:
            wrapped = args[0].ref if args and args[0].kind is ValKind.FUNC else ""
            self.body.created_hybrids.append((node, wrapped))
        if args and args[0].kind is ValKind.FUNC:
            self.hook.on_higher_order(args[0].ref, node, self.exprs.ev)
            return args[0]
        return Val(ValKind.TFOBJ, origin="local")


def name_slot(op: str) -> int:
    """Where the op's `name` parameter sits when passed positionally; -1 when unknown."""
    if op in UNARY_OPS:
        return 1
    if op in BINARY_OPS:
        return 2
    if op.startswith("reduce_"):
        return 3
    return -1
