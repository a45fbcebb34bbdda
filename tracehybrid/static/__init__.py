"""Static analysis: which functions touch TensorFlow, and what would break them as graphs."""

from __future__ import annotations

from tracehybrid.static.analyzer import AnalysisStats, analyze_project, analyze_source
from tracehybrid.static.model import (
    Finding,
    FunctionFacts,
    HybridFacts,
    ParamFacts,
    ProjectFacts,
    SourceWarning,
    SpecFacts,
    Tri,
)

__all__ = [
    "AnalysisStats",
    "Finding",
    "FunctionFacts",
    "HybridFacts",
    "ParamFacts",
    "ProjectFacts",
    "SourceWarning",
    "SpecFacts",
    "Tri",
    "analyze_project",
    "analyze_source",
]
