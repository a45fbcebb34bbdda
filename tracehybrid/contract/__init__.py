"""results.json, the promise to `report`, `apply` and outside tools: version, reader, writer."""

from __future__ import annotations

from tracehybrid.contract.reader import (
    MissingResultsError,
    check_complete,
    parse_results,
    read_results,
)
from tracehybrid.contract.records import (
    FORMAT_VERSION,
    EffectRecord,
    EntryProblem,
    Evidence,
    FunctionKind,
    FunctionResult,
    PatchRecord,
    ReasonRecord,
    Refactoring,
    Results,
    RunRecord,
    RuntimeRecord,
    SignatureRecord,
    Speedup,
    SuiteRecord,
    TraceCounts,
    UnreadableFile,
    Verdict,
)
from tracehybrid.contract.timings import (
    PHASES,
    RERUN_KINDS,
    PhaseTimes,
    RerunTally,
    SuiteRunTime,
    read_timings,
)
from tracehybrid.contract.writer import write_json_atomically

__all__ = [
    "FORMAT_VERSION",
    "PHASES",
    "RERUN_KINDS",
    "EffectRecord",
    "EntryProblem",
    "Evidence",
    "FunctionKind",
    "FunctionResult",
    "MissingResultsError",
    "PatchRecord",
    "PhaseTimes",
    "ReasonRecord",
    "Refactoring",
    "RerunTally",
    "Results",
    "RunRecord",
    "RuntimeRecord",
    "SignatureRecord",
    "Speedup",
    "SuiteRecord",
    "SuiteRunTime",
    "TraceCounts",
    "UnreadableFile",
    "Verdict",
    "check_complete",
    "parse_results",
    "read_results",
    "read_timings",
    "write_json_atomically",
]
