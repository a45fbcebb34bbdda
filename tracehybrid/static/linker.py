"""Links module summaries into a project: symbols, classes, and resolved call targets."""

from __future__ import annotations

from dataclasses import dataclass

from tracehybrid.static import names
from tracehybrid.static.summary import (
    ArgDesc,
    CallRec,
    ClassSummary,
    FuncSummary,
    ModuleSummary,
    TargetKind,
    func_key,
)


@dataclass(slots=True)
class Site:
    """A resolved call: `caller` calls `callee` at `call`; `bound` when self is implicit."""

    caller: str
    callee: str
    call: CallRec
    bound: bool


class Project:
    """All summaries, indexed by qualified name, with resolved calls and tensor facts."""

    def __init__(self, modules: list[ModuleSummary]) -> None:
        self.modules = modules
        self.funcs: dict[str, FuncSummary] = {}
        self.module_of: dict[str, ModuleSummary] = {}
        self.classes: dict[str, ClassSummary] = {}
        self.methods: dict[str, set[str]] = {}
        self.aliases: dict[str, dict[str, str]] = {}
        for summary in modules:
            self.aliases[summary.module] = summary.aliases
            for fs in summary.functions:
                key = func_key(summary.module, fs)
                self.funcs[key] = fs
                self.module_of[key] = summary
            for cls in summary.classes:
                self.classes[cls.qualname] = cls
                self.methods[cls.qualname] = set(cls.methods)
        self._symbols: dict[str, str] = {}
        self._lookups: dict[tuple[str, str], str | None] = {}
        self._keras: dict[str, bool] = {}
        self._positions: dict[str, dict[str, int]] = {}
        self._overrides: dict[tuple[str, str], list[str]] = {}
        self._children: dict[str, list[str]] | None = None
        self.sites: dict[str, list[tuple[int, Site | None]]] = {}  # caller -> per call
        self.incoming: dict[str, list[Site]] = {k: [] for k in self.funcs}
        self.external: dict[str, list[str]] = {}
        self._apply_higher_order()
        self._resolve_calls()

    # -- symbols and classes -----------------------------------------------------------------
    def symbol(self, qualified: str, depth: int = 0) -> str:
        """Follow re-exports (`from .impl import f` in a package) to where a name is defined."""
        cached = self._symbols.get(qualified)
        if cached is not None:
            return cached
        result = qualified
        if qualified not in self.funcs and qualified not in self.classes and depth < 8:
            parts = qualified.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                module = ".".join(parts[:cut])
                table = self.aliases.get(module)
                if table is not None:
                    target = table.get(parts[cut])
                    if target is not None and target != qualified:
                        rest = ".".join([target, *parts[cut + 1 :]])
                        result = self.symbol(rest, depth + 1)
                    break
        self._symbols[qualified] = result
        return result

    def bases(self, cls: str) -> list[str]:
        summary = self.classes.get(cls)
        return [] if summary is None else [self.symbol(b) for b in summary.bases]

    def lookup(self, cls: str, method: str, *, skip_self: bool = False) -> str | None:
        """The qualified method `method` of `cls` or its project bases (depth first, like MRO)."""
        key = (cls, method + ("^" if skip_self else ""))
        if key in self._lookups:
            return self._lookups[key]
        self._lookups[key] = None
        found: str | None = None
        if not skip_self and method in self.methods.get(cls, ()):
            found = f"{cls}.{method}"
        else:
            for base in self.bases(cls):
                found = self.lookup(base, method)
                if found is not None:
                    break
        self._lookups[key] = found
        return found

    def is_keras(self, cls: str) -> bool:
        if cls not in self._keras:
            self._keras[cls] = False
            self._keras[cls] = any(
                names.is_keras_base(b) or self.is_keras(b) for b in self.bases(cls)
            )
        return self._keras[cls]

    def _apply_higher_order(self) -> None:
        for summary in self.modules:
            for target, facts in summary.higher_order:
                fs = self.funcs.get(self.symbol(target))
                if fs is not None and fs.hybrid is None:
                    fs.hybrid = facts

    # -- calls -------------------------------------------------------------------------------
    def resolve(self, call: CallRec) -> tuple[str | None, bool]:
        target = call.target
        if target.kind is TargetKind.FUNCTION:
            qualified = self.symbol(target.name)
            if qualified in self.funcs:
                return qualified, False
            if qualified in self.classes:
                return self.lookup(qualified, "__init__"), True
            return None, False
        cls = self.symbol(target.name)
        if cls not in self.classes:
            return None, False
        method = target.method
        found = self.lookup(cls, method, skip_self=target.kind is TargetKind.SUPER_METHOD)
        if found is None and method == "__call__" and self.is_keras(cls):
            found = self.lookup(cls, "call")
        if found is None:
            return None, False
        return found, not self.funcs[found].is_static

    def _resolve_calls(self) -> None:
        for caller, fs in self.funcs.items():
            resolved: list[tuple[int, Site | None]] = []
            for index, call in enumerate(fs.calls):
                callee, bound = self.resolve(call)
                if callee is None:
                    resolved.append((index, None))
                    self._note_external(caller, call)
                    continue
                site = Site(caller, callee, call, bound)
                resolved.append((index, site))
                self.incoming[callee].append(site)
            self.sites[caller] = resolved

    def _note_external(self, caller: str, call: CallRec) -> None:
        # `names.is_tf` reads the root of a name, which a method shares with its class.
        if not call.is_ref and not names.is_tf(call.target.name):
            self.external.setdefault(caller, []).append(
                f"`{call.text}` at line {call.line} is outside the analysed project"
            )

    def arg_for(self, site: Site, param: str) -> ArgDesc | None:
        """The argument a call site passes for `param`, if the call spells it out."""
        call = site.call
        if param in call.kwargs:
            return call.kwargs[param]
        positions = self._positions.get(site.callee)
        if positions is None:
            params = self.funcs[site.callee].params
            positions = {p.name: i for i, p in enumerate(params) if p.kind == "positional"}
            self._positions[site.callee] = positions
        position = positions.get(param, -1) - site.bound
        if 0 <= position < len(call.args):
            return call.args[position]
        return None

    def callees(self, key: str) -> list[str]:
        return [site.callee for _, site in self.sites.get(key, ()) if site is not None]

    # -- dispatch ----------------------------------------------------------------------------
    def overrides(self, site: Site) -> list[str]:
        """Methods of project subclasses that a call on a typed object may run instead.

        `self.moving_mean.update(x)`, the attribute declared a `Metric`, runs the `update` of
        whichever subclass it holds (`ExponentialMovingAverage.update`): their effects count
        too. A call on `self` itself keeps the method its class sees, as before (overrides of
        an inherited method would charge every subclass with every sibling's effects).
        """
        target, text = site.call.target, site.call.text
        if target.kind is not TargetKind.METHOD:
            return []
        if text.count(".") == 1 and text.endswith(f".{target.method}"):
            return []  # `self.update()`: the caller's own class
        key = (self.symbol(target.name), target.method)
        found = self._overrides.get(key)
        if found is None:
            cls, method = key
            found = [
                f"{sub}.{method}"
                for sub in self.subclasses(cls)
                if method in self.methods.get(sub, ()) and f"{sub}.{method}" in self.funcs
            ]
            self._overrides[key] = found
        return found

    def has_body(self, site: Site) -> bool:
        """Whether the call reaches code: a concrete method, or overrides of an abstract one."""
        return not _is_empty(self.funcs[site.callee]) or bool(self.overrides(site))

    def subclasses(self, cls: str) -> list[str]:
        """The project classes that derive from `cls`, directly or not."""
        if self._children is None:
            self._children = {}
            for name in self.classes:
                for base in self.bases(name):
                    self._children.setdefault(base, []).append(name)
        seen: list[str] = []
        pending = list(self._children.get(cls, ()))
        while pending:
            sub = pending.pop()
            if sub not in seen:
                seen.append(sub)
                pending.extend(self._children.get(sub, ()))
        return seen

    def dispatch_callees(self, key: str) -> list[str]:
        """Callees with the overrides each method call may reach: the edges effects follow."""
        result = []
        for _, site in self.sites.get(key, ()):
            if site is not None:
                result.append(site.callee)
                result.extend(self.overrides(site))
        return result


def _is_empty(fs: FuncSummary) -> bool:
    """A body that does nothing the analysis sees: an abstract method, a docstring, `pass`."""
    return not (
        fs.calls
        or fs.findings
        or fs.tf_ops
        or fs.tensor_ops
        or fs.returns
        or fs.global_writes
        or fs.opaque_calls
        or fs.unknowns
    )
