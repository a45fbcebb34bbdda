"""`tracehybrid apply`: libcst codemods for approved refactorings, and safe file writing."""

from __future__ import annotations

from tracehybrid.apply.edits import (
    Edit,
    EditKind,
    Failure,
    FunctionTarget,
    Skip,
    Success,
    TransformResult,
)
from tracehybrid.apply.runner import ApplyReport, FileOutcome, FileStatus, apply_edits
from tracehybrid.apply.transform import transform_source
from tracehybrid.apply.writer import write_atomically

__all__ = [
    "ApplyReport",
    "Edit",
    "EditKind",
    "Failure",
    "FileOutcome",
    "FileStatus",
    "FunctionTarget",
    "Skip",
    "Success",
    "TransformResult",
    "apply_edits",
    "transform_source",
    "write_atomically",
]
