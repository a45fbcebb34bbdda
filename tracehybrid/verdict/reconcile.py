"""Join static facts and runtime facts into a proposal per candidate: what to change, or why not."""

from __future__ import annotations

from tracehybrid.config import Config
from tracehybrid.static.model import FunctionFacts
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict.evidence import FunctionEvidence
from tracehybrid.verdict.model import CandidateSource, Proposal
from tracehybrid.verdict.rules import eager_proposal, hybrid_proposal


def reconcile(
    functions: list[FunctionFacts],
    runtime: dict[tuple[str, str, int], CandidateFacts],
    config: Config,
) -> list[Proposal]:
    """A proposal for every candidate, in the order static analysis listed them.

    A candidate is a static one, or a function static analysis could not type (`promotable`)
    that the tests called with a tensor: runtime evidence promotes it, and every static finding
    about it still counts. A conversion goes on to the graph-mode proof only when static
    analysis finds no blocking precondition, passing tests called the function eagerly with no
    blocking effect, the predicted traces stay within `max_traces`, and the two sources of
    evidence agree.
    """
    root = config.root.resolve()
    # Variables created as set-up (in a Keras build, a `@once` method, under a lazy guard): the
    # run sees them created, by whichever function called the set-up first.
    setup = {(str(root / fn.path), line) for fn in functions for line in fn.setup_lines}
    proposals = []
    for fn in functions:
        if not fn.watched:
            continue
        fact = runtime.get((str(root / fn.path), fn.qualname, fn.first_line))
        evidence = FunctionEvidence(fn, fact, config, frozenset(setup))
        source = candidate_source(evidence)
        if source is None:
            continue
        rule = hybrid_proposal if fn.kind == "hybrid" else eager_proposal
        proposal = rule(evidence)
        proposal.source = source
        proposals.append(proposal)
    return proposals


def candidate_source(evidence: FunctionEvidence) -> CandidateSource | None:
    """Which evidence makes the function a candidate; None when none does (an untyped
    function the tests never passed a tensor stays out, as static analysis left it)."""
    saw_tensors = bool(evidence.runtime_saw_tensors())
    if not evidence.fn.is_candidate:
        return "runtime" if saw_tensors else None
    return "both" if saw_tensors else "static"
