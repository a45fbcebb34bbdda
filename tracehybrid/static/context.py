"""Shared analysis state: one module's (names, summary, source text) and one body's (evidence)."""

from __future__ import annotations

import ast

from tracehybrid.static import names
from tracehybrid.static.identity import NO_PREFIX, LocalImports
from tracehybrid.static.scopes import Scope, ScopeKind
from tracehybrid.static.summary import NO_TAINT, FuncSummary, LocalFinding, ModuleSummary, Taint
from tracehybrid.static.values import UNKNOWN, Val, ValKind

FUNCTION_SCOPES = frozenset({ScopeKind.FUNCTION, ScopeKind.INNER})
MAX_UNKNOWNS = 12
# Methods where assigning `self.x` is setting up the object, not an effect of a recurring call.
SETUP_METHODS = frozenset(
    {"__init__", "__new__", "__post_init__", "build", "_build", "__setstate__"}
)


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
        # (class, attr) typed by an annotation: the declared class, or any subclass of it.
        self.declared_attrs: set[tuple[str, str]] = set()
        self.class_bases: dict[str, list[str]] = {}

    def global_val(self, name: str) -> Val:
        """A module-level name as seen from inside a function of this module."""
        val = self.env.get(name)
        if val is not None:
            if val.kind in (ValKind.SYM, ValKind.FUNC, ValKind.CLASS):
                return val
            return val.outside(f"global:{name}")
        if name in names.BUILTIN_NAMES:
            return Val(ValKind.SYM, ref="builtins." + name)
        if self.star_tf:
            return Val(ValKind.SYM, ref="tensorflow." + name)
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


class BodyContext:
    """One body's shared state: the statement walker, its expression evaluator and its call
    resolver all read names and record evidence through it."""

    def __init__(self, ctx: ModuleContext, scope: Scope, fs: FuncSummary) -> None:
        self.ctx = ctx
        self.scope = scope  # the innermost scope: lambdas, comprehensions and classes enter one
        self.fs = fs
        self.params = {p.name: p for p in fs.params}
        self.read_globals: set[str] = set()
        self.line = 0  # of the last name read: where a global read is reported
        self.lazy_depth = 0  # inside `if self.v is None:` style one-time set-up
        name = fs.qualname.rsplit(".", 1)[-1]
        self.exempt_self_writes = (bool(fs.class_name) and name in SETUP_METHODS) or fs.once_only
        # Evidence that only the whole body can judge (see `finish`).
        self.coercions: dict[str, dict[str, int]] = {}  # param -> dtype -> first line
        self.trainable_reads: dict[str, int] = {}
        self.first_calls: dict[str, int] = {}
        self.applies_gradients = False
        # tf.functions this body creates (a decorated nested def, a `tf.function(...)` call)
        # with the ref of the function they wrap, "" when unknown: judged in `percall`.
        self.created_hybrids: list[tuple[ast.AST, str]] = []

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

    def unknown(self, reason: str) -> None:
        if not self.in_function:
            return
        unknowns = self.fs.unknowns
        if len(unknowns) < MAX_UNKNOWNS:
            unknowns.append(reason)
        elif len(unknowns) == MAX_UNKNOWNS:
            unknowns.append("(more unresolved calls not listed)")

    def mutate(self, target: Val, text: str, line: int, *, unless_call: int = -1) -> None:
        """A write to `target`; with `unless_call`, only if that call stays unresolved."""
        origin = target.origin
        if origin in ("local", "unknown") or not self.in_function:
            return
        if origin == "self":
            if not (self.exempt_self_writes or self.lazy_depth):
                cond = frozenset({f"u:{unless_call}"}) if unless_call >= 0 else NO_TAINT
                self.find("TH122", f"mutates `self` state ({text})", line, cond)
        elif origin.startswith("param:"):
            name = origin[6:]
            self.find("TH121", f"mutates the argument `{name}` ({text})", line, subject=name)
        elif origin.startswith("global:"):
            self.find("TH123", f"mutates the module-level `{origin[7:]}` ({text})", line)
        elif origin.startswith("closure:"):
            _, scope, name = origin.split(":", 2)
            self.find("TH123", f"mutates the captured `{name}` ({text})", line, subject=scope)

    # -- names -------------------------------------------------------------------------------
    def lookup(self, name: str) -> Val:
        scope = self.scope
        while scope.kind is ScopeKind.INNER:
            val = scope.env.get(name)
            if val is not None:
                return val
            assert scope.parent is not None
            scope = scope.parent
        if scope.kind is ScopeKind.FUNCTION:
            return self._lookup_function(scope, name)
        if scope.kind is ScopeKind.CLASS:
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
        while outer is not None and outer.kind is not ScopeKind.MODULE:
            if outer.kind is ScopeKind.FUNCTION and name in outer.local_names:
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
        if name not in self.read_globals and val.kind not in (ValKind.FUNC, ValKind.CLASS):
            self.read_globals.add(name)
            qualified = val.ref if val.kind is ValKind.SYM else f"{self.ctx.module}.{name}"
            if not names.is_tf(qualified) and not qualified.startswith("builtins."):
                self.fs.global_reads.append((qualified, self.line))
        return val

    def finish(self) -> None:
        """Findings that only the whole body can judge: what came before what."""
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
