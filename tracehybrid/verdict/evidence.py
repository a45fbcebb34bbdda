"""Both kinds of evidence about one function, side by side: static findings, runtime facts."""

from __future__ import annotations

import re
from functools import cached_property

from tracehybrid import codes
from tracehybrid.config import Config
from tracehybrid.static.model import Finding, FunctionFacts
from tracehybrid.store.reader import CandidateFacts, Effect
from tracehybrid.verdict.model import Evidence, Reason

# The code that each runtime effect kind confirms (writes take the static finding's code).
EFFECT_CODES = {
    "print": "TH101",
    "logging": "TH102",
    "io": "TH103",
    "iterator_next": "TH104",
    "python_random": "TH141",
    "numpy_random": "TH141",
    "clock": "TH142",
    "tensor_numpy": "TH131",
    "tensor_cast": "TH132",
    "numpy_on_tensor": "TH133",
    "variable_creation": "TH151",
}
PER_CALL = "TH197"  # a tf.function created anew on every call of its enclosing function
WRITE_CODES = frozenset({"TH111", "TH112", "TH121", "TH122", "TH123"})
# How runtime signatures describe tensors (runtime/probes.py `describe`).
TENSOR_WORDS = ("tensor ", "ndarray ", "variable ", "symbolic ", "tensor-like ")
# How they describe a Python scalar argument: `depth: int=16`, `gain: float=0.5`, `x: None`.
PYTHON_SCALAR = re.compile(r"(?:int|float|bool|str)=|None\b")
# A static tensor fact that a call or an annotation gave: the run's scalars do not refute it.
FIRM_TENSOR = ("receives a tensor", "annotated")


class FunctionEvidence:
    """Both kinds of evidence for one function, and the rules that weigh them."""

    def __init__(
        self,
        fn: FunctionFacts,
        fact: CandidateFacts | None,
        config: Config,
        setup_sites: frozenset[tuple[str, int]] = frozenset(),
    ) -> None:
        self.fn = fn
        self.fact = fact
        self.config = config
        self.setup_sites = setup_sites  # (absolute path, line) of set-up variable creations

    # -- shared evidence -------------------------------------------------------------------
    def _where(self, line: int) -> str:
        return f"{self.fn.path}:{line}"

    def _static_reason(self, finding: Finding, confirmed: bool) -> Reason:
        message = finding.message + (f" (via {finding.via})" if finding.via else "")
        evidence: Evidence = "both" if confirmed else "static"
        return Reason(finding.code, message, evidence, f"{finding.path}:{finding.line}")

    def effect_reasons(self) -> list[Reason]:
        """Blocking static findings, confirmed by the run where it saw them, plus runtime-only
        effects, each of which is also a disagreement: static analysis should have seen it."""
        seen = self._runtime_effects()
        reasons = []
        for finding in self.fn.findings:
            if not codes.get(finding.code).blocking or self.refuted(finding):
                continue
            confirmed = any(c == finding.code for c, _ in seen)
            reasons.append(self._static_reason(finding, confirmed))
        static_codes = {f.code for f in self.fn.findings}
        for code, effect in seen:
            if code in static_codes:
                continue
            where = f"{effect.path}:{effect.line}"
            test = effect.tests[0] if effect.tests else "outside any test"
            detail = f"{codes.get(code).summary} Seen at run time ({effect.detail}) in {test}."
            reasons.append(Reason(code, detail, "runtime", where))
            reasons.append(
                Reason(
                    "TH220",
                    f"Static analysis found no {codes.get(code).name} here, but the run saw "
                    f"`{effect.detail}` at {where}.",
                    "both",
                    where,
                )
            )
        return _dedupe(reasons)

    def _runtime_effects(self) -> list[tuple[str, Effect]]:
        if self.fact is None:
            return []
        found = []
        for effect in self.fact.effects:
            code = self._effect_code(effect)
            if code is not None:
                found.append((code, effect))
        return found

    def _effect_code(self, effect: Effect) -> str | None:
        if effect.kind == "write":
            at_line = [f.code for f in self.fn.findings if f.line == effect.line]
            return next((c for c in at_line if c in WRITE_CODES), None)
        if effect.kind == "variable_creation" and (
            self._lazy_creation(effect) or (effect.path, effect.line) in self.setup_sites
        ):
            return None  # created on some calls only: the singleton pattern tf.function allows
        return EFFECT_CODES.get(effect.kind)

    def _lazy_creation(self, effect: Effect) -> bool:
        eager_calls = self.fact.calls.get("eager", 0) if self.fact else 0
        return effect.count < eager_calls

    def refuted(self, finding: Finding) -> bool:
        """True when the finding holds only if some parameters are tensors (`float(depth)`) and
        every call the tests made passed them Python scalars, which a graph keeps as they are."""
        return bool(finding.if_tensor) and set(finding.if_tensor) <= self.python_scalar_params

    @cached_property
    def python_scalar_params(self) -> frozenset[str]:
        """Parameters that every recorded call passed a Python scalar (or left at its default),
        and that no project call or annotation makes a tensor."""
        if self.fact is None or not self.fact.signatures:
            return frozenset()
        found = set()
        for param in self.fn.params:
            if param.tensor.reason.startswith(FIRM_TENSOR):
                continue
            values = [_argument(sig, param.name) for sig in self.fact.signatures]
            if all(
                (v is None and param.default is not None) or (v and PYTHON_SCALAR.match(v))
                for v in values
            ):
                found.add(param.name)
        return frozenset(found)

    def python_valued(self) -> bool:
        """Runs TensorFlow operations and returns a tensor, while every parameter (but `self`)
        received only Python scalars: each distinct value traces once, so the traces the tests
        would make and the measurement judge it, not the absence of tensor inputs."""
        fn = self.fn
        params = [p.name for p in fn.params if not (fn.is_method and p is fn.params[0])]
        return (
            bool(params)
            and fn.tensor_computation.is_yes
            and fn.returns_tensor
            and set(params) <= self.python_scalar_params
        )

    def passing_eager_calls(self) -> bool:
        """True when a passing test called the function eagerly."""
        if self.fact is None or not self.fact.calls.get("eager"):
            return False
        return any(outcome == "passed" for outcome in self.fact.tests.values())

    def runtime_saw_tensors(self) -> bool | None:
        """Whether any recorded call passed a tensor; None when there were no calls."""
        if self.fact is None or not self.fact.signatures:
            return None
        return any(word in sig for sig in self.fact.signatures for word in TENSOR_WORDS)

    def per_call_creation(self) -> Reason | None:
        """TH197 when static analysis found this tf.function created on every call of its
        enclosing function; the run confirms it when every call of it traced (its Python body
        runs only while TensorFlow traces, and each new object traces on its first call)."""
        finding = next((f for f in self.fn.findings if f.code == PER_CALL), None)
        if finding is None:
            return None
        calls = self.fact.calls if self.fact else {}
        traces, called = calls.get("trace", 0), calls.get("eager", 0) + calls.get("graph", 0)
        message = f"{finding.message}."
        evidence: Evidence = "static"
        if traces >= 2 and traces >= called:
            evidence = "both"
            message += (
                f" Under the tests it was called {called} times and its graph was traced "
                f"{traces} times: every call traced."
            )
        elif called:
            message += (
                f" Under the tests it was called {_times(called)} and traced {_times(traces)}."
            )
        message += " Create it once (at module level, or cached on the object) and reuse it."
        return Reason(PER_CALL, message, evidence, f"{finding.path}:{finding.line}")

    def prediction(self) -> dict[str, object] | None:
        """The trace-key prediction for this function's calls, if any."""
        return None if self.fact is None else prediction_of(self.fact)

    def def_location(self) -> str:
        """`path:line` of the def."""
        return self._where(self.fn.line)


def prediction_of(fact: CandidateFacts) -> dict[str, object] | None:
    """The combined prediction when it is known; else the per-process one with most traces."""
    combined = fact.combined_prediction
    if combined is not None and combined.get("plain") is not None:
        return combined
    return max(fact.predictions, key=lambda p: _int(p.get("plain")) or 0, default=None)


def _argument(signature: str, name: str) -> str | None:
    """The text after `name: ` in a signature (`a: int=3, b: tensor ...`), None when absent."""
    for prefix in (f"{name}: ", f", {name}: "):
        at = signature.find(prefix)
        if at == 0 or (at > 0 and prefix[0] == ","):
            return signature[at + len(prefix) :]
    return None


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for reason in reasons:
        if (reason.code, reason.location) not in seen:
            seen.add((reason.code, reason.location))
            unique.append(reason)
    return unique
