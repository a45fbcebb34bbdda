"""Expression evaluation over abstract values: tensors, literals, containers, aliases."""

from __future__ import annotations

import ast

from tracehybrid.static import names
from tracehybrid.static.context import ModuleContext
from tracehybrid.static.summary import NO_TAINT, TENSOR, FuncSummary, LocalFinding, Taint
from tracehybrid.static.values import NON_TENSOR_KINDS, UNKNOWN, Scope, Val, merge

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
FUNCTION_SCOPES = frozenset({"function", "inner"})
EXPR_METHODS: dict[type, str] = {}


def _method_name(prefix: str, node: ast.AST, cache: dict[type, str] = EXPR_METHODS) -> str:
    """`ev_binop` for an ast.BinOp: visitor names, computed once per node type."""
    name = cache[type(node)] = prefix + type(node).__name__.lower()
    return name


def is_tensorish(val: Val) -> bool:
    return bool(val.taint) and val.kind not in NON_TENSOR_KINDS and val.kind != "container"


def element_of(val: Val) -> Val:
    """The value of one element when iterating or unpacking `val`."""
    if val.kind in ("tfrange", "dataset", "dataset_iter"):
        return Val("tensor", TENSOR, origin="local")
    if val.kind == "pyrange":
        return Val("literal", ref="int", origin="local")
    if val.kind in ("container", "py_iter"):
        if val.ref == "lit":
            return Val("literal", origin=val.origin)
        if val.ref == "bool":
            return Val("bool", origin=val.origin)
        return Val("tensor" if val.elem else "unknown", val.elem, origin=val.origin)
    if val.taint and val.kind not in NON_TENSOR_KINDS:
        return Val("tensor", val.taint, origin=val.origin)
    return Val(origin=val.origin)


class ExprEvaluator:
    """Evaluates expressions of one function body; subclasses add calls and statements."""

    def __init__(self, ctx: ModuleContext, scope: Scope, fs: FuncSummary) -> None:
        self.ctx = ctx
        self.scope = scope
        self.fs = fs
        self.params = {p.name: p for p in fs.params}
        self.read_globals: set[str] = set()

    # -- recording ---------------------------------------------------------------------------
    @property
    def in_function(self) -> bool:
        return self.scope.kind in FUNCTION_SCOPES

    def find(
        self, code: str, message: str, line: int, cond: Taint = NO_TAINT, subject: str = ""
    ) -> None:
        if self.in_function:
            self.fs.findings.append(LocalFinding(code, message, line, cond, subject))

    def note_tf_use(self, vals: list[Val], api: str, line: int) -> None:
        """Parameters that flow into a TensorFlow API are evidence of tensor parameters."""
        for val in vals:
            for source in val.taint:
                if source.startswith("p:"):
                    param = self.params.get(source[2:])
                    if param is not None and not param.tf_use:
                        param.tf_use = f"passed to {api} (line {line})"

    # -- names -------------------------------------------------------------------------------
    def lookup(self, name: str) -> Val:
        scope = self.scope
        while scope.kind == "inner":
            val = scope.env.get(name)
            if val is not None:
                return val
            assert scope.parent is not None
            scope = scope.parent
        if scope.kind == "function":
            return self._lookup_function(scope, name)
        if scope.kind == "class":
            val = scope.env.get(name)
            if val is not None:
                return val
        return self.ctx.global_val(name)

    def _lookup_function(self, scope: Scope, name: str) -> Val:
        if name in scope.global_names:
            return self._read_global(name)
        val = scope.env.get(name)
        if val is not None:
            return val
        if name in scope.local_names:
            return Val(origin="local")
        outer = scope.parent
        while outer is not None and outer.kind != "module":
            if outer.kind == "function" and name in outer.local_names:
                if name in outer.global_names:
                    break
                val = outer.env.get(name, UNKNOWN)
                return val.outside(
                    "self" if val.origin == "self" else f"closure:{outer.qualname}:{name}"
                )
            outer = outer.parent
        return self._read_global(name)

    def _read_global(self, name: str) -> Val:
        val = self.ctx.global_val(name)
        if name not in self.read_globals and val.kind not in ("func", "class"):
            self.read_globals.add(name)
            qualified = val.ref if val.kind == "sym" else f"{self.ctx.module}.{name}"
            if not names.is_tf(qualified) and not qualified.startswith("builtins."):
                self.fs.global_reads.append((qualified, self._line))
        return val

    _line = 0

    # -- expressions -------------------------------------------------------------------------
    def ev(self, node: ast.expr) -> Val:
        method = getattr(self, EXPR_METHODS.get(type(node)) or _method_name("ev_", node), None)
        if method is not None:
            result: Val = method(node)
            return result
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.ev(child)
        return UNKNOWN

    def ev_constant(self, node: ast.Constant) -> Val:
        value = node.value
        if isinstance(value, bool):
            return Val("bool", origin="local")
        if value is None:
            return Val("none", origin="local")
        if value is Ellipsis:
            return UNKNOWN
        return Val("literal", ref=type(value).__name__, origin="local")

    def ev_name(self, node: ast.Name) -> Val:
        self._line = node.lineno
        return self.lookup(node.id)

    def ev_attribute(self, node: ast.Attribute) -> Val:
        base = self.ev(node.value)
        attr = node.attr
        if base.kind == "sym":
            return Val("sym", ref=f"{base.ref}.{attr}")
        if attr in ("shape", "get_shape"):
            return Val("shape", origin=base.origin)
        if attr in ("dtype", "name", "ndim", "device", "__class__"):
            return Val(origin="local")
        if base.kind == "instance":
            cls = self.ctx.class_attrs.get(base.ref, {}).get(attr)
            if cls is not None:
                kind = "tfobj" if names.is_tf(cls) else "instance"
                return Val(kind, ref=cls, origin=base.origin)
            return Val(origin=base.origin, ref=f"{base.ref}:{attr}")
        if base.kind in ("tfobj", "dataset", "class"):
            return Val(
                base.kind if base.kind != "class" else "sym",
                ref=f"{base.ref}.{attr}",
                origin=base.origin,
            )
        return Val("tensor" if is_tensorish(base) else "unknown", base.taint, origin=base.origin)

    def ev_subscript(self, node: ast.Subscript) -> Val:
        base = self.ev(node.value)
        self.ev(node.slice)
        if base.kind == "shape":
            self._static_axis(base, node)
            return Val("literal", ref="int", origin="local")
        if base.kind in ("container", "py_iter"):
            if isinstance(node.slice, ast.Slice):
                return base
            return element_of(base)
        if base.kind == "ndarray":
            return base
        kind = "tensor" if is_tensorish(base) else "unknown"
        if kind == "tensor":
            self.fs.tensor_ops |= base.taint
        return Val(kind, base.taint, origin=base.origin)

    def _static_axis(self, shape: Val, node: ast.Subscript) -> None:
        if shape.origin.startswith("param:"):
            name = shape.origin[6:]
            param = self.params.get(name)
            if param is not None and not param.reads_static_axes:
                param.reads_static_axes = True
                self.find(
                    "TH196",
                    f"reads an axis of `{name}` as a Python int (`{self.ctx.text(node)}`)",
                    node.lineno,
                    frozenset({f"p:{name}"}),
                )

    def ev_binop(self, node: ast.BinOp) -> Val:
        left, right = self.ev(node.left), self.ev(node.right)
        self._note_coercion(left, right, node.lineno)
        self._note_coercion(right, left, node.lineno)
        taint = left.taint | right.taint
        if (is_tensorish(left) or is_tensorish(right)) and taint:
            self.fs.tensor_ops |= taint
            return Val("tensor", taint, origin="local", dtype=left.dtype or right.dtype)
        if left.kind in ("literal", "bool") and right.kind in ("literal", "bool"):
            return Val("literal", origin="local")
        if left.kind == "container" and right.kind == "container":
            return merge(left, right).with_origin("local")
        if "ndarray" in (left.kind, right.kind):
            return Val("ndarray", origin="local")
        return Val(origin="local", taint=taint)

    def _note_coercion(self, param: Val, other: Val, line: int) -> None:
        """A parameter combined with a tensor of known dtype (catalogue F74)."""
        if param.origin.startswith("param:") and param.kind == "unknown" and other.dtype:
            seen = self.coercions.setdefault(param.origin[6:], {})
            seen.setdefault(other.dtype, line)

    coercions: dict[str, dict[str, int]]

    def ev_unaryop(self, node: ast.UnaryOp) -> Val:
        val = self.ev(node.operand)
        if isinstance(node.op, ast.Not):
            return Val("bool", origin="local")
        if is_tensorish(val):
            self.fs.tensor_ops |= val.taint
        return val.with_origin("local")

    def ev_boolop(self, node: ast.BoolOp) -> Val:
        vals = [self.ev(v) for v in node.values]
        result = vals[0]
        for val in vals[1:]:
            result = merge(result, val)
        return result

    def ev_compare(self, node: ast.Compare) -> Val:
        vals = [self.ev(node.left)] + [self.ev(c) for c in node.comparators]
        taint = frozenset().union(*(v.taint for v in vals if is_tensorish(v)))
        if taint and not any(
            isinstance(op, ast.Is | ast.IsNot | ast.In | ast.NotIn) for op in node.ops
        ):
            self.fs.tensor_ops |= taint
            return Val("tensor", taint, origin="local")
        return Val("bool", origin="local")

    def ev_ifexp(self, node: ast.IfExp) -> Val:
        self.ev(node.test)
        return merge(self.ev(node.body), self.ev(node.orelse))

    def ev_namedexpr(self, node: ast.NamedExpr) -> Val:
        val = self.ev(node.value)
        self.bind(node.target.id, val, node.lineno)
        return val

    def ev_joinedstr(self, node: ast.JoinedStr) -> Val:
        for value in node.values:
            self.ev(value)
        return Val("literal", ref="str", origin="local")

    def ev_formattedvalue(self, node: ast.FormattedValue) -> Val:
        self.ev(node.value)
        return Val("literal", ref="str", origin="local")

    def ev_starred(self, node: ast.Starred) -> Val:
        return self.ev(node.value)

    def ev_await(self, node: ast.Await) -> Val:
        return self.ev(node.value)

    def ev_yield(self, node: ast.Yield) -> Val:
        return self.ev(node.value) if node.value is not None else UNKNOWN

    def ev_yieldfrom(self, node: ast.YieldFrom) -> Val:
        return self.ev(node.value)

    def ev_list(self, node: ast.List | ast.Tuple | ast.Set) -> Val:
        return self.container([self.ev(e) for e in node.elts])

    ev_tuple = ev_list
    ev_set = ev_list

    def ev_dict(self, node: ast.Dict) -> Val:
        for key in node.keys:
            if key is not None:
                self.ev(key)
        return self.container([self.ev(v) for v in node.values], literal_ok=False)

    @staticmethod
    def container(vals: list[Val], *, literal_ok: bool = True) -> Val:
        taint: Taint = NO_TAINT
        for val in vals:
            taint |= val.taint
        ref = ""
        if vals and literal_ok:
            literal = [v.is_python_literal or v.ref == "haslit" for v in vals]
            if all(v.is_python_literal or v.kind == "bool" for v in vals):
                ref = "lit" if any(literal) else "bool"
            elif any(literal):
                ref = "haslit"  # e.g. (tensor, 1): a tensor and a Python scalar (catalogue C49)
        return Val("container", taint, ref=ref, origin="local", elem=taint)

    # -- scopes for lambdas and comprehensions -----------------------------------------------
    def ev_lambda(self, node: ast.Lambda) -> Val:
        inner = Scope("inner", self.scope.qualname, self.scope)
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            inner.env[arg.arg] = Val(origin="unknown")
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.ev(default)
        saved, self.scope = self.scope, inner
        try:
            self.ev(node.body)
        finally:
            self.scope = saved
        return Val("lambda", origin="local")

    def _comprehension(
        self, generators: list[ast.comprehension], elts: list[ast.expr]
    ) -> list[Val]:
        inner = Scope("inner", self.scope.qualname, self.scope)
        first = True
        saved = self.scope
        try:
            for gen in generators:
                source = self.ev(gen.iter)
                if first:
                    self.scope, first = inner, False
                self.bind_target(gen.target, element_of(source), gen.target.lineno, inner=True)
                for cond in gen.ifs:
                    self.ev(cond)
            return [self.ev(e) for e in elts]
        finally:
            self.scope = saved

    def ev_listcomp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> Val:
        (val,) = self._comprehension(node.generators, [node.elt])
        kind = "py_iter" if isinstance(node, ast.GeneratorExp) else "container"
        return Val(kind, val.taint, origin="local", elem=val.taint)

    ev_setcomp = ev_listcomp
    ev_generatorexp = ev_listcomp

    def ev_dictcomp(self, node: ast.DictComp) -> Val:
        _, val = self._comprehension(node.generators, [node.key, node.value])
        return Val("container", val.taint, origin="local", elem=val.taint)

    # -- binding (statements override) -------------------------------------------------------
    def bind(self, name: str, val: Val, line: int) -> None:
        raise NotImplementedError

    def bind_target(self, target: ast.expr, val: Val, line: int, *, inner: bool = False) -> None:
        raise NotImplementedError
