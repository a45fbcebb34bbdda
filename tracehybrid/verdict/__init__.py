"""Verdicts in one place: proposals (static x runtime), the speed rule, and the final decision."""

from __future__ import annotations

from tracehybrid.verdict.decide import Decision, decide
from tracehybrid.verdict.model import Proposal, Reason
from tracehybrid.verdict.proofview import ProofView
from tracehybrid.verdict.reconcile import reconcile
from tracehybrid.verdict.speed import SpeedFinding, judge_speed

__all__ = [
    "Decision",
    "ProofView",
    "Proposal",
    "Reason",
    "SpeedFinding",
    "decide",
    "judge_speed",
    "reconcile",
]
