"""The codemod proper: add, re-argue or remove the `tf.function` decorator of a function."""

# libcst dispatches on visit_<Node>/leave_<Node> method names.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import QualifiedName, QualifiedNameProvider, ScopeProvider

from tracehybrid.apply.arguments import merge_arguments, new_keyword_args
from tracehybrid.apply.edits import Edit, EditSkipped
from tracehybrid.apply.locate import FunctionSite, ModuleFacts
from tracehybrid.apply.tfnames import (
    CANONICAL_ALIAS,
    TF_MODULES,
    TfNames,
    decorator_head,
    is_tf_function,
    parse_decorator,
    rename_root,
    uses_canonical_alias,
)

#: TensorFlow decorators that build what `tf.function` traces: `tf.function` goes above them.
GRAPH_INNER_DECORATORS = frozenset(
    f"{module}.{name}"
    for module in TF_MODULES
    for name in ("custom_gradient", "recompute_grad", "autograph.experimental.do_not_convert")
)


@dataclass
class CodemodOutcome:
    """What the decorator pass did; the import pass reads the last two fields."""

    changed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    needs_canonical_import: bool = False
    #: Names whose uses were removed with a decorator; their imports may now be unused.
    released: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Spelling:
    module_alias: str | None  # how `tf.` is written here; None when no TensorFlow name is needed
    head: cst.BaseExpression  # how `tf.function` is written here


class DecoratorCodemod(cst.CSTTransformer):
    """Applies planned edits to the `def`s they target; run it through a `MetadataWrapper`."""

    METADATA_DEPENDENCIES = (ScopeProvider, QualifiedNameProvider)

    def __init__(
        self, facts: ModuleFacts, plan: dict[int, tuple[FunctionSite, list[Edit]]]
    ) -> None:
        super().__init__()
        self.facts = facts
        self.plan = plan
        self.outcome = CodemodOutcome()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:  # noqa: ARG002
        # No `def` can sit inside a simple statement: skip its nodes, most of a module's.
        return False

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        site, edits = self.plan.get(id(original_node), (None, []))
        for edit in edits:
            assert site is not None
            try:
                updated_node = self._apply(edit, site, original_node, updated_node)
            except EditSkipped as skipped:
                self.outcome.skipped.append(str(skipped))
        return updated_node

    def _apply(
        self, edit: Edit, site: FunctionSite, original: cst.FunctionDef, node: cst.FunctionDef
    ) -> cst.FunctionDef:
        hybrid = self._tf_function_indices(original)
        if edit.kind == "convert":
            return node if hybrid else self._convert(edit, site, original, node)
        if not hybrid:
            wrapped_at = self.facts.higher_order.get(original.name.value)
            if wrapped_at is not None:
                raise EditSkipped(
                    f"{site.qualname}: wrapped by a tf.function(...) call at line {wrapped_at};"
                    " rewriting that form is not supported"
                )
            if edit.kind == "dehybridize":
                return node  # already eager: a second apply changes nothing
            raise EditSkipped(f"{site.qualname}: has no tf.function decorator to optimize")
        if len(hybrid) > 1:
            raise EditSkipped(f"{site.qualname}: has more than one tf.function decorator")
        if edit.kind == "optimize":
            return self._optimize(edit, site, original, node, hybrid[0])
        return self._dehybridize(site, node, hybrid[0])

    def _tf_function_indices(self, node: cst.FunctionDef) -> list[int]:
        return [i for i, d in enumerate(node.decorators) if is_tf_function(self._qualified(d))]

    def _is_graph_inner(self, decorator: cst.Decorator) -> bool:
        names = {q.name for q in self._qualified(decorator)}
        return bool(names) and names <= GRAPH_INNER_DECORATORS

    def _qualified(self, decorator: cst.Decorator) -> set[QualifiedName]:
        head = decorator_head(decorator.decorator)
        return set(self.get_metadata(QualifiedNameProvider, head, set()))

    def _names(self, original: cst.FunctionDef) -> TfNames:
        scope = self.get_metadata(ScopeProvider, original)
        assert scope is not None  # every statement has a scope
        return TfNames.in_scope(scope, self.facts.tf_bound_names)

    def _spelling(self, names: TfNames, *, needs_module: bool) -> _Spelling:
        """How to write `tf.function` and `tf.` here; schedules the canonical import if needed."""
        if names.module_alias is not None:
            module_head = cst.Attribute(cst.Name(names.module_alias), cst.Name("function"))
            return _Spelling(names.module_alias, module_head)
        if names.function_alias is not None and not needs_module:
            return _Spelling(None, cst.Name(names.function_alias))
        if not names.canonical_free:
            raise EditSkipped(
                f"`{CANONICAL_ALIAS}` is bound to something other than TensorFlow in this scope;"
                " cannot write or import `tf.function` here"
            )
        self.outcome.needs_canonical_import = True
        head: cst.BaseExpression = cst.Attribute(cst.Name(CANONICAL_ALIAS), cst.Name("function"))
        if names.function_alias is not None:
            head = cst.Name(names.function_alias)
        return _Spelling(CANONICAL_ALIAS, head)

    def _convert(
        self, edit: Edit, site: FunctionSite, original: cst.FunctionDef, node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if original.asynchronous is not None:
            raise EditSkipped(f"{site.qualname}: async functions cannot be tf.function")
        wrapped_at = self.facts.higher_order.get(original.name.value)
        if wrapped_at is not None:
            raise EditSkipped(
                f"{site.qualname}: already wrapped by a tf.function(...) call at line {wrapped_at}"
            )
        expr = parse_decorator(edit.decorator)
        args = new_keyword_args(expr)
        spelling = self._spelling(self._names(original), needs_module=_args_use_tf(args))
        written = _with_head(expr, spelling)
        position = self._insert_position(original)
        decorators = list(node.decorators)
        decorators.insert(position, cst.Decorator(decorator=written))
        self.outcome.changed.append(f"{site.qualname}: added @{_code(written)}")
        return node.with_changes(decorators=decorators)

    def _insert_position(self, original: cst.FunctionDef) -> int:
        """Directly above the `def`, but above TF decorators that must run inside the graph."""
        position = len(original.decorators)
        while position > 0 and self._is_graph_inner(original.decorators[position - 1]):
            position -= 1
        return position

    def _optimize(
        self,
        edit: Edit,
        site: FunctionSite,
        original: cst.FunctionDef,
        node: cst.FunctionDef,
        index: int,
    ) -> cst.FunctionDef:
        new_args = new_keyword_args(parse_decorator(edit.decorator))
        spelling = self._spelling(self._names(original), needs_module=_args_use_tf(new_args))
        if spelling.module_alias is not None:
            new_args = [
                a.with_changes(value=rename_root(a.value, spelling.module_alias)) for a in new_args
            ]
        current = node.decorators[index]
        call = current.decorator
        if not isinstance(call, cst.Call):
            call = cst.Call(func=call)
        merged = merge_arguments(call, new_args)
        if _code(merged) == _code(current.decorator):
            return node
        decorators = list(node.decorators)
        decorators[index] = current.with_changes(decorator=merged)
        self.outcome.changed.append(
            f"{site.qualname}: @{_code(current.decorator)} -> @{_code(merged)}"
        )
        return node.with_changes(decorators=decorators)

    def _dehybridize(
        self, site: FunctionSite, node: cst.FunctionDef, index: int
    ) -> cst.FunctionDef:
        decorators = list(node.decorators)
        removed = decorators.pop(index)
        self.outcome.released.update(_root_names(removed.decorator))
        self.outcome.changed.append(f"{site.qualname}: removed @{_code(removed.decorator)}")
        kept_lines = list(removed.leading_lines)
        if index < len(decorators):  # comments between decorators stay where they were
            below = decorators[index]
            decorators[index] = below.with_changes(
                leading_lines=[*kept_lines, *below.leading_lines]
            )
            return node.with_changes(decorators=decorators)
        after = [*kept_lines, *node.lines_after_decorators]
        return node.with_changes(decorators=decorators, lines_after_decorators=after)


def _args_use_tf(args: Sequence[cst.Arg]) -> bool:
    return any(uses_canonical_alias(arg.value) for arg in args)


def _with_head(expr: cst.BaseExpression, spelling: _Spelling) -> cst.BaseExpression:
    if not isinstance(expr, cst.Call):
        return spelling.head
    args = list(expr.args)
    if spelling.module_alias is not None:
        args = [a.with_changes(value=rename_root(a.value, spelling.module_alias)) for a in args]
    return expr.with_changes(func=spelling.head, args=args)


def _root_names(expr: cst.BaseExpression) -> set[str]:
    """The names an expression starts from (`tf` of `tf.function(...)`, or `function`)."""
    roots: set[str] = set()

    class _Roots(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            roots.add(node.value)

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

    expr.visit(_Roots())
    return roots


def _code(expr: cst.BaseExpression) -> str:
    return cst.Module(body=[]).code_for_node(expr)
