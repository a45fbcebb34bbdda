"""The verdict's records: a Reason per piece of evidence, a Proposal per candidate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tracehybrid import codes
from tracehybrid.codes import Applicability
from tracehybrid.contract import Evidence, Refactoring, Verdict
from tracehybrid.static.model import FunctionFacts
from tracehybrid.store.reader import CandidateFacts

# The verdict's vocabulary is the results contract's: one definition, read and written alike.
__all__ = [
    "Applicability",
    "CandidateSource",
    "Evidence",
    "Proposal",
    "Reason",
    "Refactoring",
    "Verdict",
]
#: What made a function a candidate: static analysis alone (the tests passed it no tensor, or did
#: not call it), runtime evidence alone (untyped parameters the tests passed tensors), or both.
CandidateSource = Literal["static", "runtime", "both"]
CANDIDATE_SOURCES: tuple[CandidateSource, ...] = ("static", "runtime", "both")


@dataclass(frozen=True)
class Reason:
    """Why a refactoring is rejected, or what an optimize/dehybridize refactoring fixes."""

    code: str
    message: str
    evidence: Evidence
    location: str | None

    @property
    def category(self) -> str:
        """The contract category of the code."""
        return codes.get(self.code).category

    def to_dict(self) -> dict[str, str | None]:
        """The contract's Reason object."""
        return {
            "code": self.code,
            "category": self.category,
            "message": self.message,
            "evidence": self.evidence,
            "location": self.location,
        }


@dataclass
class Proposal:
    """One candidate's proposed refactoring; blockers reject it, fixes say what it repairs."""

    fn: FunctionFacts
    runtime: CandidateFacts | None
    refactoring: Refactoring | None = None
    decorator: str | None = None  # the decorator `apply` would write ("" removes it)
    applicability: Applicability = "unsafe"
    blockers: list[Reason] = field(default_factory=list)
    fixes: list[Reason] = field(default_factory=list)
    source: CandidateSource = "static"

    @property
    def to_prove(self) -> bool:
        """True when it goes on to the graph-mode rerun."""
        return self.refactoring is not None and not self.blockers

    @property
    def reasons(self) -> list[Reason]:
        """Every reason, as results.json lists them."""
        return [*self.blockers, *self.fixes]
