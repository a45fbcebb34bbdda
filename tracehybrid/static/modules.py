"""Analyses one module's source into a ModuleSummary: definitions, scopes, decorators, bodies."""

from __future__ import annotations

import ast
import warnings
from collections import deque

from tracehybrid.static import names
from tracehybrid.static.context import ModuleContext
from tracehybrid.static.hybrid import Resolve, parse_hybrid
from tracehybrid.static.identity import NO_PREFIX, LocalImports
from tracehybrid.static.model import HybridFacts, HybridForm, ParamKind, SourceWarning
from tracehybrid.static.percall import decorator_name, flag_per_call_hybrids
from tracehybrid.static.scopes import Scope, ScopeKind, scan_body
from tracehybrid.static.stmts import BodyWalker
from tracehybrid.static.summary import ClassSummary, FuncSummary, ModuleSummary, ParamSummary
from tracehybrid.static.suppress import find_suppressions
from tracehybrid.static.tfcalls import Evaluate
from tracehybrid.static.values import Val, ValKind

TENSOR_HINTS = frozenset({"Tensor", "Variable", "RaggedTensor", "SparseTensor", "TensorLike"})
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def analyze_module(
    source: str,
    path: str,
    module: str,
    *,
    is_package: bool = False,
    local: LocalImports = NO_PREFIX,
) -> ModuleSummary:
    """Summarise one module; a file that does not parse yields a warning and no functions."""
    lines = source.count("\n") + (1 if source and not source.endswith("\n") else 0)
    summary = ModuleSummary(path, module, is_package, lines)
    try:
        # The project's own SyntaxWarnings (an invalid escape in a docstring) are Python's to
        # report when it compiles the file; printed by the analysis they are only noise.
        with warnings.catch_warnings(action="ignore", category=SyntaxWarning):
            tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        summary.warnings.append(SourceWarning(path, exc.lineno or 1, f"cannot parse: {exc.msg}"))
        return summary
    except (ValueError, RecursionError, MemoryError) as exc:
        summary.warnings.append(SourceWarning(path, 1, f"cannot parse: {exc}"))
        return summary
    summary.suppressions = find_suppressions(source)
    try:
        ModuleAnalyzer(ModuleContext(source, summary, tree, local)).run()
    except RecursionError:
        summary.functions.clear()
        summary.warnings.append(SourceWarning(path, 1, "too deeply nested to analyse"))
    return summary


class ModuleAnalyzer:
    """Drives the module body, then every function body (nested ones after their parent)."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.summary = ctx.summary
        self.queue: deque[tuple[FunctionNode, FuncSummary, Scope]] = deque()
        self.by_ref: dict[str, FuncSummary] = {}
        self.protocols: set[str] = set()  # qualified names of `typing.Protocol` classes

    def run(self) -> None:
        module_fs = FuncSummary("<module>", 1, 1, self.summary.lines, False, False, "", False, [])
        scope = Scope(ScopeKind.MODULE, "", None)
        BodyWalker(self.ctx, scope, module_fs, self).run(self.ctx.tree.body)
        while self.queue:
            node, fs, parent = self.queue.popleft()
            self.analyse_function(node, fs, parent)
        self.summary.functions.sort(key=lambda f: (f.line, f.qualname))
        self._tell_apart_same_qualnames()
        self.summary.functions.append(module_fs)
        self.summary.classes = [
            ClassSummary(c.qualname, c.bases, c.methods, self.ctx.class_attrs.get(c.qualname, {}))
            for c in self.summary.classes
        ]

    def _tell_apart_same_qualnames(self) -> None:
        """Several defs of one qualname: each but the one its name is bound to gets `@LINE`.

        References made while analysing already point at the plain key, which is the last def:
        the one a later call by name reaches (an `@overload` implementation, a property setter).
        """
        for fs in self.summary.functions:
            if self.by_ref.get(f"{self.ctx.module}.{fs.qualname}") is not fs:
                fs.key_suffix = f"@{fs.line}"

    # -- definitions -------------------------------------------------------------------------
    @staticmethod
    def qualname_in(scope: Scope, name: str) -> str:
        owner = scope.owning_function()
        if owner.kind is ScopeKind.MODULE:
            return name
        if owner.kind is ScopeKind.CLASS:
            return f"{owner.qualname}.{name}"
        return f"{owner.qualname}.<locals>.{name}"

    def on_def(self, node: FunctionNode, walker: BodyWalker) -> Val:
        scope = walker.body.scope
        qualname = self.qualname_in(scope, node.name)
        owner = scope.owning_function()
        in_class = owner.kind is ScopeKind.CLASS
        class_name = f"{self.ctx.module}.{owner.qualname}" if in_class else ""
        hybrid, kind = self.decorators(node, walker)
        fs = FuncSummary(
            qualname=qualname,
            line=node.lineno,
            first_line=min([node.lineno] + [d.lineno for d in node.decorator_list]),
            end_line=node.end_lineno or node.lineno,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            is_generator=False,
            class_name=class_name,
            is_static=kind == "static",
            params=self.params(node, walker, hybrid),
            hybrid=hybrid,
            once_only=any(decorator_name(d) in ONCE_DECORATORS for d in node.decorator_list),
            stub=self.stub_reason(node, walker, owner),
        )
        if kind == "classmethod":
            fs.is_static = False
        self.summary.functions.append(fs)
        ref = f"{self.ctx.module}.{qualname}"
        self.by_ref[ref] = fs
        if in_class:
            self._class(owner).methods.append(node.name)
        parent = owner.parent if in_class else owner
        assert parent is not None
        self.queue.append((node, fs, parent))
        return Val(ValKind.FUNC, ref=ref)

    def decorators(self, node: FunctionNode, walker: BodyWalker) -> tuple[HybridFacts | None, str]:
        hybrid: HybridFacts | None = None
        kind = ""
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            val = walker.ev(call.func if call is not None else decorator)
            if call is not None:
                for arg in (*call.args, *(k.value for k in call.keywords)):
                    walker.ev(arg)
            if val.kind is not ValKind.SYM:
                continue
            if names.is_tf_function(val.ref) and hybrid is None:
                form: HybridForm = "decorator_call" if call is not None else "decorator"
                hybrid = parse_hybrid(
                    call, form, decorator.lineno, self.ctx.text, self.resolver(walker.ev)
                )
            elif val.ref == "builtins.staticmethod":
                kind = "static"
            elif val.ref == "builtins.classmethod":
                kind = "classmethod"
        return hybrid, kind

    def stub_reason(self, node: FunctionNode, walker: BodyWalker, owner: Scope) -> str:
        """Defs that only describe types never run as written: no candidates."""
        plain = [d for d in node.decorator_list if isinstance(d, ast.Name | ast.Attribute)]
        if any(walker.ev(d).ref in OVERLOAD for d in plain):
            return "an `@overload` stub"
        if (
            owner.kind is ScopeKind.CLASS
            and f"{self.ctx.module}.{owner.qualname}" in self.protocols
        ):
            return "a method of a `Protocol` class"
        return ""

    @staticmethod
    def resolver(ev: Evaluate) -> Resolve:
        def resolve(node: ast.expr) -> str:
            val = ev(node)
            return val.ref if val.kind in (ValKind.SYM, ValKind.FUNC, ValKind.CLASS) else ""

        return resolve

    def params(
        self, node: FunctionNode, walker: BodyWalker, hybrid: HybridFacts | None
    ) -> list[ParamSummary]:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        entries: list[tuple[ast.arg, ParamKind, ast.expr | None]] = [
            (a, "positional", d) for a, d in zip(positional, defaults, strict=True)
        ]
        if args.vararg is not None:
            entries.append((args.vararg, "var_positional", None))
        entries += [
            (a, "keyword_only", d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        ]
        if args.kwarg is not None:
            entries.append((args.kwarg, "var_keyword", None))
        follow = hybrid is None or hybrid.follow_type_hints is not False
        result = []
        for arg, kind, default in entries:
            annotation = arg.annotation
            result.append(
                ParamSummary(
                    name=arg.arg,
                    kind=kind,
                    default=None if default is None else self.ctx.text(default),
                    default_kind="" if default is None else walker.ev(default).kind.value,
                    annotation=None if annotation is None else self.ctx.text(annotation),
                    hint_tensor=follow
                    and annotation is not None
                    and self.hint_is_tensor(annotation, walker),
                )
            )
        return result

    def hint_is_tensor(self, annotation: ast.expr, walker: BodyWalker) -> bool:
        """Whether the annotation names a TensorFlow tensor type, outside any `Callable[...]`
        (`Callable[..., tf.Tensor]` is a function: GPflow's quadrature takes one or a list)."""
        for node in _outside_callables(annotation):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    parsed = ast.parse(node.value, mode="eval").body
                except SyntaxError:
                    continue
                if self.hint_is_tensor(parsed, walker):
                    return True
            elif isinstance(node, ast.Attribute | ast.Name):
                val = walker.ev(node)
                last = val.ref.rsplit(".", 1)[-1]
                if val.kind is ValKind.SYM and names.is_tf(val.ref) and last in TENSOR_HINTS:
                    return True
        return False

    def on_class(self, node: ast.ClassDef, walker: BodyWalker) -> Val:
        body = walker.body
        qualname = self.qualname_in(body.scope, node.name)
        ref = f"{self.ctx.module}.{qualname}"
        bases = []
        for base in node.bases:
            val = walker.ev(base)
            if val.kind in (ValKind.SYM, ValKind.CLASS):
                bases.append(val.ref)
            generic = base.value if isinstance(base, ast.Subscript) else base  # Protocol[T]
            if isinstance(generic, ast.Name | ast.Attribute) and walker.ev(generic).ref in PROTOCOL:
                self.protocols.add(ref)
        for keyword in node.keywords:
            walker.ev(keyword.value)
        for decorator in node.decorator_list:
            walker.ev(decorator)
        self.summary.classes.append(ClassSummary(ref, bases, [], {}))
        self.ctx.class_bases[ref] = bases
        scope = Scope(ScopeKind.CLASS, qualname, body.scope)
        saved = body.scope
        body.scope = scope
        try:
            walker.block(node.body)
        finally:
            body.scope = saved
        return Val(ValKind.CLASS, ref=ref)

    def _class(self, scope: Scope) -> ClassSummary:
        ref = f"{self.ctx.module}.{scope.qualname}"
        for cls in reversed(self.summary.classes):
            if cls.qualname == ref:
                return cls
        raise KeyError(ref)

    def on_higher_order(self, target: str, node: ast.Call, ev: Evaluate) -> None:
        resolve = self.resolver(ev)
        facts = parse_hybrid(node, "higher_order", node.lineno, self.ctx.text, resolve)
        fs = self.by_ref.get(target)
        if fs is None:
            self.summary.higher_order.append((target, facts))
        elif fs.hybrid is None:
            fs.hybrid = facts

    # -- bodies ------------------------------------------------------------------------------
    def analyse_function(self, node: FunctionNode, fs: FuncSummary, parent: Scope) -> None:
        local, global_, nonlocal_, is_generator = scan_body(node.body)
        fs.is_generator = is_generator
        scope = Scope(ScopeKind.FUNCTION, fs.qualname, parent, class_name=fs.class_name)
        scope.local_names = local | {p.name for p in fs.params}
        scope.global_names = global_
        scope.nonlocal_names = nonlocal_
        for index, param in enumerate(fs.params):
            scope.env[param.name] = self.param_value(fs, index, param.name)
        walker = BodyWalker(self.ctx, scope, fs, self)
        walker.run(node.body)
        flag_per_call_hybrids(node, fs, walker.body.created_hybrids, self.by_ref)

    @staticmethod
    def param_value(fs: FuncSummary, index: int, name: str) -> Val:
        if index == 0 and fs.class_name and not fs.is_static:
            kind = ValKind.CLASS if name == "cls" else ValKind.INSTANCE
            return Val(kind, ref=fs.class_name, origin="self")
        container = fs.params[index].kind in ("var_positional", "var_keyword")
        taint = frozenset({f"p:{name}"})
        if container:
            return Val(ValKind.CONTAINER, taint, origin=f"param:{name}", elem=taint)
        return Val(ValKind.UNKNOWN, taint, origin=f"param:{name}")


OVERLOAD = frozenset({"typing.overload", "typing_extensions.overload"})
PROTOCOL = frozenset({"typing.Protocol", "typing_extensions.Protocol"})

#: Decorators that run a function once (per instance for methods): its set-up does not recur.
ONCE_DECORATORS = frozenset({"once", "run_once", "call_once"})


def _outside_callables(annotation: ast.expr) -> list[ast.AST]:
    """The annotation's nodes, less the insides of `Callable[...]` subscripts."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [annotation]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.Subscript):
            head = node.value
            name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
            if name == "Callable":
                continue
        stack.extend(ast.iter_child_nodes(node))
    return found
