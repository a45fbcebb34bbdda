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
from tracehybrid.apply.transform import transform_source

__all__ = [
    "Edit",
    "EditKind",
    "Failure",
    "FunctionTarget",
    "Skip",
    "Success",
    "TransformResult",
    "transform_source",
]
