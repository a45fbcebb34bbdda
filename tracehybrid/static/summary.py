"""Per-module summaries: what one file says on its own, cached by content hash and linked later.

Tensor-ness that depends on other code is kept symbolic as a *taint*: a frozenset of sources,
`"T"` (a tensor for sure), `"p:NAME"` (the parameter NAME, if it receives tensors) and `"c:N"`
(the result of call N of the same function, if that callee returns tensors). The linker
evaluates taints once the whole project is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from tracehybrid.static.model import HybridFacts, ParamKind, SourceWarning

Taint = frozenset[str]
NO_TAINT: Taint = frozenset()
TENSOR: Taint = frozenset({"T"})
#: What a call site passes, as the linker weighs it ("mixed": a tensor beside Python scalars).
ArgKind = Literal["literal", "bool", "none", "object", "unknown", "tensor", "mixed"]

# Bumped whenever the summaries change meaning, so stale cache entries are never reused.
# 4: call targets became `CallTarget` records instead of "f:"/"m:"/"s:" strings.
# 5: TH197, a tf.function created on every call of its enclosing function.
# 6: TH181 only on loops AutoGraph cannot stage, and on comprehensions/builtins iterating a tensor.
# 7: typed `self` attributes (annotations, tf.Variable); a container-named method of one is linked.
# 8: attribute types read from every method first; typed calls take their overrides' effects.
ANALYZER_VERSION = "8"


@dataclass(slots=True)
class ArgDesc:
    """An argument at a call site: its taint, what Python value it is, and where it lives."""

    taint: Taint
    kind: ArgKind
    origin: str  # local, param:NAME, self, global:NAME, closure:SCOPE:NAME, unknown
    text: str  # short source text, for messages


class TargetKind(Enum):
    FUNCTION = "function"  # a function or class by qualified name
    METHOD = "method"  # a method looked up through the class and its bases
    SUPER_METHOD = "super_method"  # `super().METHOD`: looked up in the bases only


# Frozen without slots: a frozen slotted dataclass unpickles through a Python `__setstate__`,
# which made reading summaries from the cache measurably slower.
@dataclass(frozen=True)
class CallTarget:
    """What a call names, before the linker knows the whole project."""

    kind: TargetKind
    name: str  # the function or class's qualified name; for methods, the class's
    method: str = ""

    @classmethod
    def function(cls, qualified: str) -> CallTarget:
        return cls(TargetKind.FUNCTION, qualified)

    @classmethod
    def method_of(cls, owner: str, method: str, *, skip_owner: bool = False) -> CallTarget:
        kind = TargetKind.SUPER_METHOD if skip_owner else TargetKind.METHOD
        return cls(kind, owner, method)

    @property
    def result_ref(self) -> str:
        """How the call's result names where it came from (`Val.ref` of a `callres`).

        A method's result is `CLASS:METHOD`: never a class, so a method called on it stays
        unresolved, as it must, while its text still tells results of different calls apart.
        """
        if self.kind is TargetKind.FUNCTION:
            return self.name
        return f"{self.name}:{self.method}"


@dataclass(slots=True)
class CallRec:
    """A call (or a function passed as a value) inside a function body."""

    line: int
    target: CallTarget
    text: str
    args: list[ArgDesc]
    kwargs: dict[str, ArgDesc]
    receiver: str  # origin of the bound receiver for method calls, "" otherwise
    starred: bool = False  # *args or **kwargs at the call site: mapping is incomplete
    is_ref: bool = False  # passed as a callback rather than called here


@dataclass(slots=True)
class LocalFinding:
    """A finding inside one body. It holds when `cond` is empty or evaluates to a tensor."""

    code: str
    message: str
    line: int
    cond: Taint = NO_TAINT
    subject: str = ""  # param NAME for TH121, scope for closure TH112/TH123


@dataclass(slots=True)
class ParamSummary:
    name: str
    kind: ParamKind
    default: str | None
    default_kind: str
    annotation: str | None
    hint_tensor: bool
    reads_static_axes: bool = False
    tf_use: str = ""  # evidence that the parameter flows into a TensorFlow API


@dataclass(slots=True)
class FuncSummary:
    """One function's local facts (`<module>` holds the module-level statements)."""

    qualname: str
    line: int
    first_line: int
    end_line: int
    is_async: bool
    is_generator: bool
    class_name: str  # qualified class for methods, "" otherwise
    is_static: bool
    params: list[ParamSummary]
    hybrid: HybridFacts | None = None
    once_only: bool = False  # decorated to run once (per instance for methods): `@snt.once`
    findings: list[LocalFinding] = field(default_factory=list)
    calls: list[CallRec] = field(default_factory=list)
    returns: Taint = NO_TAINT
    tf_ops: str = ""  # evidence of a direct TensorFlow operation
    tensor_ops: Taint = NO_TAINT  # arithmetic etc. that is a tensor op when this is a tensor
    opaque_calls: list[str] = field(default_factory=list)  # unresolved calls with tensors
    global_writes: list[tuple[str, Taint, int]] = field(default_factory=list)
    global_reads: list[tuple[str, int]] = field(default_factory=list)
    setup_lines: list[int] = field(default_factory=list)  # variables created once, as set-up
    unknowns: list[str] = field(default_factory=list)
    #: "@LINE" when an earlier def in the file has the same qualname (if/else alternatives, a
    #: property's getter before its setter, `@overload` stubs): the later def, the one a call
    #: by name reaches, keeps the plain key.
    key_suffix: str = ""
    #: Why it can never be a candidate, e.g. a typing stub ("an `@overload` stub"); "" otherwise.
    stub: str = ""


@dataclass(slots=True)
class ClassSummary:
    qualname: str  # qualified: module.Class
    bases: list[str]  # qualified names as far as imports resolve them
    methods: list[str]
    attr_types: dict[str, str]  # self.NAME = Class(...) in any method


@dataclass(slots=True)
class ModuleSummary:
    path: str
    module: str
    is_package: bool
    lines: int
    functions: list[FuncSummary] = field(default_factory=list)
    classes: list[ClassSummary] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # module-level imports, for re-exports
    defined: dict[str, str] = field(default_factory=dict)  # name -> local qualname (defs, classes)
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)  # empty set: all
    warnings: list[SourceWarning] = field(default_factory=list)
    higher_order: list[tuple[str, HybridFacts]] = field(default_factory=list)  # target, facts


def func_key(module: str, fs: FuncSummary) -> str:
    """The function's identity in the linked project: `module.qualname`, unique per def."""
    return f"{module}.{fs.qualname}{fs.key_suffix}"
