"""Effects through the call graph: recursion, propagation to callers, leaked tensors, coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracehybrid.static.attrtypes import judged_by_library
from tracehybrid.static.inference import TensorInference
from tracehybrid.static.linker import Project, Site
from tracehybrid.static.summary import Taint

# Codes that make a caller unsafe too when a callee it calls has them.
PROPAGATED = frozenset(
    {
        "TH101",
        "TH102",
        "TH103",
        "TH104",
        "TH111",
        "TH112",
        "TH121",
        "TH122",
        "TH123",
        "TH131",
        "TH132",
        "TH133",
        "TH141",
        "TH142",
        "TH151",
        "TH181",
        "TH182",
        "TH183",
        "TH185",
        "TH186",
    }
)


@dataclass(slots=True, frozen=True)
class Effect:
    """A finding of a function, local or reached through callees."""

    code: str
    message: str
    line: int
    subject: str = ""
    via: str | None = None
    path: str = ""


def strongly_connected(
    project: Project, successors: Callable[[str], list[str]] | None = None
) -> list[list[str]]:
    """Tarjan's SCCs of the call graph, callees before callers (iterative: deep graphs are fine).

    `successors` defaults to the linked callees; effects also follow overriding methods.
    """
    callees = project.callees if successors is None else successors
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    for root in project.funcs:
        if root in index:
            continue
        work = [(root, iter(callees(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(callees(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


class EffectPropagation:
    """Local findings that hold, then every callee's effects mapped into its callers."""

    def __init__(
        self, project: Project, tensors: TensorInference, components: list[list[str]]
    ) -> None:
        self.project = project
        self.tensors = tensors
        self.effects: dict[str, list[Effect]] = {}
        self.leaked = self._leaked_globals()
        # The call graph's components order callees first; a call may also reach an override.
        if any(project.dispatch_callees(k) != project.callees(k) for k in project.funcs):
            components = strongly_connected(project, project.dispatch_callees)
        for component in components:
            for key in component:
                self.effects[key] = self._local(key)
            self._propagate(component)

    def _suppressed(self, key: str, code: str, line: int) -> bool:
        suppressions = self.project.module_of[key].suppressions
        codes = suppressions.get(line)
        return codes is not None and (not codes or code in codes)

    def _local(self, key: str) -> list[Effect]:
        fs = self.project.funcs[key]
        path = self.project.module_of[key].path
        found: list[Effect] = []
        for finding in fs.findings:
            if finding.cond and not self._holds(key, finding.cond):
                continue
            found.append(
                Effect(finding.code, finding.message, finding.line, finding.subject, None, path)
            )
        for name, line in fs.global_reads:
            if self.project.symbol(name) in self.leaked and not self._writes(key, name):
                message = f"reads `{name.rsplit('.', 1)[-1]}`, a tensor leaked by a tf.function"
                found.append(Effect("TH186", message, line, "", None, path))
        return [e for e in found if not self._suppressed(key, e.code, e.line)]

    def _holds(self, key: str, cond: Taint) -> bool:
        """A finding's condition: `u:N` holds while call N is unresolved, the rest on tensors."""
        unless = {source for source in cond if source[0] == "u"}
        for source in unless:
            index = int(source[2:])
            site = self.project.sites[key][index][1]
            if site is not None and self.project.has_body(site):
                return False  # the linked method's own effects stand for the mutation
            if site is None and judged_by_library(self.project.funcs[key].calls[index].target.name):
                return False  # a Sonnet object's method: its state is in variables
        rest = cond - unless
        return not rest or self.tensors.evaluate(key, rest)

    def _writes(self, key: str, name: str) -> bool:
        return any(written == name for written, _, _ in self.project.funcs[key].global_writes)

    def _leaked_globals(self) -> set[str]:
        leaked = set()
        for key, fs in self.project.funcs.items():
            if fs.hybrid is not None:
                for name, taint, _ in fs.global_writes:
                    if self.tensors.evaluate(key, taint):
                        leaked.add(name)
        return leaked

    def _propagate(self, component: list[str]) -> None:
        changed = True
        while changed:
            changed = False
            for key in component:
                changed |= self._pull(key)
            if len(component) == 1:
                break

    def _pull(self, key: str) -> bool:
        """Add the effects of every callee of `key`; True when something new was added."""
        current = self.effects[key]
        seen = {(e.code, e.subject, e.via) for e in current}
        added = False
        for _, site in self.project.sites.get(key, ()):
            if site is None or site.callee == key:
                continue
            for callee, effect in self._effects_of(key, site):
                mapped = self._map(key, site, effect, callee)
                if mapped is not None and (mapped.code, mapped.subject, mapped.via) not in seen:
                    if self._suppressed(key, mapped.code, mapped.line):
                        continue
                    seen.add((mapped.code, mapped.subject, mapped.via))
                    current.append(mapped)
                    added = True
        return added

    def _effects_of(self, key: str, site: Site) -> list[tuple[str, Effect]]:
        """The callee's effects, and those of every override the call may reach instead."""
        found = [(site.callee, e) for e in self.effects.get(site.callee, ())]
        for override in self.project.overrides(site):
            if override != key:
                found.extend((override, e) for e in self.effects.get(override, ()))
        return found

    def _map(self, key: str, site: Site, effect: Effect, callee_key: str) -> Effect | None:
        if effect.code not in PROPAGATED:
            return None
        callee = self.project.funcs[callee_key]
        chain = callee.qualname if effect.via is None else f"{callee.qualname} -> {effect.via}"
        if chain.count(" -> ") > 6:
            return None
        code, subject, origin = effect.code, effect.subject, ""
        if code == "TH121":
            arg = self.project.arg_for(site, subject)
            origin = "" if arg is None else arg.origin
        elif code == "TH122":
            origin = site.call.receiver
        elif code in ("TH112", "TH123") and subject and self.project.funcs[key].qualname == subject:
            return None
        if origin:
            mapped = self._remap(origin)
            if mapped is None:
                return None
            code, subject = mapped
        message = f"calls `{site.call.text}`, which {effect.message.split(', which ')[-1]}"
        path = self.project.module_of[key].path
        return Effect(code, message, site.call.line, subject, chain, path)

    @staticmethod
    def _remap(origin: str) -> tuple[str, str] | None:
        """The code a caller gets when a callee mutates the object the caller passed in."""
        if origin == "self":
            return "TH122", ""
        if origin.startswith("param:"):
            return "TH121", origin[6:]
        if origin.startswith("global:"):
            return "TH123", ""
        if origin.startswith("closure:"):
            return "TH123", origin.split(":", 2)[1]
        return None
