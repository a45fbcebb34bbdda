"""The call resolver: what a call names, and which of Python, TensorFlow or the project it is."""

from __future__ import annotations

import ast

from tracehybrid.static import names
from tracehybrid.static.attrtypes import attr_type, is_declared
from tracehybrid.static.context import BodyContext, dotted
from tracehybrid.static.edges import record_call, record_callbacks
from tracehybrid.static.exprs import ExprEvaluator
from tracehybrid.static.pycalls import PythonCalls
from tracehybrid.static.summary import TENSOR, CallTarget
from tracehybrid.static.tfcalls import HigherOrderHook, TensorFlowCalls
from tracehybrid.static.values import UNKNOWN, Val, ValKind, element_of, is_tensorish

# Receivers whose methods are plain Python: understood well enough not to count as unknown.
PYTHON_RECEIVERS = frozenset(
    {
        ValKind.CONTAINER,
        ValKind.LITERAL,
        ValKind.NDARRAY,
        ValKind.SHAPE,
        ValKind.OBJECT,
        ValKind.BOOL,
        ValKind.NONE,
    }
)
Args = list[Val]
Kwargs = dict[str, Val]


class CallResolver:
    """Evaluates one body's calls: routes each to Python, TensorFlow or a project call."""

    def __init__(self, body: BodyContext, exprs: ExprEvaluator, hook: HigherOrderHook) -> None:
        self.body = body
        self.exprs = exprs
        self.python = PythonCalls(body)
        self.tensorflow = TensorFlowCalls(body, exprs, hook)

    def call(self, node: ast.Call) -> Val:
        ev = self.exprs.ev
        args = [ev(a) for a in node.args]
        kwargs = {k.arg or "**": ev(k.value) for k in node.keywords}
        func = node.func
        if self.declared_receiver(func) and any(is_tensorish(a) for a in args):
            # Typed by an annotation, it may hold any subclass: what the call computes is open.
            self.body.fs.opaque_calls.append(dotted(func))
        if isinstance(func, ast.Attribute):
            receiver = ev(func.value)
            if receiver.kind is ValKind.SYM:
                return self.qualified(f"{receiver.ref}.{func.attr}", node, args, kwargs)
            if receiver.kind is not ValKind.INSTANCE or not attr_type(
                self.body.ctx, receiver.ref, func.attr
            ):
                return self.method(receiver, func.attr, node, args, kwargs)
            # `self.layer(x)` where `self.layer` holds a known class: call that object.
            callee = self.exprs.ev_attribute(func)
        else:
            callee = ev(func)
        return self.call_value(callee, node, args, kwargs)

    def declared_receiver(self, func: ast.expr) -> bool:
        """`self.attr(...)` or `self.attr.method(...)`, `attr` typed by an annotation."""
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
            func = func.value
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            return False
        owner = self.body.lookup(func.value.id)
        ctx = self.body.ctx
        return owner.kind is ValKind.INSTANCE and is_declared(ctx, owner.ref, func.attr)

    def call_value(self, callee: Val, node: ast.Call, args: Args, kwargs: Kwargs) -> Val:
        """Calling a value that is not a method looked up on a receiver."""
        kind = callee.kind
        if kind is ValKind.SYM:
            return self.qualified(callee.ref, node, args, kwargs)
        if kind is ValKind.FUNC:
            return record_call(self.body, CallTarget.function(callee.ref), node, args, kwargs, "")
        if kind is ValKind.CLASS:
            target = CallTarget.function(callee.ref)
            record_call(self.body, target, node, args, kwargs, "local")
            return Val(ValKind.INSTANCE, ref=callee.ref, origin="local")
        if kind is ValKind.INSTANCE:
            target = CallTarget.method_of(callee.ref, "__call__")
            return record_call(self.body, target, node, args, kwargs, callee.origin)
        if kind is ValKind.TFOBJ or is_tensorish(callee):
            self.tensorflow.op(dotted(node.func), node, args)
            return Val(ValKind.TENSOR, TENSOR, origin="local")
        if kind is ValKind.SUPER:
            return UNKNOWN
        self.opaque(node, args, kwargs)
        return Val(origin="unknown")

    def qualified(self, qualified: str, node: ast.Call, args: Args, kwargs: Kwargs) -> Val:
        """A name from imports: TensorFlow, a builtin, the Python library, or the project."""
        if names.is_tf(qualified):
            return self.tensorflow.call(qualified, node, args, kwargs)
        if qualified.startswith("builtins."):
            return self.python.builtin(qualified[9:], node, args)
        effect = self.python.effect(qualified, node, args, kwargs)
        if effect is not None:
            return effect
        if names.root_of(qualified) in names.QUIET_ROOTS:
            return Val(origin="local")
        target = CallTarget.function(qualified)
        result = record_call(self.body, target, node, args, kwargs, "")
        if qualified.rsplit(".", 1)[-1][:1].isupper():  # a class by naming convention
            return Val(ValKind.CALLRES, result.taint, ref=qualified, origin="local")
        return result

    def method(self, receiver: Val, attr: str, node: ast.Call, args: Args, kwargs: Kwargs) -> Val:
        body, line, kind = self.body, node.lineno, receiver.kind
        if attr in names.EAGER_ONLY_METHODS and kind not in (ValKind.NDARRAY, ValKind.CONTAINER):
            body.find("TH131", f"calls the eager-only `.{attr}()`", line)
            return Val(ValKind.NDARRAY, origin="local")
        if kind is ValKind.DATASET:
            record_callbacks(body, node, args, kwargs)
            if attr in ("reduce", "get_single_element"):
                return Val(ValKind.TENSOR, TENSOR, origin="local")
            return Val(ValKind.DATASET, origin="local", elem=TENSOR)
        if kind in (ValKind.DATASET_ITER, ValKind.PY_ITER) and attr in ("__next__", "get_next"):
            return self.python.next(receiver, node)
        if kind is ValKind.LOGGER or (
            attr in names.LOG_METHODS and "log" in dotted(node.func).lower()
        ):
            body.find("TH102", f"logs through `{dotted(node.func)}()`", line)
            return Val(origin="local")
        if attr in names.IO_METHODS:
            body.find("TH103", f"performs I/O with `.{attr}()`", line)
            return Val(origin="local")
        return self.object_method(receiver, attr, node, args, kwargs)

    def object_method(
        self, receiver: Val, attr: str, node: ast.Call, args: Args, kwargs: Kwargs
    ) -> Val:
        body, kind = self.body, receiver.kind
        if kind is ValKind.TFOBJ:
            self.tensorflow.op(dotted(node.func), node, args)
            record_callbacks(body, node, args, kwargs)
            return Val(ValKind.TENSOR, TENSOR, origin="local")
        if attr in names.MUTATING_METHODS and kind is ValKind.INSTANCE and receiver.ref:
            return self.typed_method(receiver, attr, node, args, kwargs)
        if attr in names.MUTATING_METHODS and kind is not ValKind.TENSOR:
            body.mutate(receiver, f"{dotted(node.func)}()", node.lineno)
            return element_of(receiver) if attr == "pop" else Val(origin="local")
        if is_tensorish(receiver):
            body.fs.tensor_ops |= receiver.taint
            return Val(ValKind.TENSOR, receiver.taint, origin="local")
        return self.project_method(receiver, attr, node, args, kwargs)

    def typed_method(
        self, receiver: Val, attr: str, node: ast.Call, args: Args, kwargs: Kwargs
    ) -> Val:
        """`self.ema.update(x)` on an object of known class: what that class's method does.

        A project class's method is linked and its own effects reach the caller; a method of a
        library that keeps its state in variables (Sonnet) is a graph-safe update; any other
        class's method named like a container's still counts as a mutation, unless the linker
        finds it in the project (the finding's `u:` condition, see effects).
        """
        index = len(self.body.fs.calls)
        result = self.project_method(receiver, attr, node, args, kwargs)
        self.body.mutate(receiver, f"{dotted(node.func)}()", node.lineno, unless_call=index)
        return result

    def project_method(
        self, receiver: Val, attr: str, node: ast.Call, args: Args, kwargs: Kwargs
    ) -> Val:
        kind = receiver.kind
        if kind is ValKind.INSTANCE:
            bound = receiver.origin
        elif kind is ValKind.CALLRES:
            bound = "unknown"
        elif kind is ValKind.CLASS:
            bound = ""
        elif kind is ValKind.SUPER and receiver.ref:
            target = CallTarget.method_of(receiver.ref, attr, skip_owner=True)
            return record_call(self.body, target, node, args, kwargs, "self")
        elif kind in PYTHON_RECEIVERS:
            return Val(origin="local")
        else:
            self.opaque(node, args, kwargs)
            return Val(origin="unknown")
        target = CallTarget.method_of(receiver.ref, attr)
        return record_call(self.body, target, node, args, kwargs, bound)

    def opaque(self, node: ast.Call, args: Args, kwargs: Kwargs) -> None:
        body = self.body
        record_callbacks(body, node, args, kwargs)
        if not body.in_function:
            return
        if any(is_tensorish(a) for a in (*args, *kwargs.values())):
            body.fs.opaque_calls.append(dotted(node.func))
        body.unknown(f"cannot resolve the call `{dotted(node.func)}(...)` at line {node.lineno}")
