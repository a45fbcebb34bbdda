"""Calls: TensorFlow APIs, Python effects (print, I/O, randomness...), and project calls."""

from __future__ import annotations

import ast

from tracehybrid.static import names
from tracehybrid.static.context import dotted
from tracehybrid.static.exprs import DTYPES, ExprEvaluator, element_of, is_tensorish
from tracehybrid.static.summary import NO_TAINT, TENSOR, ArgDesc, CallRec
from tracehybrid.static.values import UNKNOWN, Val

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
MAX_UNKNOWNS = 12
# Builtins whose result kind is fixed: name -> (kind, ref).
SIMPLE_BUILTINS = {
    "range": ("pyrange", ""),
    "map": ("py_iter", ""),
    "filter": ("py_iter", ""),
    "len": ("literal", "int"),
    "str": ("literal", "str"),
    "repr": ("literal", "str"),
    "format": ("literal", "str"),
    "isinstance": ("bool", ""),
    "issubclass": ("bool", ""),
    "hasattr": ("bool", ""),
    "callable": ("bool", ""),
    "dict": ("container", ""),
    "object": ("object", ""),
}
EFFECT_BUILTINS = {
    "print": ("TH101", "calls `print`"),
    "open": ("TH103", "performs I/O with `{name}()`"),
    "input": ("TH103", "performs I/O with `{name}()`"),
    "eval": ("TH185", "runs dynamic code with `{name}()`"),
    "exec": ("TH185", "runs dynamic code with `{name}()`"),
}
CONTAINER_BUILTINS = frozenset(
    {"list", "tuple", "sorted", "reversed", "set", "frozenset", "enumerate", "zip"}
)
NUMERIC_BUILTINS = frozenset({"abs", "min", "max", "sum", "round", "pow", "divmod"})


class CallEvaluator(ExprEvaluator):
    """Adds call handling to the expression evaluator."""

    lazy_depth = 0
    exempt_self_writes = False

    def ev_call(self, node: ast.Call) -> Val:
        args = [self.ev(a) for a in node.args]
        kwargs = {k.arg or "**": self.ev(k.value) for k in node.keywords}
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = self.ev(func.value)
            if receiver.kind == "sym":
                return self.call_qualified(f"{receiver.ref}.{func.attr}", node, args, kwargs)
            attr_type = self.ctx.class_attrs.get(receiver.ref, {}).get(func.attr)
            if receiver.kind != "instance" or attr_type is None:
                return self.call_method(receiver, func.attr, node, args, kwargs)
            callee = self.ev_attribute(func)
        else:
            callee = self.ev(func)
        if callee.kind == "sym":
            return self.call_qualified(callee.ref, node, args, kwargs)
        if callee.kind == "func":
            return self.project_call("f:" + callee.ref, node, args, kwargs, "")
        if callee.kind == "class":
            self.project_call("f:" + callee.ref, node, args, kwargs, "local")
            return Val("instance", ref=callee.ref, origin="local")
        if callee.kind == "instance":
            return self.project_call(f"m:{callee.ref}:__call__", node, args, kwargs, callee.origin)
        if callee.kind == "tfobj" or is_tensorish(callee):
            self.tf_op(dotted(func), node, args)
            return Val("tensor", TENSOR, origin="local")
        if callee.kind == "super":
            return UNKNOWN
        self.opaque(node, args, kwargs)
        return Val(origin="unknown")

    # -- qualified names: builtins, stdlib, TensorFlow, project ------------------------------
    def call_qualified(
        self, qualified: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        if names.is_tf(qualified):
            return self.call_tf(qualified, node, args, kwargs)
        if qualified.startswith("builtins."):
            return self.call_builtin(qualified[9:], node, args)
        effect = self.python_effect(qualified, node, args)
        if effect is not None:
            return effect
        if names.root_of(qualified) in names.QUIET_ROOTS:
            return Val(origin="local")
        result = self.project_call("f:" + qualified, node, args, kwargs, "")
        if qualified.rsplit(".", 1)[-1][:1].isupper():
            return Val("callres", result.taint, ref=qualified, origin="local")
        return result

    def python_effect(self, qualified: str, node: ast.Call, args: list[Val]) -> Val | None:
        line = node.lineno
        if qualified in names.PRINT_NAMES:
            self.find("TH101", f"calls `{qualified}`", line)
        elif qualified.startswith(names.LOGGING_ROOTS):
            self.find("TH102", f"logs through `{qualified}`", line)
            if qualified.endswith(("getLogger", "get_logger")):
                return Val("logger", origin="local")
        elif qualified in names.IO_CALLS or qualified.startswith(names.IO_ROOTS):
            self.find("TH103", f"performs I/O with `{qualified}`", line)
        elif qualified.startswith(names.RANDOM_ROOTS):
            self.find("TH141", f"draws Python random numbers with `{qualified}`", line)
        elif qualified in names.CLOCK_CALLS:
            self.find("TH142", f"reads the clock with `{qualified}`", line)
        elif qualified.startswith("numpy."):
            taint = frozenset().union(*(a.taint for a in args if is_tensorish(a)))
            if taint:
                self.find("TH133", f"applies `{qualified}` to a tensor value", line, taint)
            return Val("ndarray", origin="local")
        else:
            return None
        return Val(origin="local")

    def call_builtin(self, name: str, node: ast.Call, args: list[Val]) -> Val:
        first = args[0] if args else UNKNOWN
        simple = SIMPLE_BUILTINS.get(name)
        if simple is not None:
            return Val(simple[0], ref=simple[1], origin="local")
        if name in EFFECT_BUILTINS:
            code, message = EFFECT_BUILTINS[name]
            self.find(code, message.format(name=name), node.lineno)
            return Val("object" if code == "TH103" else "unknown", origin="local")
        if name in CONTAINER_BUILTINS:
            elem = frozenset().union(*(element_of(a).taint for a in args))
            lit = "lit" if args and all(element_of(a).is_python_literal for a in args) else ""
            return Val("container", elem, ref=lit, origin="local", elem=elem)
        if name in NUMERIC_BUILTINS:
            return self.numeric_builtin(args)
        if name in ("float", "int", "bool", "complex") and is_tensorish(first):
            message = f"converts a tensor to a Python value with `{name}()`"
            self.find("TH132", message, node.lineno, first.taint)
        elif name == "next":
            return self.call_next(first, node)
        elif name == "iter":
            if first.kind == "dataset":
                return Val("dataset_iter", origin="local")
            return Val("py_iter", first.elem, ref=first.ref, origin="local", elem=first.elem)
        elif name == "setattr" and args:
            self.mutate(first, f"setattr({self.ctx.text(node.args[0])}, ...)", node.lineno)
        elif name == "super":
            return Val("super", ref=self.scope.owning_function().class_name, origin="self")
        elif name == "globals":
            return Val("object", origin="global:globals()")
        return Val(origin="local")

    def numeric_builtin(self, args: list[Val]) -> Val:
        """`abs`, `min`, `max`, `sum`...: tensor ops on tensors, Python numbers otherwise."""
        taint = frozenset().union(*(a.taint for a in args))
        if any(is_tensorish(a) for a in args):
            self.fs.tensor_ops |= taint
            return Val("tensor", taint, origin="local")
        literal = all(a.kind == "literal" for a in args)
        return Val("literal" if literal else "unknown", origin="local")

    def call_next(self, iterator: Val, node: ast.Call) -> Val:
        if iterator.kind == "dataset_iter":
            return Val("tensor", TENSOR, origin="local")
        if iterator.kind in ("py_iter", "container") or iterator.origin.startswith("global:"):
            self.find(
                "TH104",
                f"calls `next()` on a Python iterator (`{self.ctx.text(node)}`)",
                node.lineno,
            )
        else:
            self.unknown(f"`next()` on an iterator of unknown origin at line {node.lineno}")
        return element_of(iterator)

    # -- TensorFlow --------------------------------------------------------------------------
    def call_tf(
        self, qualified: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        kind = names.tf_call_kind(qualified)
        short = dotted(node.func)
        if names.canonical(qualified) in names.EAGER_ONLY_FUNCTIONS:
            self.find("TH131", f"calls the eager-only `{short}`", node.lineno)
        if kind == "function":
            return self.higher_order(node, args)
        if kind == "dataset":
            self.callbacks(node, args, kwargs)
            return Val("dataset", origin="local", elem=TENSOR)
        if kind in ("tfobj", "none"):
            return Val("tfobj" if kind == "tfobj" else "unknown", ref=qualified, origin="local")
        self.tf_op(short, node, args + list(kwargs.values()), note=kind != "print")
        self.check_name_argument(qualified, node)
        if kind == "print":
            return Val("none", origin="local")
        if kind == "variable":
            self.variable_created(node, short)
        dtype = self.dtype_of(node, args, kind)
        result_kind = "tfrange" if kind == "range" else "tensor"
        self.callbacks(node, args, kwargs)
        return Val(result_kind, TENSOR, origin="local", dtype=dtype)

    def tf_op(self, short: str, node: ast.Call, args: list[Val], *, note: bool = True) -> None:
        if not self.fs.tf_ops:
            self.fs.tf_ops = f"calls `{short}` (line {node.lineno})"
        if note:
            self.note_tf_use(args, f"`{short}`", node.lineno)

    def variable_created(self, node: ast.Call, short: str) -> None:
        if self.lazy_depth or self.exempt_self_writes:
            self.fs.setup_lines.append(node.lineno)  # the run will see it: not a disagreement
            return
        self.find("TH151", f"creates a `{short}` on every call", node.lineno)

    def dtype_of(self, node: ast.Call, args: list[Val], kind: str) -> str:
        for keyword in node.keywords:
            if keyword.arg == "dtype":
                return self.dtype_name(keyword.value)
        if kind == "variable" and args:
            return {"float": "float32", "int": "int32"}.get(args[0].ref, "")
        return ""

    def dtype_name(self, node: ast.expr) -> str:
        if isinstance(node, ast.Attribute | ast.Name):
            val = self.ev(node)
            last = val.ref.rsplit(".", 1)[-1]
            if val.kind == "sym" and last in DTYPES:
                return last
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return ""

    def check_name_argument(self, qualified: str, node: ast.Call) -> None:
        last = qualified.rsplit(".", 1)[-1]
        slot = (
            1
            if last in UNARY_OPS
            else 2
            if last in BINARY_OPS
            else 3
            if last.startswith("reduce_")
            else -1
        )
        candidates = [k.value for k in node.keywords if k.arg == "name"]
        if 0 <= slot < len(node.args):
            candidates.append(node.args[slot])
        for value in candidates:
            if self.is_bad_name(value):
                self.find(
                    "TH182",
                    f"passes `{self.ctx.text(value)}` as the `name` of `{dotted(node.func)}`",
                    node.lineno,
                )

    def is_bad_name(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return node.value is not None and not isinstance(node.value, str)
        return bool(self.dtype_name(node))

    def higher_order(self, node: ast.Call, args: list[Val]) -> Val:
        """`tf.function(g, ...)`: g is hybrid (recorded by the module analyser)."""
        if args and args[0].kind == "func":
            self.on_higher_order(args[0].ref, node)
            return args[0]
        return Val("tfobj", origin="local")

    def on_higher_order(self, target: str, node: ast.Call) -> None:
        raise NotImplementedError

    # -- methods -----------------------------------------------------------------------------
    def call_method(
        self, receiver: Val, attr: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        line = node.lineno
        if attr in names.EAGER_ONLY_METHODS and receiver.kind not in ("ndarray", "container"):
            self.find("TH131", f"calls the eager-only `.{attr}()`", line)
            return Val("ndarray", origin="local")
        if receiver.kind == "dataset":
            self.callbacks(node, args, kwargs)
            if attr in ("reduce", "get_single_element"):
                return Val("tensor", TENSOR, origin="local")
            return Val("dataset", origin="local", elem=TENSOR)
        if receiver.kind in ("dataset_iter", "py_iter") and attr in ("__next__", "get_next"):
            return self.call_next(receiver, node)
        if receiver.kind == "logger" or (
            attr in names.LOG_METHODS and "log" in dotted(node.func).lower()
        ):
            self.find("TH102", f"logs through `{dotted(node.func)}()`", line)
            return Val(origin="local")
        if attr in names.IO_METHODS:
            self.find("TH103", f"performs I/O with `.{attr}()`", line)
            return Val(origin="local")
        if receiver.kind == "tfobj":
            self.tf_op(f"{dotted(node.func)}", node, args)
            self.callbacks(node, args, kwargs)
            return Val("tensor", TENSOR, origin="local")
        if attr in names.MUTATING_METHODS and receiver.kind != "tensor":
            self.mutate(receiver, f"{dotted(node.func)}()", line)
            return element_of(receiver) if attr == "pop" else Val(origin="local")
        if is_tensorish(receiver):
            self.fs.tensor_ops |= receiver.taint
            return Val("tensor", receiver.taint, origin="local")
        return self.call_object_method(receiver, attr, node, args, kwargs)

    def call_object_method(
        self, receiver: Val, attr: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val:
        if receiver.kind == "instance":
            return self.project_call(
                f"m:{receiver.ref}:{attr}", node, args, kwargs, receiver.origin
            )
        if receiver.kind == "callres":
            return self.project_call(f"m:{receiver.ref}:{attr}", node, args, kwargs, "unknown")
        if receiver.kind == "class":
            return self.project_call(f"m:{receiver.ref}:{attr}", node, args, kwargs, "")
        if receiver.kind == "super" and receiver.ref:
            return self.project_call(f"s:{receiver.ref}:{attr}", node, args, kwargs, "self")
        if receiver.kind in ("container", "literal", "ndarray", "shape", "object", "bool", "none"):
            return Val(origin="local")
        self.opaque(node, args, kwargs)
        return Val(origin="unknown")

    # -- project calls -----------------------------------------------------------------------
    def project_call(
        self, target: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val], receiver: str
    ) -> Val:
        positional: list[ArgDesc] = []
        starred = "**" in kwargs
        for val, arg in zip(args, node.args, strict=True):
            if isinstance(arg, ast.Starred):
                starred = True
                break
            positional.append(self.arg_desc(val, arg))
        record = CallRec(
            line=node.lineno,
            target=target,
            text=dotted(node.func),
            args=positional,
            kwargs={k.arg: self.arg_desc(kwargs[k.arg], k.value) for k in node.keywords if k.arg},
            receiver=receiver,
            starred=starred,
        )
        self.fs.calls.append(record)
        self.callbacks(node, args, kwargs)
        index = len(self.fs.calls) - 1
        return Val("callres", frozenset({f"c:{index}"}), ref=target[2:], origin="unknown")

    def arg_desc(self, val: Val, node: ast.expr) -> ArgDesc:
        if val.kind == "bool" or (val.kind == "container" and val.ref == "bool"):
            kind = "bool"
        elif val.is_python_literal:
            kind = "literal"
        elif val.kind == "none":
            kind = "none"
        elif val.kind == "ndarray":
            return ArgDesc(TENSOR, "tensor", val.origin, self.ctx.text(node)[:40])
        elif val.taint:
            kind = "mixed" if val.ref == "haslit" else "tensor"
        elif val.ref == "haslit":
            kind = "literal"
        elif val.kind in ("instance", "object", "dataset", "func", "class", "container", "lambda"):
            kind = "object"
        else:
            kind = "unknown"
        return ArgDesc(val.taint, kind, val.origin, self.ctx.text(node)[:40])

    def callbacks(self, node: ast.Call, args: list[Val], kwargs: dict[str, Val]) -> None:
        """Project functions passed as values are called by the callee: edges of the call graph."""
        for val in (*args, *kwargs.values()):
            if val.kind == "func":
                self.fs.calls.append(
                    CallRec(
                        node.lineno,
                        "f:" + val.ref,
                        val.ref.rsplit(".", 1)[-1],
                        [],
                        {},
                        "",
                        True,
                        True,
                    )
                )

    def opaque(self, node: ast.Call, args: list[Val], kwargs: dict[str, Val]) -> None:
        self.callbacks(node, args, kwargs)
        if not self.in_function:
            return
        if any(is_tensorish(a) for a in (*args, *kwargs.values())):
            self.fs.opaque_calls.append(dotted(node.func))
        self.unknown(f"cannot resolve the call `{dotted(node.func)}(...)` at line {node.lineno}")

    def unknown(self, reason: str) -> None:
        if not self.in_function:
            return
        unknowns = self.fs.unknowns
        if len(unknowns) < MAX_UNKNOWNS:
            unknowns.append(reason)
        elif len(unknowns) == MAX_UNKNOWNS:
            unknowns.append("(more unresolved calls not listed)")

    def mutate(self, target: Val, text: str, line: int) -> None:
        raise NotImplementedError


__all__ = ["NO_TAINT", "CallEvaluator"]
