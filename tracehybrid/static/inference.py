"""Tensor inference over the linked project: which parameters receive tensors, what returns them."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping

from tracehybrid.static.linker import Project
from tracehybrid.static.summary import ArgDesc, ArgKind, FuncSummary, ParamSummary, Taint

SPECULATIVE_NAME = re.compile(r"(.*_step|run_model|.*inference)$")
SPECULATIVE = "speculative: "
PYTHON_KINDS = frozenset({"literal", "bool", "none", "object"})


def _plain(param: ParamSummary) -> bool:
    """A parameter that callers fill in (not `training=False` style switches or `*args`)."""
    return param.kind in ("positional", "keyword_only") and param.default in (None, "None")


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

    def site_kinds(self, key: str, param: str) -> list[ArgKind]:
        """What each project call passes for `param` (`unknown` where it is not spelled out)."""
        kinds: list[ArgKind] = []
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
