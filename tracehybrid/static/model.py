"""The static facts handed to later stages: plain dataclasses with JSON-ready `to_dict()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tracehybrid import codes

TriValue = Literal["yes", "no", "unknown"]
ParamKind = Literal["positional", "keyword_only", "var_positional", "var_keyword"]
HybridForm = Literal["decorator", "decorator_call", "higher_order"]


@dataclass(frozen=True)
class Tri:
    """A three-valued fact with its evidence, or the reason it is unknown."""

    value: TriValue
    reason: str = ""

    @classmethod
    def yes(cls, reason: str) -> Tri:
        return cls("yes", reason)

    @classmethod
    def no(cls, reason: str) -> Tri:
        return cls("no", reason)

    @classmethod
    def unknown(cls, reason: str) -> Tri:
        return cls("unknown", reason)

    @property
    def is_yes(self) -> bool:
        return self.value == "yes"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tri:
        return cls(data["value"], data.get("reason", ""))


@dataclass(frozen=True)
class SpecFacts:
    """One entry of a literal `input_signature`; `unknown` says why it could not be read."""

    kind: str  # TensorSpec, RaggedTensorSpec, SparseTensorSpec
    shape: tuple[int | None, ...] | None = None  # None: unknown rank
    dtype: str | None = None
    name: str | None = None
    unknown: str | None = None

    def to_dict(self) -> dict[str, Any]:
        shape = None if self.shape is None else list(self.shape)
        return {
            "kind": self.kind,
            "shape": shape,
            "dtype": self.dtype,
            "name": self.name,
            "unknown": self.unknown,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpecFacts:
        shape = data.get("shape")
        return cls(
            data["kind"],
            None if shape is None else tuple(shape),
            data.get("dtype"),
            data.get("name"),
            data.get("unknown"),
        )


@dataclass(frozen=True)
class HybridFacts:
    """An existing `tf.function`: where, in which form, and the values of its arguments."""

    line: int
    form: HybridForm
    arguments: dict[str, str] = field(default_factory=dict)
    input_signature: list[SpecFacts] | None = None
    input_signature_unknown: str | None = None  # set when a signature is given but not literal
    reduce_retracing: bool | None = None
    jit_compile: bool | None = None
    autograph: bool | None = None
    follow_type_hints: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        signature = self.input_signature
        return {
            "line": self.line,
            "form": self.form,
            "arguments": dict(self.arguments),
            "input_signature": None if signature is None else [s.to_dict() for s in signature],
            "input_signature_unknown": self.input_signature_unknown,
            "reduce_retracing": self.reduce_retracing,
            "jit_compile": self.jit_compile,
            "autograph": self.autograph,
            "follow_type_hints": self.follow_type_hints,
        }


@dataclass(frozen=True)
class ParamFacts:
    """One parameter: its kind, whether a tensor flows in, and Python literals it receives."""

    name: str
    kind: ParamKind
    tensor: Tri
    default: str | None = None
    annotation: str | None = None
    reads_static_axes: bool = False
    literal: Tri = Tri("no", "no project call passes a Python literal")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "tensor": self.tensor.to_dict(),
            "default": self.default,
            "annotation": self.annotation,
            "reads_static_axes": self.reads_static_axes,
            "literal": self.literal.to_dict(),
        }


@dataclass(frozen=True)
class Finding:
    """One piece of evidence against (or about) running a function as a graph."""

    code: str
    message: str
    path: str
    line: int
    via: str | None = None  # callee chain when the cause lives in a callee
    #: Parameters whose being tensors is the only reason it holds (`float(depth)` converts a
    #: tensor only when `depth` is one): calls that pass them Python values refute it.
    if_tensor: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        return codes.get(self.code).category

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "category": self.category,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "via": self.via,
            "if_tensor": list(self.if_tensor),
        }


@dataclass(frozen=True)
class SourceWarning:
    """A file, or part of one, that could not be analysed."""

    path: str
    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}

    def one_line(self) -> str:
        """The warning as `analyze` and `run` print it."""
        message = " ".join(self.message.split())
        return f"warning[unparsable]: {self.path}:{self.line}: {message}"


@dataclass
class FunctionFacts:
    """Everything static analysis knows about one function or method."""

    path: str
    module: str
    qualname: str
    line: int
    first_line: int
    end_line: int
    kind: Literal["eager", "hybrid"]
    hybrid: HybridFacts | None
    params: list[ParamFacts]
    has_tensor_param: Tri
    tensor_computation: Tri
    recursive: Tri
    is_generator: bool
    is_async: bool
    is_method: bool
    findings: list[Finding] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    speculative: str | None = None
    is_candidate: bool = False
    write_lines: list[int] = field(default_factory=list)
    setup_lines: list[int] = field(default_factory=list)  # variable creations that are set-up
    #: Not a candidate only because its parameters could not be typed: traced all the same, and
    #: a candidate when the tests pass it a tensor (runtime evidence promotes it).
    promotable: bool = False
    returns_tensor: bool = False  # static analysis found a tensor among its return values

    @property
    def watched(self) -> bool:
        """Whether the tracer watches it: a static candidate, or one a tensor may promote."""
        return self.is_candidate or self.promotable

    @property
    def codes(self) -> set[str]:
        """The codes of this function's findings (handy in tests and reports)."""
        return {f.code for f in self.findings}

    def param(self, name: str) -> ParamFacts:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "module": self.module,
            "qualname": self.qualname,
            "line": self.line,
            "first_line": self.first_line,
            "end_line": self.end_line,
            "kind": self.kind,
            "hybrid": None if self.hybrid is None else self.hybrid.to_dict(),
            "params": [p.to_dict() for p in self.params],
            "has_tensor_param": self.has_tensor_param.to_dict(),
            "tensor_computation": self.tensor_computation.to_dict(),
            "recursive": self.recursive.to_dict(),
            "is_generator": self.is_generator,
            "is_async": self.is_async,
            "is_method": self.is_method,
            "findings": [f.to_dict() for f in self.findings],
            "unknowns": list(self.unknowns),
            "speculative": self.speculative,
            "is_candidate": self.is_candidate,
            "write_lines": list(self.write_lines),
            "setup_lines": list(self.setup_lines),
            "promotable": self.promotable,
            "returns_tensor": self.returns_tensor,
        }


@dataclass
class ProjectFacts:
    """The static facts of a whole project: functions by file (sorted) and source order."""

    root: Path
    functions: list[FunctionFacts] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)
    files_analysed: int = 0
    lines_analysed: int = 0

    def function(self, qualname: str, path: str | None = None) -> FunctionFacts:
        """The function with this `__qualname__` (and path, when several files define it)."""
        found = [
            f for f in self.functions if f.qualname == qualname and (path is None or f.path == path)
        ]
        if len(found) != 1:
            where = "" if path is None else f" in {path}"
            raise KeyError(f"{len(found)} functions named {qualname!r}{where}")
        return found[0]

    @property
    def candidates(self) -> list[FunctionFacts]:
        return [f for f in self.functions if f.is_candidate]

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "functions": [f.to_dict() for f in self.functions],
            "warnings": [w.to_dict() for w in self.warnings],
            "files_analysed": self.files_analysed,
            "lines_analysed": self.lines_analysed,
        }
