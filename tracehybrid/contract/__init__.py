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
from tracehybrid.contract.writer import write_json_atomically

__all__ = [
    "FORMAT_VERSION",
    "EffectRecord",
    "EntryProblem",
    "Evidence",
    "FunctionKind",
    "FunctionResult",
    "MissingResultsError",
    "PatchRecord",
    "ReasonRecord",
    "Refactoring",
    "Results",
    "RunRecord",
    "RuntimeRecord",
    "SignatureRecord",
    "Speedup",
    "SuiteRecord",
    "TraceCounts",
    "UnreadableFile",
    "Verdict",
    "check_complete",
    "parse_results",
    "read_results",
    "write_json_atomically",
]
