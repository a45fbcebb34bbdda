"""Calls of builtins and of the Python library: print, I/O, randomness, clocks, iterators."""

from __future__ import annotations

import ast

from tracehybrid.static import names
from tracehybrid.static.autograph import ITERATING_BUILTINS, is_tensor_parameter
from tracehybrid.static.context import BodyContext
from tracehybrid.static.summary import TENSOR
from tracehybrid.static.values import UNKNOWN, Val, ValKind, element_of, is_tensorish

# Builtins whose result kind is fixed: name -> (kind, ref).
SIMPLE_BUILTINS = {
    "range": (ValKind.PYRANGE, ""),
    "map": (ValKind.PY_ITER, ""),
    "filter": (ValKind.PY_ITER, ""),
    "len": (ValKind.LITERAL, "int"),
    "str": (ValKind.LITERAL, "str"),
    "repr": (ValKind.LITERAL, "str"),
    "format": (ValKind.LITERAL, "str"),
    "isinstance": (ValKind.BOOL, ""),
    "issubclass": (ValKind.BOOL, ""),
    "hasattr": (ValKind.BOOL, ""),
    "callable": (ValKind.BOOL, ""),
    "dict": (ValKind.CONTAINER, ""),
    "object": (ValKind.OBJECT, ""),
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
# Generators seeded in the call: their draws are a function of the seed, which tf.function keys
# when it is a Python value, so a graph draws what eager code draws. Constructor -> seed keyword.
SEEDED_GENERATORS = {
    "numpy.random.default_rng": "seed",
    "numpy.random.RandomState": "seed",
    "random.Random": "x",
}
NUMERIC_BUILTINS = frozenset({"abs", "min", "max", "sum", "round", "pow", "divmod"})
CONVERSION_BUILTINS = frozenset({"float", "int", "bool", "complex"})


class PythonCalls:
    """Evidence from calls into Python itself; the results are Python values."""

    def __init__(self, body: BodyContext) -> None:
        self.body = body

    def effect(
        self, qualified: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> Val | None:
        """A library call that is an effect in graph mode; None for any other name."""
        find, line = self.body.find, node.lineno
        if self.seeded_generator(qualified, node, args, kwargs):
            return Val(ValKind.OBJECT, origin="local")
        if qualified in names.PRINT_NAMES:
            find("TH101", f"calls `{qualified}`", line)
        elif qualified.startswith(names.LOGGING_ROOTS):
            find("TH102", f"logs through `{qualified}`", line)
            if qualified.endswith(("getLogger", "get_logger")):
                return Val(ValKind.LOGGER, origin="local")
        elif qualified in names.IO_CALLS or qualified.startswith(names.IO_ROOTS):
            find("TH103", f"performs I/O with `{qualified}`", line)
        elif qualified.startswith(names.RANDOM_ROOTS):
            find("TH141", f"draws Python random numbers with `{qualified}`", line)
        elif qualified in names.CLOCK_CALLS:
            find("TH142", f"reads the clock with `{qualified}`", line)
        elif qualified.startswith("numpy."):
            taint = frozenset().union(*(a.taint for a in args if is_tensorish(a)))
            if taint:
                find("TH133", f"applies `{qualified}` to a tensor value", line, taint)
            return Val(ValKind.NDARRAY, origin="local")
        else:
            return None
        return Val(origin="local")

    def seeded_generator(
        self, qualified: str, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
    ) -> bool:
        """`np.random.default_rng(seed)` with a fixed seed: a constant, or a parameter that is
        never None (no None default or Optional annotation) and not annotated as a tensor (one
        passed anyway fails the graph run). Unseeded, seeded from None, or from anything else
        (`self.seed`, a clock), the draws stay TH141."""
        keyword = SEEDED_GENERATORS.get(qualified)
        if keyword is None:
            return False
        given = [k.value for k in node.keywords if k.arg == keyword]
        seed_node = node.args[0] if node.args else (given[0] if given else None)
        seed = args[0] if node.args else kwargs.get(keyword)
        if seed_node is None or seed is None:
            return False
        if isinstance(seed_node, ast.Constant):
            return isinstance(seed_node.value, int) and not isinstance(seed_node.value, bool)
        if not isinstance(seed_node, ast.Name) or seed.origin != f"param:{seed_node.id}":
            return False
        param = self.body.params.get(seed_node.id)
        if param is None or param.hint_tensor or param.default == "None":
            return False
        annotation = param.annotation or ""
        return "None" not in annotation and "Optional" not in annotation

    def builtin(self, name: str, node: ast.Call, args: list[Val]) -> Val:
        simple = SIMPLE_BUILTINS.get(name)
        if simple is not None:
            return Val(simple[0], ref=simple[1], origin="local")
        if name in EFFECT_BUILTINS:
            code, message = EFFECT_BUILTINS[name]
            self.body.find(code, message.format(name=name), node.lineno)
            kind = ValKind.OBJECT if code == "TH103" else ValKind.UNKNOWN
            return Val(kind, origin="local")
        if name in CONTAINER_BUILTINS:
            self.python_iteration(name, node, args)
            elem = frozenset().union(*(element_of(a).taint for a in args))
            lit = "lit" if args and all(element_of(a).is_python_literal for a in args) else ""
            return Val(ValKind.CONTAINER, elem, ref=lit, origin="local", elem=elem)
        if name in NUMERIC_BUILTINS:
            return self.numeric(args)
        return self.other_builtin(name, node, args)

    def other_builtin(self, name: str, node: ast.Call, args: list[Val]) -> Val:
        first = args[0] if args else UNKNOWN
        body = self.body
        if name in CONVERSION_BUILTINS and is_tensorish(first):
            message = f"converts a tensor to a Python value with `{name}()`"
            body.find("TH132", message, node.lineno, first.taint)
        elif name == "next":
            return self.next(first, node)
        elif name == "iter":
            if first.kind is ValKind.DATASET:
                return Val(ValKind.DATASET_ITER, origin="local")
            return Val(ValKind.PY_ITER, first.elem, ref=first.ref, origin="local", elem=first.elem)
        elif name == "setattr" and args:
            body.mutate(first, f"setattr({body.ctx.text(node.args[0])}, ...)", node.lineno)
        elif name == "super":
            cls = body.scope.owning_function().class_name
            return Val(ValKind.SUPER, ref=cls, origin="self")
        elif name == "globals":
            return Val(ValKind.OBJECT, origin="global:globals()")
        return Val(origin="local")

    def python_iteration(self, name: str, node: ast.Call, args: list[Val]) -> None:
        """`list(t)`, `zip(t, u)`...: Python iterates the tensor, which a graph refuses."""
        if name not in ITERATING_BUILTINS:
            return
        for arg in args:
            if is_tensor_parameter(arg, self.body.params):
                message = f"iterates a tensor in Python with `{name}()`"
                self.body.find("TH181", message, node.lineno, arg.taint)
                return

    def numeric(self, args: list[Val]) -> Val:
        """`abs`, `min`, `max`, `sum`...: tensor ops on tensors, Python numbers otherwise."""
        taint = frozenset().union(*(a.taint for a in args))
        if any(is_tensorish(a) for a in args):
            self.body.fs.tensor_ops |= taint
            return Val(ValKind.TENSOR, taint, origin="local")
        literal = all(a.kind is ValKind.LITERAL for a in args)
        return Val(ValKind.LITERAL if literal else ValKind.UNKNOWN, origin="local")

    def next(self, iterator: Val, node: ast.Call) -> Val:
        """`next(it)` or `it.__next__()`: a dataset's element, or a Python iterator's state."""
        if iterator.kind is ValKind.DATASET_ITER:
            return Val(ValKind.TENSOR, TENSOR, origin="local")
        kind, body = iterator.kind, self.body
        if kind in (ValKind.PY_ITER, ValKind.CONTAINER) or iterator.origin.startswith("global:"):
            text = body.ctx.text(node)
            body.find("TH104", f"calls `next()` on a Python iterator (`{text}`)", node.lineno)
        else:
            body.unknown(f"`next()` on an iterator of unknown origin at line {node.lineno}")
        return element_of(iterator)
