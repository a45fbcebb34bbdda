"""Expression evaluation over abstract values: tensors, literals, containers, aliases."""

from __future__ import annotations

import ast
from typing import Protocol

from tracehybrid.static import names
from tracehybrid.static.attrtypes import attr_type
from tracehybrid.static.autograph import is_staged_iterable, is_tensor_parameter
from tracehybrid.static.context import BodyContext
from tracehybrid.static.scopes import Scope, ScopeKind
from tracehybrid.static.summary import NO_TAINT, Taint
from tracehybrid.static.values import UNKNOWN, Val, ValKind, element_of, is_tensorish, merge

PYTHON_SCALARS = (ValKind.LITERAL, ValKind.BOOL)
TRAINABLE_ATTRS = frozenset({"trainable_variables", "trainable_weights"})
EXPR_METHODS: dict[type, str] = {}


def _method_name(node: ast.AST) -> str:
    """`ev_binop` for an ast.BinOp: visitor names, computed once per node type."""
    name = EXPR_METHODS[type(node)] = "ev_" + type(node).__name__.lower()
    return name


class ExprOwner(Protocol):
    """What an expression hands back to the statement walker that owns its evaluator."""

    def call(self, node: ast.Call) -> Val: ...

    def bind(self, name: str, val: Val, line: int) -> None: ...

    def bind_target(
        self, target: ast.expr, val: Val, line: int, *, inner: bool = False
    ) -> None: ...


def container_of(vals: list[Val], *, literal_ok: bool = True) -> Val:
    taint: Taint = NO_TAINT
    for val in vals:
        taint |= val.taint
    ref = ""
    if vals and literal_ok:
        literal = [v.is_python_literal or v.ref == "haslit" for v in vals]
        if all(v.is_python_literal or v.kind is ValKind.BOOL for v in vals):
            ref = "lit" if any(literal) else "bool"
        elif any(literal):
            ref = "haslit"  # e.g. (tensor, 1): a tensor and a Python scalar (catalogue C49)
    return Val(ValKind.CONTAINER, taint, ref=ref, origin="local", elem=taint)


class ExprEvaluator:
    """Evaluates the expressions of one body; calls and bindings go back to its owner."""

    def __init__(self, body: BodyContext, owner: ExprOwner) -> None:
        self.body = body
        self.owner = owner

    def ev(self, node: ast.expr) -> Val:
        method = getattr(self, EXPR_METHODS.get(type(node)) or _method_name(node), None)
        if method is not None:
            result: Val = method(node)
            return result
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.ev(child)
        return UNKNOWN

    def ev_call(self, node: ast.Call) -> Val:
        return self.owner.call(node)

    def ev_constant(self, node: ast.Constant) -> Val:
        value = node.value
        if isinstance(value, bool):
            return Val(ValKind.BOOL, origin="local")
        if value is None:
            return Val(ValKind.NONE, origin="local")
        if value is Ellipsis:
            return UNKNOWN
        return Val(ValKind.LITERAL, ref=type(value).__name__, origin="local")

    def ev_name(self, node: ast.Name) -> Val:
        self.body.line = node.lineno
        return self.body.lookup(node.id)

    def ev_attribute(self, node: ast.Attribute) -> Val:
        if node.attr in TRAINABLE_ATTRS and isinstance(node.value, ast.Name):
            self.body.trainable_reads.setdefault(node.value.id, node.lineno)
        base = self.ev(node.value)
        attr = node.attr
        if base.kind is ValKind.SYM:
            return Val(ValKind.SYM, ref=f"{base.ref}.{attr}")
        if attr in ("shape", "get_shape"):
            return Val(ValKind.SHAPE, origin=base.origin)
        if attr in ("dtype", "name", "ndim", "device", "__class__"):
            return Val(origin="local")
        if base.kind is ValKind.INSTANCE:
            cls = attr_type(self.body.ctx, base.ref, attr)
            if cls:
                kind = ValKind.TFOBJ if names.is_tf(cls) else ValKind.INSTANCE
                return Val(kind, ref=cls, origin=base.origin)
            return Val(origin=base.origin, ref=f"{base.ref}:{attr}")
        if base.kind in (ValKind.TFOBJ, ValKind.DATASET, ValKind.CLASS):
            return Val(
                base.kind if base.kind is not ValKind.CLASS else ValKind.SYM,
                ref=f"{base.ref}.{attr}",
                origin=base.origin,
            )
        kind = ValKind.TENSOR if is_tensorish(base) else ValKind.UNKNOWN
        return Val(kind, base.taint, origin=base.origin)

    def ev_subscript(self, node: ast.Subscript) -> Val:
        base = self.ev(node.value)
        self.ev(node.slice)
        if base.kind is ValKind.SHAPE:
            self._static_axis(base, node)
            return Val(ValKind.LITERAL, ref="int", origin="local")
        if base.kind in (ValKind.CONTAINER, ValKind.PY_ITER):
            if isinstance(node.slice, ast.Slice):
                return base
            return element_of(base)
        if base.kind is ValKind.NDARRAY:
            return base
        kind = ValKind.TENSOR if is_tensorish(base) else ValKind.UNKNOWN
        if kind is ValKind.TENSOR:
            self.body.fs.tensor_ops |= base.taint
        return Val(kind, base.taint, origin=base.origin)

    def _static_axis(self, shape: Val, node: ast.Subscript) -> None:
        if shape.origin.startswith("param:"):
            name = shape.origin[6:]
            param = self.body.params.get(name)
            if param is not None and not param.reads_static_axes:
                param.reads_static_axes = True
                self.body.find(
                    "TH196",
                    f"reads an axis of `{name}` as a Python int (`{self.body.ctx.text(node)}`)",
                    node.lineno,
                    frozenset({f"p:{name}"}),
                )

    def ev_binop(self, node: ast.BinOp) -> Val:
        left, right = self.ev(node.left), self.ev(node.right)
        self._note_coercion(left, right, node.lineno)
        self._note_coercion(right, left, node.lineno)
        taint = left.taint | right.taint
        if (is_tensorish(left) or is_tensorish(right)) and taint:
            self.body.fs.tensor_ops |= taint
            return Val(ValKind.TENSOR, taint, origin="local", dtype=left.dtype or right.dtype)
        if left.kind in PYTHON_SCALARS and right.kind in PYTHON_SCALARS:
            return Val(ValKind.LITERAL, origin="local")
        if left.kind is ValKind.CONTAINER and right.kind is ValKind.CONTAINER:
            return merge(left, right).with_origin("local")
        if ValKind.NDARRAY in (left.kind, right.kind):
            return Val(ValKind.NDARRAY, origin="local")
        return Val(origin="local", taint=taint)

    def _note_coercion(self, param: Val, other: Val, line: int) -> None:
        """A parameter combined with a tensor of known dtype (catalogue F74)."""
        if param.origin.startswith("param:") and param.kind is ValKind.UNKNOWN and other.dtype:
            seen = self.body.coercions.setdefault(param.origin[6:], {})
            seen.setdefault(other.dtype, line)

    def ev_unaryop(self, node: ast.UnaryOp) -> Val:
        val = self.ev(node.operand)
        if isinstance(node.op, ast.Not):
            return Val(ValKind.BOOL, origin="local")
        if is_tensorish(val):
            self.body.fs.tensor_ops |= val.taint
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
            self.body.fs.tensor_ops |= taint
            return Val(ValKind.TENSOR, taint, origin="local")
        return Val(ValKind.BOOL, origin="local")

    def ev_ifexp(self, node: ast.IfExp) -> Val:
        self.ev(node.test)
        return merge(self.ev(node.body), self.ev(node.orelse))

    def ev_namedexpr(self, node: ast.NamedExpr) -> Val:
        val = self.ev(node.value)
        self.owner.bind(node.target.id, val, node.lineno)
        return val

    def ev_joinedstr(self, node: ast.JoinedStr) -> Val:
        for value in node.values:
            self.ev(value)
        return Val(ValKind.LITERAL, ref="str", origin="local")

    def ev_formattedvalue(self, node: ast.FormattedValue) -> Val:
        self.ev(node.value)
        return Val(ValKind.LITERAL, ref="str", origin="local")

    def ev_starred(self, node: ast.Starred) -> Val:
        return self.ev(node.value)

    def ev_await(self, node: ast.Await) -> Val:
        return self.ev(node.value)

    def ev_yield(self, node: ast.Yield) -> Val:
        return self.ev(node.value) if node.value is not None else UNKNOWN

    def ev_yieldfrom(self, node: ast.YieldFrom) -> Val:
        return self.ev(node.value)

    def ev_list(self, node: ast.List | ast.Tuple | ast.Set) -> Val:
        return container_of([self.ev(e) for e in node.elts])

    ev_tuple = ev_list
    ev_set = ev_list

    def ev_dict(self, node: ast.Dict) -> Val:
        for key in node.keys:
            if key is not None:
                self.ev(key)
        return container_of([self.ev(v) for v in node.values], literal_ok=False)

    # -- scopes for lambdas and comprehensions -----------------------------------------------
    def ev_lambda(self, node: ast.Lambda) -> Val:
        body = self.body
        inner = Scope(ScopeKind.INNER, body.scope.qualname, body.scope)
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            inner.env[arg.arg] = Val(origin="unknown")
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.ev(default)
        saved, body.scope = body.scope, inner
        try:
            self.ev(node.body)
        finally:
            body.scope = saved
        return Val(ValKind.LAMBDA, origin="local")

    def _comprehension(
        self, generators: list[ast.comprehension], elts: list[ast.expr]
    ) -> list[Val]:
        body = self.body
        inner = Scope(ScopeKind.INNER, body.scope.qualname, body.scope)
        first = True
        saved = body.scope
        try:
            for gen in generators:
                source = self.ev(gen.iter)
                if is_staged_iterable(source) or is_tensor_parameter(source, body.params):
                    # AutoGraph converts loops, not comprehensions: Python iterates the tensor.
                    text = f"iterates `{body.ctx.text(gen.iter)}` in a comprehension"
                    body.find("TH181", text, gen.iter.lineno, source.taint)
                if first:  # the first iterable is evaluated outside, as Python does
                    body.scope, first = inner, False
                target, line = gen.target, gen.target.lineno
                self.owner.bind_target(target, element_of(source), line, inner=True)
                for cond in gen.ifs:
                    self.ev(cond)
            return [self.ev(e) for e in elts]
        finally:
            body.scope = saved

    def ev_listcomp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> Val:
        (val,) = self._comprehension(node.generators, [node.elt])
        kind = ValKind.PY_ITER if isinstance(node, ast.GeneratorExp) else ValKind.CONTAINER
        return Val(kind, val.taint, origin="local", elem=val.taint)

    ev_setcomp = ev_listcomp
    ev_generatorexp = ev_listcomp

    def ev_dictcomp(self, node: ast.DictComp) -> Val:
        _, val = self._comprehension(node.generators, [node.key, node.value])
        return Val(ValKind.CONTAINER, val.taint, origin="local", elem=val.taint)
