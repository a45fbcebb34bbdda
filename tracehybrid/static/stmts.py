"""Statements of one body: bindings, mutations, loops, asserts and the checks that need order."""

from __future__ import annotations

import ast
import weakref
from typing import Protocol

from tracehybrid.static import attrscan, attrtypes
from tracehybrid.static.autograph import is_tensor_loop, unstageable_loop_body
from tracehybrid.static.calls import CallResolver
from tracehybrid.static.context import BodyContext, ModuleContext, dotted, is_lazy_guard
from tracehybrid.static.exprs import ExprEvaluator
from tracehybrid.static.scopes import Scope, ScopeKind
from tracehybrid.static.summary import FuncSummary, Taint
from tracehybrid.static.tfcalls import HigherOrderHook
from tracehybrid.static.values import Val, ValKind, element_of, is_tensorish, merge

STMT_METHODS: dict[type, str] = {}


def _stmt_name(node: ast.AST) -> str:
    name = STMT_METHODS[type(node)] = "st_" + type(node).__name__.lower()
    return name


class Hooks(HigherOrderHook, Protocol):
    """The module analyser's callbacks for definitions met inside a body."""

    def on_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, walker: BodyWalker) -> Val: ...

    def on_class(self, node: ast.ClassDef, walker: BodyWalker) -> Val: ...


class BodyWalker:
    """Walks the statements of one body in order, binding names and recording evidence.

    It owns the body's expression evaluator and call resolver; all three share one BodyContext.
    """

    def __init__(self, ctx: ModuleContext, scope: Scope, fs: FuncSummary, hooks: Hooks) -> None:
        self.hooks = hooks
        self.body = BodyContext(ctx, scope, fs)
        # The evaluator points back weakly: a reference cycle per body would leave every walk's
        # values to the cyclic garbage collector, which costs the analysis about a fifth.
        self.exprs = ExprEvaluator(self.body, weakref.proxy(self))
        self.ev = self.exprs.ev  # bound once: the walk evaluates an expression per statement
        self.calls = CallResolver(self.body, self.exprs, hooks)

    def run(self, statements: list[ast.stmt]) -> None:
        self.block(statements)
        self.body.finish()

    def block(self, statements: list[ast.stmt]) -> None:
        for node in statements:
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
        body = self.body
        scope = body.scope.owning_function()
        if scope.kind is ScopeKind.MODULE:
            body.ctx.env[name] = val
        elif scope.kind is ScopeKind.CLASS:
            scope.env[name] = val
        elif name in scope.global_names:
            body.find("TH111", f"assigns the global `{name}`", line)
            body.fs.global_writes.append((f"{body.ctx.module}.{name}", val.taint, line))
        elif name in scope.nonlocal_names:
            owner = scope.parent
            while (
                owner is not None
                and owner.kind is ScopeKind.FUNCTION
                and name not in owner.local_names
            ):
                owner = owner.parent
            where = owner.qualname if owner is not None else ""
            body.find("TH112", f"assigns `{name}` of the enclosing function", line, subject=where)
        else:
            scope.env[name] = val

    def bind_target(
        self,
        target: ast.expr,
        val: Val,
        line: int,
        *,
        inner: bool = False,
        annotation: ast.expr | None = None,
    ) -> None:
        if isinstance(target, ast.Name):
            if inner:
                self.body.scope.env[target.id] = val
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
                attrtypes.note_assignment(self.body, target.attr, val, annotation)
            self.body.mutate(owner, f"{dotted(target)} = ...", line)
        elif isinstance(target, ast.Subscript):
            owner = self.ev(target.value)
            self.ev(target.slice)
            if owner.origin == "global:globals()":
                self.body.find("TH185", "writes through `globals()`", line)
            else:
                self.body.mutate(owner, f"{self.body.ctx.text(target)} = ...", line)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, val, line, inner=inner)

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
            val = self.ev(node.value)
            self.bind_target(node.target, val, node.lineno, annotation=node.annotation)
        if self.body.scope.kind is ScopeKind.CLASS and isinstance(node.target, ast.Name):
            attrtypes.note_declaration(self.body, node.target.id, node.annotation)

    def st_augassign(self, node: ast.AugAssign) -> None:
        value = self.ev(node.value)
        target = node.target
        if isinstance(target, ast.Name):
            current = self.body.lookup(target.id)
            taint = current.taint | value.taint
            tensor = is_tensorish(current) or is_tensorish(value)
            kind = ValKind.TENSOR if tensor else current.kind
            if kind is ValKind.TENSOR:
                self.body.fs.tensor_ops |= taint
            self.bind(target.id, Val(kind, taint, origin=current.origin), node.lineno)
        else:
            self.bind_target(target, value, node.lineno)

    def st_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                self.bind_target(target, Val(), node.lineno)

    def st_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.body.fs.returns |= self.ev(node.value).taint

    def st_if(self, node: ast.If) -> None:
        self.ev(node.test)
        lazy = is_lazy_guard(node.test)
        self.body.lazy_depth += lazy
        self.branches(node.body, node.orelse)
        self.body.lazy_depth -= lazy

    def branches(self, first: list[ast.stmt], second: list[ast.stmt]) -> None:
        scope = self.body.scope.owning_function()
        if scope.kind is not ScopeKind.FUNCTION:
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
        if is_tensor_loop(node.iter, source, self.body.params):
            what = self.body.ctx.text(node.iter)
            self.check_staged_loop(node, f"a Python `for` loop over `{what}`", source.taint)
        self.bind_target(node.target, element_of(source), node.lineno)
        self.branches(node.body, node.orelse)

    st_asyncfor = st_for

    def st_while(self, node: ast.While) -> None:
        test = self.ev(node.test)
        if is_tensorish(test):
            self.check_staged_loop(node, "a `while` loop on a tensor condition", test.taint)
        self.branches(node.body, node.orelse)

    def check_staged_loop(
        self, node: ast.For | ast.AsyncFor | ast.While, what: str, cond: Taint
    ) -> None:
        """TH181 only where AutoGraph cannot stage the loop (see static/autograph)."""
        why = unstageable_loop_body(node.body, self.body.lookup)
        if why is not None:
            self.body.find("TH181", f"{what} {why}", node.lineno, cond)

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
            self.body.find("TH183", "uses a Python `assert` on a tensor", node.lineno, test.taint)
        if node.msg is not None:
            self.ev(node.msg)

    def st_global(self, node: ast.Global | ast.Nonlocal) -> None:
        """Declarations were read by `scan_body` before the walk."""

    st_nonlocal = st_global

    def st_import(self, node: ast.Import) -> None:
        absolute = self.body.ctx.local.absolute
        for alias in node.names:
            if alias.asname:
                self.bind_import(alias.asname, absolute(alias.name), node.lineno)
            else:
                first = alias.name.split(".")[0]
                self.bind_import(first, absolute(first), node.lineno)

    def st_importfrom(self, node: ast.ImportFrom) -> None:
        ctx = self.body.ctx
        base = ctx.resolve_import(node.module, node.level)
        for alias in node.names:
            if alias.name == "*":
                if base.split(".")[0] == "tensorflow":
                    ctx.star_tf = True
                continue
            self.bind_import(alias.asname or alias.name, f"{base}.{alias.name}", node.lineno)

    def bind_import(self, name: str, qualified: str, line: int) -> None:
        if self.body.scope.kind is ScopeKind.MODULE:
            self.body.ctx.summary.aliases[name] = qualified
        self.bind(name, Val(ValKind.SYM, ref=qualified), line)

    def st_functiondef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        val = self.hooks.on_def(node, self)
        if self.body.scope.kind is ScopeKind.FUNCTION and node.decorator_list:
            self.body.created_hybrids.append((node, val.ref))  # if it is a tf.function
        self.bind(node.name, val, node.lineno)

    st_asyncfunctiondef = st_functiondef

    def st_classdef(self, node: ast.ClassDef) -> None:
        attrscan.prescan_class(self.body, node)
        self.bind(node.name, self.hooks.on_class(node, self), node.lineno)

    # -- order-dependent checks --------------------------------------------------------------
    def call(self, node: ast.Call) -> Val:
        """Every call of the body, with the order facts `BodyContext.finish` judges noted first."""
        func, body = node.func, self.body
        if isinstance(func, ast.Name):
            body.first_calls.setdefault(func.id, node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in ("apply_gradients", "gradient"):
            body.applies_gradients = True
        return self.calls.call(node)
