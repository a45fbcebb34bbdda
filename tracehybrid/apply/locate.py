"""Find functions by qualname and line, TensorFlow imports, and `tf.function(g)` calls."""

# libcst dispatches on visit_<Node>/leave_<Node> method names.

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from tracehybrid.apply.edits import EditSkipped, FunctionTarget
from tracehybrid.apply.tfnames import binding_kind, bound_names, is_tf_function


@dataclass(frozen=True)
class FunctionSite:
    """One `def` in the module, with the lines through which results.json may name it."""

    qualname: str
    node: cst.FunctionDef
    first_line: int  # the first decorator, or the `def` when undecorated (co_firstlineno)
    def_line: int


@dataclass
class ModuleFacts:
    """What one pass over a module learns before anything is changed."""

    sites: list[FunctionSite] = field(default_factory=list)
    #: Names bound by TensorFlow imports anywhere in the module ("tf", "function", ...).
    tf_bound_names: set[str] = field(default_factory=set)
    #: Function name → line of a `tf.function(name)` or `tf.function(...)(name)` call.
    higher_order: dict[str, int] = field(default_factory=dict)

    def find(self, target: FunctionTarget) -> FunctionSite:
        """The site of `target`, or `EditSkipped` naming what was found instead.

        The line decides between several functions of one qualname (conditional definitions);
        a qualname that is unique in the file is found even after lines moved, which is what
        makes a second apply of the same edits a no-op rather than a skip.
        """
        same_name = [site for site in self.sites if site.qualname == target.qualname]
        for site in same_name:
            if site.first_line <= target.line <= site.def_line:
                return site
        if len(same_name) == 1:
            return same_name[0]
        if not same_name:
            raise EditSkipped(f"{target.qualname}: no such function in the file")
        lines = ", ".join(str(site.def_line) for site in same_name)
        raise EditSkipped(
            f"{target.qualname}: expected at line {target.line}, found at line {lines}"
        )


class FactsCollector(cst.CSTVisitor):
    """Collects `ModuleFacts`; run it through a `MetadataWrapper`."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self) -> None:
        super().__init__()
        self.facts = ModuleFacts()
        self._stack: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._stack.append(node.name.value)

    def leave_ClassDef(self, _original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        def_line = self.get_metadata(PositionProvider, node).start.line
        decorator_lines = [
            self.get_metadata(PositionProvider, d).start.line for d in node.decorators
        ]
        qualname = ".".join([*self._stack, node.name.value])
        site = FunctionSite(qualname, node, min([def_line, *decorator_lines]), def_line)
        self.facts.sites.append(site)
        self._stack.extend([node.name.value, "<locals>"])

    def leave_FunctionDef(self, _original_node: cst.FunctionDef) -> None:
        del self._stack[-2:]

    def visit_Import(self, node: cst.Import) -> None:
        self._note_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._note_import(node)

    def _note_import(self, node: cst.Import | cst.ImportFrom) -> None:
        for name in bound_names(node):
            if binding_kind(node, name) is not None:
                self.facts.tf_bound_names.add(name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        inner = func.func if isinstance(func, cst.Call) else func
        if not is_tf_function(self.get_metadata(QualifiedNameProvider, inner, set())):
            return
        args = node.args if isinstance(func, cst.Call) else node.args[:1]
        if args and args[0].keyword is None and isinstance(args[0].value, cst.Name):
            line = self.get_metadata(PositionProvider, node).start.line
            self.facts.higher_order.setdefault(args[0].value.value, line)
