"""Turns the linked project into FunctionFacts: tri-state facts, findings, candidates."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tracehybrid.static.effects import Effect, EffectPropagation, strongly_connected
from tracehybrid.static.inference import PYTHON_KINDS, SPECULATIVE, TensorInference
from tracehybrid.static.linker import Project
from tracehybrid.static.model import Finding, FunctionFacts, ParamFacts, ProjectFacts, Tri
from tracehybrid.static.summary import FuncSummary, ModuleSummary, Taint, func_key

WRITE_CODES = frozenset({"TH111", "TH112", "TH121", "TH122", "TH123"})
# Shared answers for the common cases: building a frozen Tri per parameter adds up.
SELF = Tri.no("the bound instance (`self`) is never a tensor")
NO_LITERAL = Tri.no("no project call passes a Python int, float or str")
NO_COMPUTATION = Tri.no("runs no TensorFlow operation")
NOT_PASSED = Tri.unknown("no project call passes it, and it flows into no TensorFlow API")
UNKNOWN_TYPE = Tri.unknown("project calls pass values of unknown type")
NO_CYCLE = Tri.no("no cycle through it in the project call graph")
NO_PARAMETERS = Tri.no("takes no parameters")
NO_TENSOR_PARAMETER = Tri.no("no parameter receives a tensor")
MODULE = "<module>"


def link(root: Path, modules: list[ModuleSummary], disabled: Iterable[str] = ()) -> ProjectFacts:
    """Link per-module summaries (sorted by path) into the project's facts."""
    modules = sorted(modules, key=lambda m: m.path)
    project = Project(modules)
    tensors = TensorInference(project)
    components = strongly_connected(project)
    builder = FactBuilder(project, tensors, components, frozenset(disabled))
    facts = ProjectFacts(root=root)
    for summary in modules:
        facts.warnings.extend(summary.warnings)
        facts.files_analysed += 1
        facts.lines_analysed += summary.lines
        for fs in summary.functions:
            if fs.qualname != MODULE:
                facts.functions.append(builder.build(func_key(summary.module, fs)))
    return facts


class FactBuilder:
    """Per-function facts from the project-wide analyses."""

    def __init__(
        self,
        project: Project,
        tensors: TensorInference,
        components: list[list[str]],
        disabled: frozenset[str],
    ) -> None:
        self.project = project
        self.tensors = tensors
        self.disabled = disabled
        self.effects = EffectPropagation(project, tensors, components).effects
        self.cycles: dict[str, list[str]] = {}
        self.computes: dict[str, Tri] = {}
        for component in components:
            self._note_cycle(component)
            for key in component:
                self.computes[key] = self._computation(key)
        self.covered = self._covered()

    # -- recursion ---------------------------------------------------------------------------
    def _note_cycle(self, component: list[str]) -> None:
        if len(component) > 1 or component[0] in self.project.callees(component[0]):
            names = [self.project.funcs[k].qualname for k in reversed(component)]
            for key in component:
                self.cycles[key] = names

    # -- tensor computation ------------------------------------------------------------------
    def _computation(self, key: str) -> Tri:
        fs = self.project.funcs[key]
        if fs.tf_ops:
            return Tri.yes(fs.tf_ops)
        if self.tensors.evaluate(key, fs.tensor_ops):
            return Tri.yes("operates on tensor values")
        unknown = ""
        for _, site in self.project.sites.get(key, ()):
            if site is None or site.callee == key:
                continue
            callee = self.computes.get(site.callee)
            if callee is not None and callee.is_yes and not site.call.is_ref:
                return Tri.yes(f"calls `{site.call.text}`, which {callee.reason}")
            if callee is not None and callee.value == "unknown" and not site.call.is_ref:
                unknown = unknown or f"calls `{site.call.text}`, which {callee.reason}"
        if fs.opaque_calls:
            unknown = f"passes tensors to `{fs.opaque_calls[0]}`, which could not be resolved"
        elif not unknown and (untyped := self._untyped_operands(key, fs)):
            unknown = f"applies operators to `{untyped}`, a parameter of unknown type"
        return Tri.unknown(unknown) if unknown else NO_COMPUTATION

    def _untyped_operands(self, key: str, fs: FuncSummary) -> str:
        """A parameter the body computes on (`images * gain`) that no call shows to be Python-only:
        a tensor op when a tensor flows in, so runtime evidence decides (issue 15, point 1)."""
        for param in fs.params:
            if (
                f"p:{param.name}" in fs.tensor_ops
                and (key, param.name) not in self.tensors.python_only
            ):
                return param.name
        return ""

    # -- callers -----------------------------------------------------------------------------
    def _covered(self) -> set[str]:
        """Functions every live caller of which already runs inside a tf.function (TH194)."""
        funcs, incoming = self.project.funcs, self.project.incoming

        def live(key: str) -> bool:
            fs = funcs[key]
            return fs.qualname == MODULE or fs.hybrid is not None or bool(incoming[key])

        covered: set[str] = set()
        changed = True
        while changed:
            changed = False
            for key, fs in funcs.items():
                if key in covered or fs.hybrid is not None or fs.qualname == MODULE:
                    continue
                callers = [s.caller for s in incoming[key] if live(s.caller)]
                if callers and all(funcs[c].hybrid is not None or c in covered for c in callers):
                    covered.add(key)
                    changed = True
        return covered

    # -- parameters --------------------------------------------------------------------------
    def params(self, key: str, fs: FuncSummary) -> list[ParamFacts]:
        found = self.tensors.tensor_params[key]
        result = []
        for index, param in enumerate(fs.params):
            if self.tensors.is_self(fs, index):
                tensor = SELF
            elif param.name in found:
                tensor = Tri.yes(found[param.name].removeprefix(SPECULATIVE))
            else:
                tensor = self._not_tensor(key, param.name)
            result.append(
                ParamFacts(
                    name=param.name,
                    kind=param.kind,
                    tensor=tensor,
                    default=param.default,
                    annotation=param.annotation,
                    reads_static_axes=param.reads_static_axes,
                    literal=self._literal(key, param.name),
                )
            )
        return result

    def _not_tensor(self, key: str, param: str) -> Tri:
        kinds = self.tensors.site_kinds(key, param)
        if (key, param) in self.tensors.python_only:
            listed = ", ".join(sorted(set(kinds) & PYTHON_KINDS)) or "derived values"
            return Tri.no(f"receives only Python values ({listed})")
        return UNKNOWN_TYPE if kinds else NOT_PASSED

    def _literal(self, key: str, param: str) -> Tri:
        for site in self.project.incoming[key]:
            arg = self.project.arg_for(site, param)
            if arg is not None and arg.kind in ("literal", "mixed"):
                path = self.project.module_of[site.caller].path
                return Tri.yes(f"receives `{arg.text}` at {path}:{site.call.line}")
        return NO_LITERAL

    # -- the facts ---------------------------------------------------------------------------
    def build(self, key: str) -> FunctionFacts:
        fs = self.project.funcs[key]
        summary = self.project.module_of[key]
        params = self.params(key, fs)
        tensor_param = self._has_tensor_param(fs, params)
        computation = self.computes.get(key, NO_COMPUTATION)
        candidate = not fs.stub and (
            fs.hybrid is not None
            or ((tensor_param.is_yes or computation.is_yes) and not _is_lifecycle(fs))
        )
        # Computes on untyped values: not a candidate yet, but traced; the tests' tensors
        # promote it. With no computation at all ("no"), no tensor could make a graph pay.
        promotable = (
            not candidate
            and not fs.stub
            and not _is_lifecycle(fs)
            and computation.value == "unknown"
        )
        conditions = {(f.code, f.line, f.message): f.cond for f in fs.findings}
        findings = [
            Finding(e.code, e.message, e.path, e.line, e.via, _if_tensor(e, conditions))
            for e in self.effects.get(key, ())
        ]
        findings += self._structural(key, fs, summary.path)
        if candidate or promotable:
            findings += self._benefit(key, fs, summary.path, params, tensor_param, computation)
        findings = [f for f in findings if f.code not in self.disabled]
        findings = [f for f in findings if not self._suppressed(summary, f)]
        cycle = self.cycles.get(key)
        return FunctionFacts(
            path=summary.path,
            module=summary.module,
            qualname=fs.qualname,
            line=fs.line,
            first_line=fs.first_line,
            end_line=fs.end_line,
            kind="hybrid" if fs.hybrid is not None else "eager",
            hybrid=fs.hybrid,
            params=params,
            has_tensor_param=tensor_param,
            tensor_computation=computation,
            recursive=Tri.yes(" -> ".join([*cycle, cycle[0]])) if cycle else NO_CYCLE,
            is_generator=fs.is_generator,
            is_async=fs.is_async,
            is_method=bool(fs.class_name),
            findings=findings,
            unknowns=[*fs.unknowns, *self.project.external.get(key, ())],
            speculative=self.tensors.speculative.get(key),
            is_candidate=candidate,
            promotable=promotable,
            returns_tensor=key in self.tensors.returns,
            write_lines=sorted({f.line for f in fs.findings if f.code in WRITE_CODES}),
            setup_lines=sorted(set(fs.setup_lines)),
        )

    @staticmethod
    def _suppressed(summary: ModuleSummary, finding: Finding) -> bool:
        codes = summary.suppressions.get(finding.line)
        return codes is not None and (not codes or finding.code in codes)

    def _has_tensor_param(self, fs: FuncSummary, params: list[ParamFacts]) -> Tri:
        others = [p for i, p in enumerate(params) if not self.tensors.is_self(fs, i)]
        for param in others:
            if param.tensor.is_yes:
                return Tri.yes(f"`{param.name}`: {param.tensor.reason}")
        if not others:
            return NO_PARAMETERS
        unknown = [p for p in others if p.tensor.value == "unknown"]
        if unknown:
            return Tri.unknown(f"`{unknown[0].name}`: {unknown[0].tensor.reason}")
        return NO_TENSOR_PARAMETER

    def _structural(self, key: str, fs: FuncSummary, path: str) -> list[Finding]:
        found = []
        cycle = self.cycles.get(key)
        if cycle:
            chain = " -> ".join([*cycle, cycle[0]])
            found.append(Finding("TH161", f"is recursive ({chain})", path, fs.line))
        if fs.is_generator:
            found.append(Finding("TH171", "is a generator (`yield`)", path, fs.line))
        if fs.is_async:
            found.append(Finding("TH172", "is an `async def` coroutine", path, fs.line))
        return found

    def _benefit(
        self,
        key: str,
        fs: FuncSummary,
        path: str,
        params: list[ParamFacts],
        tensor_param: Tri,
        computation: Tri,
    ) -> list[Finding]:
        found = []
        if tensor_param.value == "no":
            found.append(
                Finding("TH191", f"no tensor parameter: {tensor_param.reason}", path, fs.line)
            )
        if computation.value == "no":
            found.append(Finding("TH192", "runs no TensorFlow operation", path, fs.line))
        for param in params:
            if param.literal.is_yes:
                message = f"parameter `{param.name}` {param.literal.reason}"
                found.append(Finding("TH193", message, path, fs.line))
        if key in self.covered:
            message = "every project call to it is already inside a tf.function"
            found.append(Finding("TH194", message, path, fs.line))
        return found


# Methods that run once per object (constructors, Keras build/config hooks): a graph brings nothing
# there, and wrapping a constructor would create variables on every construction.
LIFECYCLE_METHODS = frozenset(
    {"build", "get_config", "from_config", "compute_output_shape", "build_from_config"}
)


def _if_tensor(effect: Effect, conditions: dict[tuple[str, int, str], Taint]) -> tuple[str, ...]:
    """The parameters a local finding holds on: its condition, when that names parameters only."""
    if effect.via is not None:
        return ()
    cond = conditions.get((effect.code, effect.line, effect.message), frozenset())
    if not cond or not all(source.startswith("p:") for source in cond):
        return ()
    return tuple(sorted(source[2:] for source in cond))


def _is_lifecycle(fs: FuncSummary) -> bool:
    name = fs.qualname.rsplit(".", 1)[-1]
    if not fs.class_name:
        return False
    is_dunder = name.startswith("__") and name.endswith("__") and name != "__call__"
    return is_dunder or name in LIFECYCLE_METHODS
