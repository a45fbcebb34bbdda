"""results.json format 1 as typed records: the contract's fields plus the documented extras."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tracehybrid.codes import Applicability
from tracehybrid.contract.timings import PhaseTimes

#: The results.json format this version writes and reads (shared/contract/results-v1.md).
FORMAT_VERSION = 1

Verdict = Literal["approved", "rejected"]
Refactoring = Literal["convert_to_hybrid", "optimize_hybrid", "dehybridize"]
FunctionKind = Literal["eager", "hybrid"]
Evidence = Literal["static", "runtime", "both", "measurement"]


@dataclass(frozen=True)
class ReasonRecord:
    """A contract Reason; `evidence` is kept as written (the report shows what is there)."""

    code: str
    category: str
    message: str
    evidence: str
    location: str | None


@dataclass(frozen=True)
class PatchRecord:
    """What `apply` writes; `diff` (an extra) is apply's own codemod output, relative paths."""

    decorator: str
    applicability: Applicability
    diff: str | None = None


@dataclass(frozen=True)
class Speedup:
    """Steady-state timing of one function, with the documented extras when present."""

    eager_s: float
    graph_s: float
    ratio: float
    spread: tuple[float, float] | None = None
    repeats: int | None = None
    first_call_s: float | None = None
    break_even_calls: float | None = None
    #: Over this test suite, with the traces the graph run counted at their measured cost.
    seconds_saved: float | None = None
    #: Over this test suite, steady state: calls times the per-call saving, tracing left out.
    seconds_saved_steady: float | None = None
    tracing_s: float | None = None  # the counted traces times one trace's cost
    traces_counted: int | None = None


@dataclass(frozen=True)
class TraceCounts:
    """Distinct traces the observed calls produce: plain, `reduce_retracing`, signature; then
    what the graph run counted (extras): traces, objects that traced, the busiest cache."""

    plain: int | None
    reduce_retracing: int | None
    signature: int | None
    observed: int | None = None
    instances: int | None = None
    max_per_instance: int | None = None
    prediction_mismatch: str | None = None

    @property
    def setup_only(self) -> bool:
        """Several objects traced, each once: set-up cost per object, not retracing."""
        return bool(self.instances and self.instances > 1 and self.max_per_instance == 1)


@dataclass(frozen=True)
class SignatureRecord:
    """One observed argument signature and how often it was seen."""

    args: str
    calls: int


@dataclass(frozen=True)
class EffectRecord:
    """An effect seen at run time: its code, where, and under which test."""

    code: str
    location: str | None
    test: str | None


@dataclass(frozen=True)
class RuntimeRecord:
    """`functions[].runtime`: the contract's counts, then the extras (each may be absent)."""

    calls: int = 0
    tests: list[str] = field(default_factory=list)
    distinct_trace_keys: int = 0
    traces: TraceCounts | None = None
    signatures: list[SignatureRecord] = field(default_factory=list)
    retrace_explanations: list[str] = field(default_factory=list)
    effects: list[EffectRecord] = field(default_factory=list)
    graph_only: bool | None = None
    not_run_alone: list[str] = field(default_factory=list)
    output_notes: list[str] = field(default_factory=list)  # differences set aside, and why


@dataclass(frozen=True)
class FunctionResult:
    """One `functions[]` entry; `static` stays free-form, as the contract leaves it."""

    path: str
    qualname: str
    line: int
    kind: str
    refactoring: Refactoring | None
    verdict: Verdict
    reasons: list[ReasonRecord]
    static: dict[str, Any]
    runtime: RuntimeRecord
    speedup: Speedup | None
    patch: PatchRecord | None
    shards: ShardCalls | None = None  # only in the results of merged CI shards


@dataclass(frozen=True)
class ShardCalls:
    """`functions[].shards` of merged CI shards: the shards (1-based) whose traced run called it,
    those whose graph run proved it, and each calling shard's own verdict where it differs."""

    called: list[int]
    proved: list[int]
    local_verdicts: dict[int, str]
    differs: list[int]
    unproven: list[int] = field(default_factory=list)  # called it, proved nothing: stage two


@dataclass(frozen=True)
class EntryProblem:
    """A `functions[]` entry that does not follow the contract: which, why, and whether it was
    meant to be applied (`apply` warns about those; the report refuses the file)."""

    index: int
    message: str
    approved: bool


@dataclass(frozen=True)
class RunRecord:
    """One run of the project's tests (`runs.eager` or `runs.graph`)."""

    exit_code: int
    tests_passed: int
    tests_failed: int
    tests_skipped: int
    wall_s: float


@dataclass(frozen=True)
class SuiteRecord:
    """The `suite` extra: the whole test suite, eager against graph."""

    eager_wall_s: float
    graph_wall_s: float
    ratio: float | None


@dataclass(frozen=True)
class UnreadableFile:
    """A file `run` could not parse or decode: its functions are missing from the results."""

    path: str
    line: int
    message: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Results:
    """A checked results document; `document` is the JSON as read, unknown fields included."""

    document: dict[str, Any]
    tool_version: str
    project_root: str
    test_command: list[str]
    eager_run: RunRecord | None
    graph_run: RunRecord | None
    functions: list[FunctionResult]
    problems: list[EntryProblem]
    summary: dict[str, Any]
    #: The `files` extra, `{relpath: sha256}`; empty when absent or malformed.
    files: dict[str, str]
    suite: SuiteRecord | None
    unreadable_files: list[UnreadableFile]
    #: The `timings` extra: where the run's time went; None when absent or malformed.
    timings: PhaseTimes | None = None
