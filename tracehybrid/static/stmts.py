"""Statements of one body: bindings, mutations, loops, asserts and the checks that need order."""

from __future__ import annotations

import ast
from typing import Protocol

from tracehybrid.static.calls import CallEvaluator
from tracehybrid.static.context import ModuleContext, dotted
from tracehybrid.static.exprs import element_of, is_tensorish
from tracehybrid.static.summary import FuncSummary
from tracehybrid.static.values import Scope, Val, merge

# Methods where assigning `self.x` is setting up the object, not an effect of a recurring call.
SETUP_METHODS = frozenset(
    {"__init__", "__new__", "__post_init__", "build", "_build", "__setstate__"}
)
TRAINABLE_ATTRS = frozenset({"trainable_variables", "trainable_weights"})
STMT_METHODS: dict[type, str] = {}


def _stmt_name(node: ast.AST) -> str:
    name = STMT_METHODS[type(node)] = "st_" + type(node).__name__.lower()
    return name


class Hooks(Protocol):
    """The module analyser's callbacks for definitions met inside a body."""

    def on_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, body: BodyAnalyzer) -> Val: ...

    def on_class(self, node: ast.ClassDef, body: BodyAnalyzer) -> Val: ...

    def on_higher_order(self, target: str, node: ast.Call, body: BodyAnalyzer) -> None: ...


DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
OWN_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def scan_body(body: list[ast.stmt]) -> tuple[set[str], set[str], set[str], bool]:
    """Local, global and nonlocal names of a function body, and whether it yields."""
    local: set[str] = set()
    global_: set[str] = set()
    nonlocal_: set[str] = set()
    is_generator = False
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                local.add(node.id)
            continue
        if isinstance(node, DEFINITIONS):
            local.add(node.name)
            continue
        if isinstance(node, OWN_SCOPES):
            continue
        if isinstance(node, ast.Global):
            global_.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            nonlocal_.update(node.names)
        elif isinstance(node, ast.Yield | ast.YieldFrom):
            is_generator = True
        else:
            local.update(_other_bindings(node))
        stack.extend(ast.iter_child_nodes(node))
    return local - global_ - nonlocal_, global_, nonlocal_, is_generator


def _other_bindings(node: ast.AST) -> list[str]:
    """Names bound by imports, `except ... as`, and `match` captures."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    return []


def is_lazy_guard(test: ast.expr) -> bool:
    """`if self.v is None:`, `if not self.built:`, `if "k" not in cache:` guard one-time setup."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, ast.Is) and isinstance(right, ast.Constant) and right.value is None:
            return True
        return isinstance(op, ast.NotIn)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Attribute | ast.Name | ast.Call)
    if isinstance(test, ast.BoolOp):
        return any(is_lazy_guard(v) for v in test.values)
    return False


class BodyAnalyzer(CallEvaluator):
    """Walks the statements of one body in order, binding names and recording evidence."""

    def __init__(self, ctx: ModuleContext, scope: Scope, fs: FuncSummary, hooks: Hooks) -> None:
        super().__init__(ctx, scope, fs)
        self.hooks = hooks
        self.coercions = {}
        self.lazy_depth = 0
        name = fs.qualname.rsplit(".", 1)[-1]
        self.exempt_self_writes = (bool(fs.class_name) and name in SETUP_METHODS) or fs.once_only
        self.trainable_reads: dict[str, int] = {}
        self.first_calls: dict[str, int] = {}
        self.applies_gradients = False

    def run(self, body: list[ast.stmt]) -> None:
        self.block(body)
        self.finish()

    def block(self, body: list[ast.stmt]) -> None:
        for node in body:
            method = getattr(self, STMT_METHODS.get(type(node)) or _stmt_name(node), None)
            if method is not None:
                method(node)
            else:
                self.generic(node)

    def generic(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.ev(child)
            elif isinstance(child, ast.stmt):
                self.block([child])

    # -- bindings ----------------------------------------------------------------------------
    def bind(self, name: str, val: Val, line: int) -> None:
        scope = self.scope.owning_function()
        if scope.kind == "module":
            self.ctx.env[name] = val
        elif scope.kind == "class":
            scope.env[name] = val
        elif name in scope.global_names:
            self.find("TH111", f"assigns the global `{name}`", line)
            self.fs.global_writes.append((f"{self.ctx.module}.{name}", val.taint, line))
        elif name in scope.nonlocal_names:
            owner = scope.parent
            while owner is not None and owner.kind == "function" and name not in owner.local_names:
                owner = owner.parent
            where = owner.qualname if owner is not None else ""
            self.find("TH112", f"assigns `{name}` of the enclosing function", line, subject=where)
        else:
            scope.env[name] = val

    def bind_target(self, target: ast.expr, val: Val, line: int, *, inner: bool = False) -> None:
        if isinstance(target, ast.Name):
            if inner:
                self.scope.env[target.id] = val
            else:
                self.bind(target.id, val, line)
        elif isinstance(target, ast.Tuple | ast.List):
            element = element_of(val)
            for elt in target.elts:
                if isinstance(elt, ast.Starred):
                    self.bind_target(elt.value, val, line, inner=inner)
                else:
                    self.bind_target(elt, element, line, inner=inner)
        elif isinstance(target, ast.Attribute):
            owner = self.ev(target.value)
            if owner.origin == "self" and isinstance(target.value, ast.Name):
                self.record_attr_type(target.attr, val)
            self.mutate(owner, f"{dotted(target)} = ...", line)
        elif isinstance(target, ast.Subscript):
            owner = self.ev(target.value)
            self.ev(target.slice)
            if owner.origin == "global:globals()":
                self.find("TH185", "writes through `globals()`", line)
            else:
                self.mutate(owner, f"{self.ctx.text(target)} = ...", line)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, val, line, inner=inner)

    def record_attr_type(self, attr: str, val: Val) -> None:
        cls = self.scope.owning_function().class_name
        if cls and val.kind in ("instance", "tfobj", "callres") and val.ref:
            self.ctx.class_attrs.setdefault(cls, {}).setdefault(attr, val.ref)

    def mutate(self, target: Val, text: str, line: int) -> None:
        origin = target.origin
        if origin in ("local", "unknown") or not self.in_function:
            return
        if origin == "self":
            if not (self.exempt_self_writes or self.lazy_depth):
                self.find("TH122", f"mutates `self` state ({text})", line)
        elif origin.startswith("param:"):
            name = origin[6:]
            self.find("TH121", f"mutates the argument `{name}` ({text})", line, subject=name)
        elif origin.startswith("global:"):
            self.find("TH123", f"mutates the module-level `{origin[7:]}` ({text})", line)
        elif origin.startswith("closure:"):
            _, scope, name = origin.split(":", 2)
            self.find("TH123", f"mutates the captured `{name}` ({text})", line, subject=scope)

    # -- statements --------------------------------------------------------------------------
    def st_expr(self, node: ast.Expr) -> None:
        self.ev(node.value)

    def st_assign(self, node: ast.Assign) -> None:
        value = node.value
        target = node.targets[0]
        if (
            len(node.targets) == 1
            and isinstance(target, ast.Tuple | ast.List)
            and isinstance(value, ast.Tuple | ast.List)
            and len(target.elts) == len(value.elts)
            and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
        ):
            vals = [self.ev(v) for v in value.elts]
            for elt, val in zip(target.elts, vals, strict=True):
                self.bind_target(elt, val, node.lineno)
            return
        val = self.ev(value)
        for target in node.targets:
            self.bind_target(target, val, node.lineno)

    def st_annassign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.bind_target(node.target, self.ev(node.value), node.lineno)

    def st_augassign(self, node: ast.AugAssign) -> None:
        value = self.ev(node.value)
        target = node.target
        if isinstance(target, ast.Name):
            current = self.lookup(target.id)
            taint = current.taint | value.taint
            kind = "tensor" if (is_tensorish(current) or is_tensorish(value)) else current.kind
            if kind == "tensor":
                self.fs.tensor_ops |= taint
            self.bind(target.id, Val(kind, taint, origin=current.origin), node.lineno)
        else:
            self.bind_target(target, value, node.lineno)

    def st_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                self.bind_target(target, Val(), node.lineno)

    def st_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.fs.returns |= self.ev(node.value).taint

    def st_if(self, node: ast.If) -> None:
        self.ev(node.test)
        lazy = is_lazy_guard(node.test)
        self.lazy_depth += lazy
        self.branches(node.body, node.orelse)
        self.lazy_depth -= lazy

    def branches(self, first: list[ast.stmt], second: list[ast.stmt]) -> None:
        scope = self.scope.owning_function()
        if scope.kind != "function":
            self.block(first)
            self.block(second)
            return
        before = dict(scope.env)
        self.block(first)
        after_first, scope.env = scope.env, dict(before)
        self.block(second)
        for name, val in after_first.items():
            other = scope.env.get(name)
            scope.env[name] = val if other is None or other is val else merge(val, other)

    def st_for(self, node: ast.For | ast.AsyncFor) -> None:
        source = self.ev(node.iter)
        params = frozenset(t for t in source.taint if t.startswith("p:"))
        if params and is_tensorish(source) and isinstance(node.iter, ast.Name):
            self.find(
                "TH181",
                f"iterates `{node.iter.id}` with a Python `for` loop",
                node.lineno,
                params,
            )
        self.bind_target(node.target, element_of(source), node.lineno)
        self.branches(node.body, node.orelse)

    st_asyncfor = st_for

    def st_while(self, node: ast.While) -> None:
        self.ev(node.test)
        self.branches(node.body, node.orelse)

    def st_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            val = self.ev(item.context_expr)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, val, node.lineno)
        self.block(node.body)

    st_asyncwith = st_with

    def st_try(self, node: ast.Try | ast.TryStar) -> None:
        self.block(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                self.ev(handler.type)
            if handler.name:
                self.bind(handler.name, Val(origin="local"), handler.lineno)
            self.block(handler.body)
        self.block(node.orelse)
        self.block(node.finalbody)

    st_trystar = st_try

    def st_assert(self, node: ast.Assert) -> None:
        test = self.ev(node.test)
        if is_tensorish(test):
            self.find("TH183", "uses a Python `assert` on a tensor", node.lineno, test.taint)
        if node.msg is not None:
            self.ev(node.msg)

    def st_global(self, node: ast.Global | ast.Nonlocal) -> None:
        """Declarations were read by `scan_body` before the walk."""

    st_nonlocal = st_global

    def st_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bind_import(alias.asname, self.ctx.local.absolute(alias.name), node.lineno)
            else:
                first = alias.name.split(".")[0]
                self.bind_import(first, self.ctx.local.absolute(first), node.lineno)

    def st_importfrom(self, node: ast.ImportFrom) -> None:
        base = self.ctx.resolve_import(node.module, node.level)
        for alias in node.names:
            if alias.name == "*":
                if base.split(".")[0] == "tensorflow":
                    self.ctx.star_tf = True
                continue
            self.bind_import(alias.asname or alias.name, f"{base}.{alias.name}", node.lineno)

    def bind_import(self, name: str, qualified: str, line: int) -> None:
        if self.scope.kind == "module":
            self.ctx.summary.aliases[name] = qualified
        self.bind(name, Val("sym", ref=qualified), line)

    def st_functiondef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.bind(node.name, self.hooks.on_def(node, self), node.lineno)

    st_asyncfunctiondef = st_functiondef

    def st_classdef(self, node: ast.ClassDef) -> None:
        self.bind(node.name, self.hooks.on_class(node, self), node.lineno)

    def on_higher_order(self, target: str, node: ast.Call) -> None:
        self.hooks.on_higher_order(target, node, self)

    # -- order-dependent checks --------------------------------------------------------------
    def ev_attribute(self, node: ast.Attribute) -> Val:
        if node.attr in TRAINABLE_ATTRS and isinstance(node.value, ast.Name):
            self.trainable_reads.setdefault(node.value.id, node.lineno)
        return super().ev_attribute(node)

    def ev_call(self, node: ast.Call) -> Val:
        func = node.func
        if isinstance(func, ast.Name):
            self.first_calls.setdefault(func.id, node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in ("apply_gradients", "gradient"):
            self.applies_gradients = True
        return super().ev_call(node)

    def finish(self) -> None:
        if not self.in_function:
            return
        for name, read_line in self.trainable_reads.items():
            call_line = self.first_calls.get(name)
            if self.applies_gradients and call_line is not None and read_line < call_line:
                self.find(
                    "TH184",
                    f"reads `{name}.trainable_variables` before the first call of `{name}`",
                    read_line,
                )
        for param, dtypes in self.coercions.items():
            if len(dtypes) > 1:
                listed = ", ".join(sorted(dtypes))
                self.find(
                    "TH195",
                    f"combines `{param}` with tensors of different dtypes ({listed})",
                    min(dtypes.values()),
                )
