"""Scopes: the names a module, class, function or lambda body binds, read before it is walked."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import StrEnum

from tracehybrid.static.values import Val


class ScopeKind(StrEnum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    INNER = "inner"  # a lambda or a comprehension


@dataclass
class Scope:
    """A function (or lambda/comprehension, module, class) body's names."""

    kind: ScopeKind
    qualname: str
    parent: Scope | None
    local_names: set[str] = field(default_factory=set)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    env: dict[str, Val] = field(default_factory=dict)
    class_name: str = ""  # qualified class for methods

    def owning_function(self) -> Scope:
        scope = self
        while scope.kind is ScopeKind.INNER and scope.parent is not None:
            scope = scope.parent
        return scope


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
