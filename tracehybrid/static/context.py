"""One module's shared analysis state: its names, its summary, and source-text helpers."""

from __future__ import annotations

import ast

from tracehybrid.static import names
from tracehybrid.static.identity import NO_PREFIX, LocalImports
from tracehybrid.static.summary import ModuleSummary
from tracehybrid.static.values import Val


class ModuleContext:
    """What every function analyser of one module shares."""

    def __init__(
        self,
        source: str,
        summary: ModuleSummary,
        tree: ast.Module,
        local: LocalImports = NO_PREFIX,
    ) -> None:
        self.source = source
        self.local = local
        self.summary = summary
        self.module = summary.module
        self.lines = source.splitlines()
        self.tree = tree
        self.env: dict[str, Val] = {}
        self.star_tf = False
        self.class_attrs: dict[str, dict[str, str]] = {}  # class -> self attr -> class name
        self.class_bases: dict[str, list[str]] = {}

    def global_val(self, name: str) -> Val:
        """A module-level name as seen from inside a function of this module."""
        val = self.env.get(name)
        if val is not None:
            if val.kind in ("sym", "func", "class"):
                return val
            return val.outside(f"global:{name}")
        if name in names.BUILTIN_NAMES:
            return Val("sym", ref="builtins." + name)
        if self.star_tf:
            return Val("sym", ref="tensorflow." + name)
        return Val(origin=f"global:{name}")

    def text(self, node: ast.AST) -> str:
        """Short source text of `node`, for messages and parameter defaults."""
        lineno = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", 0)
        if lineno and lineno == end and lineno <= len(self.lines):
            line = self.lines[lineno - 1]
            start, stop = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
            if line.isascii():
                return line[start:stop]
            return line.encode()[start:stop].decode(errors="replace")
        try:
            return ast.unparse(node)
        except (ValueError, RecursionError):
            return "..."

    def resolve_import(self, module: str | None, level: int) -> str:
        """The absolute module name of `from <level dots><module> import ...`."""
        if level == 0:
            return self.local.absolute(module or "")
        parts = self.module.split(".")
        if not self.summary.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)]
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base


def dotted(node: ast.expr) -> str:
    """`a.b.c` for a chain of attributes on a name; a placeholder otherwise."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(dotted(node.func) + "()")
    else:
        parts.append("<expr>")
    return ".".join(reversed(parts))
