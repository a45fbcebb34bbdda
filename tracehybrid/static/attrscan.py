"""What a class's methods assign to `self` attributes, read before any method is walked."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tracehybrid.static import names
from tracehybrid.static.attrtypes import (
    NOT_AN_OBJECT,
    Evaluate,
    annotation_names,
    record,
    type_of_annotation,
)
from tracehybrid.static.context import BodyContext
from tracehybrid.static.scopes import ScopeKind
from tracehybrid.static.values import ValKind

PLAIN_VALUES = (ast.Dict, ast.List, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.Tuple)


def prescan_class(body: BodyContext, node: ast.ClassDef) -> None:
    """Types of the attributes the class's methods assign, whatever order they run in.

    The walk records the same types as it meets the assignments; reading them first lets a
    method see an attribute another method, later in the file, assigns (`update` using the
    variable `initialize` creates), and keeps a method met before a dict is assigned to the
    attribute from taking it for an object.
    """
    owner = body.scope.owning_function()
    qualname = node.name  # as the module analyser names the class
    if owner.kind is ScopeKind.CLASS:
        qualname = f"{owner.qualname}.{node.name}"
    elif owner.kind is not ScopeKind.MODULE:
        qualname = f"{owner.qualname}.<locals>.{node.name}"
    cls = f"{body.ctx.module}.{qualname}"
    ev = annotation_names(body.ctx)
    for attr, value, annotation in self_assignments(node):
        if annotation is not None:
            type_ = type_of_annotation(annotation, ev)
            record(body.ctx, cls, attr, type_, declared=True)
        elif value is not None:
            record(body.ctx, cls, attr, type_of_constructor(value, ev))


def self_assignments(
    node: ast.ClassDef,
) -> Iterator[tuple[str, ast.expr | None, ast.expr | None]]:
    """(attribute, value, annotation) of each `self.attr = value` or `self.attr: T` in a method."""
    for method in node.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) or not method.args.args:
            continue
        self_name = method.args.args[0].arg
        for sub in ast.walk(method):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    attr = _self_attr(target, self_name)
                    if attr:
                        yield attr, sub.value, None
            elif isinstance(sub, ast.AnnAssign):
                attr = _self_attr(sub.target, self_name)
                if attr:
                    yield attr, sub.value, sub.annotation


def type_of_constructor(value: ast.expr, ev: Evaluate) -> str | None:
    """The class `value` builds (`Foo(...)`, `tf.Variable(...)`), NOT_AN_OBJECT for a plain
    value (a dict, list, literal), None when the syntax alone does not tell."""
    if isinstance(value, ast.Constant):
        return None if value.value is None else NOT_AN_OBJECT
    if isinstance(value, PLAIN_VALUES):
        return NOT_AN_OBJECT
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name | ast.Attribute):
        return None
    callee = ev(value.func)
    if callee.kind is ValKind.CLASS:
        return callee.ref
    if callee.kind is not ValKind.SYM:
        return None
    if names.is_tf(callee.ref):
        kind = names.tf_call_kind(callee.ref)
        return names.VARIABLE if kind == "variable" else callee.ref if kind == "tfobj" else None
    last = callee.ref.rsplit(".", 1)[-1]
    return callee.ref if last[:1].isupper() and not callee.ref.startswith("builtins.") else None


def _self_attr(target: ast.expr, self_name: str) -> str:
    """`attr` for the target `self.attr`, "" for any other target."""
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == self_name
    ):
        return target.attr
    return ""
