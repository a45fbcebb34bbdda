"""How a file spells TensorFlow: the names bound to it, and `tf.` text rewritten to them."""

# libcst dispatches on visit_<Node>/leave_<Node> method names.

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ImportAssignment, QualifiedName, Scope

from tracehybrid.apply.edits import EditInvalid

#: Modules whose ``function`` attribute is ``tf.function``.
TF_MODULES = frozenset({"tensorflow", "tensorflow.compat.v2"})
TF_FUNCTION_QUALNAMES = frozenset(f"{module}.function" for module in TF_MODULES)
CANONICAL_ALIAS = "tf"

BindingKind = Literal["module", "function"]


def binding_kind(node: cst.Import | cst.ImportFrom, name: str) -> BindingKind | None:
    """What import `node` binds `name` to, when that is TensorFlow or `tf.function`."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = alias.evaluated_name
            if alias.evaluated_alias == name and full in TF_MODULES:
                return "module"
            if alias.asname is None and full.split(".")[0] == name == "tensorflow":
                return "module"  # `import tensorflow.keras` binds `tensorflow` too
        return None
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return None
    module = get_full_name_for_node(node.module)
    for alias in node.names:
        if (alias.evaluated_alias or alias.evaluated_name) != name:
            continue
        if module in TF_MODULES and alias.evaluated_name == "function":
            return "function"
        if f"{module}.{alias.evaluated_name}" in TF_MODULES:
            return "module"
    return None


def bound_names(node: cst.Import | cst.ImportFrom) -> list[str]:
    """The names an import statement binds (empty for `import *`)."""
    if isinstance(node.names, cst.ImportStar):
        return []
    names = []
    for alias in node.names:
        bound = alias.evaluated_alias or alias.evaluated_name
        names.append(bound if alias.asname is not None else bound.split(".")[0])
    return names


def resolves_to(scope: Scope, name: str, kind: BindingKind) -> bool:
    """True when every binding of `name` visible from `scope` is a TensorFlow import of `kind`."""
    assignments = scope[name]
    if not assignments:
        return False
    for assignment in assignments:
        if not isinstance(assignment, ImportAssignment):
            return False
        node = assignment.node
        if not isinstance(node, cst.Import | cst.ImportFrom) or binding_kind(node, name) != kind:
            return False
    return True


@dataclass(frozen=True)
class TfNames:
    """The names through which code in one scope can reach TensorFlow."""

    module_alias: str | None  # bound to the tensorflow module: "tf", "tfx", "tensorflow"
    function_alias: str | None  # bound to tensorflow.function: "function"
    canonical_free: bool  # `tf` is unbound here, so `import tensorflow as tf` may be added

    @classmethod
    def in_scope(cls, scope: Scope, candidates: Iterable[str]) -> TfNames:
        """Resolve the `candidates` (names bound by TensorFlow imports anywhere) in `scope`."""
        ordered = sorted(set(candidates), key=lambda name: (name != CANONICAL_ALIAS, name))
        module = next((n for n in ordered if resolves_to(scope, n, "module")), None)
        function = next((n for n in ordered if resolves_to(scope, n, "function")), None)
        return cls(module, function, CANONICAL_ALIAS not in scope)


def is_tf_function(qualified_names: Collection[QualifiedName]) -> bool:
    """True when an expression's qualified names say it is `tf.function`."""
    names = {q.name for q in qualified_names}
    return bool(names) and names <= TF_FUNCTION_QUALNAMES


def parse_decorator(text: str) -> cst.BaseExpression:
    """Parse an edit's decorator text; it must be `@tf.function` or a call of it."""
    body = text.strip().removeprefix("@").strip()
    try:
        expr = cst.parse_expression(body)
    except cst.ParserSyntaxError as exc:
        raise EditInvalid(f"cannot parse decorator {text!r}: {exc.message}") from exc
    head = expr.func if isinstance(expr, cst.Call) else expr
    if get_full_name_for_node(head) != f"{CANONICAL_ALIAS}.function":
        raise EditInvalid(f"decorator {text!r} is not tf.function")
    return expr


def decorator_head(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`tf.function` of `tf.function(...)`; the expression itself otherwise."""
    return expr.func if isinstance(expr, cst.Call) else expr


class _RenameRoot(cst.CSTTransformer):
    """Renames the `tf` at the root of attribute chains (`tf.float32` → `tfx.float32`)."""

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias = alias

    def leave_Attribute(self, _original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        root = updated.value
        if isinstance(root, cst.Name) and root.value == CANONICAL_ALIAS:
            return updated.with_changes(value=root.with_changes(value=self.alias))
        return updated


def uses_canonical_alias(expr: cst.BaseExpression) -> bool:
    """True when `expr` refers to `tf` anywhere (arguments included)."""
    return any(name.value == CANONICAL_ALIAS for name in _names(expr))


def _names(expr: cst.BaseExpression) -> list[cst.Name]:
    collected: list[cst.Name] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            collected.append(node)

    expr.visit(_Collect())
    return collected


def rename_root(expr: cst.BaseExpression, alias: str) -> cst.BaseExpression:
    """Rewrite every `tf.` root in `expr` to `alias.`."""
    if alias == CANONICAL_ALIAS:
        return expr
    renamed = expr.visit(_RenameRoot(alias))
    assert isinstance(renamed, cst.BaseExpression)
    return renamed
