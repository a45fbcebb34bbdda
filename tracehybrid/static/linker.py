"""Links module summaries into a project: symbols, call targets, and tensor inference."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracehybrid.static import names
from tracehybrid.static.summary import (
    ArgDesc,
    CallRec,
    ClassSummary,
    FuncSummary,
    ModuleSummary,
    ParamSummary,
    Taint,
    TargetKind,
    func_key,
)

SPECULATIVE_NAME = re.compile(r"(.*_step|run_model|.*inference)$")
SPECULATIVE = "speculative: "
PYTHON_KINDS = frozenset({"literal", "bool", "none", "object"})


def _plain(param: ParamSummary) -> bool:
    """A parameter that callers fill in (not `training=False` style switches or `*args`)."""
    return param.kind in ("positional", "keyword_only") and param.default in (None, "None")


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


class TensorInference:
    """Which parameters receive tensors and which functions return them (a monotone fixpoint)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.tensor_params: dict[str, dict[str, str]] = {k: {} for k in project.funcs}
        self.returns: set[str] = set()
        self.speculative: dict[str, str] = {}
        for key, fs in project.funcs.items():
            self._hints(key, fs)
        self._solve(project.funcs)
        # Weaker evidence only where no call site decided: names, and flows into TF APIs.
        self._solve([key for key, fs in project.funcs.items() if self._seed(key, fs)])
        self.python_only = self._python_only()

    def _hints(self, key: str, fs: FuncSummary) -> None:
        for index, param in enumerate(fs.params):
            if param.hint_tensor and not self.is_self(fs, index):
                self.tensor_params[key][param.name] = f"annotated `{param.annotation}`"

    def is_self(self, fs: FuncSummary, index: int) -> bool:
        return index == 0 and bool(fs.class_name) and not fs.is_static

    def _seed(self, key: str, fs: FuncSummary) -> bool:
        found = self.tensor_params[key]
        before = len(found)
        reason = self._speculation(fs) if len(fs.params) > self.is_self(fs, 0) else ""
        for index, param in enumerate(fs.params):
            if self.is_self(fs, index) or param.name in found:
                continue
            kinds = self.site_kinds(key, param.name)
            known = bool(kinds) and all(k in PYTHON_KINDS for k in kinds)
            if reason and "literal" not in kinds and "tensor" not in kinds and _plain(param):
                found[param.name] = f"{SPECULATIVE}{reason}"
                self.speculative[key] = reason
            elif param.tf_use and not known:
                found[param.name] = param.tf_use
        return len(found) > before

    def _python_only(self) -> set[tuple[str, str]]:
        """Parameters that only ever receive Python values, also through other parameters.

        A greatest fixpoint: `f(n - 1)` inside `f` passes a value derived from `n` itself, so
        `n` is Python-only when every other call passes Python values too (catalogue B38).
        """
        project = self.project
        candidates = {
            (key, p.name): sites
            for key, fs in project.funcs.items()
            for p in fs.params
            if p.name not in self.tensor_params[key]
            and (sites := [(s, project.arg_for(s, p.name)) for s in project.incoming[key]])
        }
        changed = True
        while changed:
            changed = False
            for item, sites in list(candidates.items()):
                if not all(self._python_arg(site.caller, arg, candidates) for site, arg in sites):
                    del candidates[item]
                    changed = True
        return set(candidates)

    @staticmethod
    def _python_arg(
        caller: str, arg: ArgDesc | None, python: Mapping[tuple[str, str], object]
    ) -> bool:
        if arg is None:
            return False
        if arg.kind in PYTHON_KINDS:
            return True
        if arg.kind not in ("tensor", "mixed"):
            return False
        return all(s.startswith("p:") and (caller, s[2:]) in python for s in arg.taint)

    def site_kinds(self, key: str, param: str) -> list[str]:
        """What each project call passes for `param` (`unknown` where it is not spelled out)."""
        kinds = []
        for site in self.project.incoming[key]:
            arg = self.project.arg_for(site, param)
            kinds.append("unknown" if arg is None else arg.kind)
        return kinds

    def _speculation(self, fs: FuncSummary) -> str:
        name = fs.qualname.rsplit(".", 1)[-1]
        if name in ("call", "__call__") and fs.class_name:
            if self.project.is_keras(fs.class_name):
                return f"`{name}` of a Keras Model/Layer subclass usually receives tensors"
            return ""
        if SPECULATIVE_NAME.fullmatch(name):
            return f"functions named like `{name}` usually receive tensors"
        return ""

    def evaluate(self, key: str, taint: Taint) -> bool:
        for source in taint:
            if source == "T":
                return True
            if source[0] == "p":
                if source[2:] in self.tensor_params.get(key, {}):
                    return True
            elif source[0] == "c":
                site = self.project.sites[key][int(source[2:])][1]
                if site is not None and site.callee in self.returns:
                    return True
        return False

    def _solve(self, keys: Iterable[str]) -> None:
        project = self.project
        queue = deque(keys)
        queued = set(queue)
        while queue:
            key = queue.popleft()
            queued.discard(key)
            if self._update(key):
                for other in (*project.callees(key), *(s.caller for s in project.incoming[key])):
                    if other not in queued:
                        queued.add(other)
                        queue.append(other)

    def _update(self, key: str) -> bool:
        fs = self.project.funcs[key]
        found = self.tensor_params[key]
        changed = False
        for index, param in enumerate(fs.params):
            if param.name in found or self.is_self(fs, index):
                continue
            evidence = self._site_tensor(key, param.name)
            if evidence:
                found[param.name] = evidence
                changed = True
        if key not in self.returns and self.evaluate(key, fs.returns):
            self.returns.add(key)
            changed = True
        return changed

    def _site_tensor(self, key: str, param: str) -> str:
        for site in self.project.incoming[key]:
            arg = self.project.arg_for(site, param)
            if arg is None or arg.kind not in ("tensor", "mixed"):
                continue
            if self.evaluate(site.caller, arg.taint):
                path = self.project.module_of[site.caller].path
                return f"receives a tensor (`{arg.text}`) at {path}:{site.call.line}"
        return ""
