"""The results document: final verdicts from proposals and the proof, with each patch's preview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracehybrid.apply.preview import PatchPreviewer
from tracehybrid.config import Config
from tracehybrid.contract import FORMAT_VERSION
from tracehybrid.measure.suite_run import contract_run
from tracehybrid.measure.targets import target_key
from tracehybrid.results.document import (
    file_hashes,
    function_entry,
    patch_preview,
    summary,
    tool,
)
from tracehybrid.results.storeviews import StoreViews
from tracehybrid.static.model import SourceWarning
from tracehybrid.store.reader import CandidateFacts
from tracehybrid.verdict import Decision, ProofView, Proposal, decide

__all__ = ["TracedRun", "build_results", "decide_proposal", "proposal_key"]


@dataclass(frozen=True)
class TracedRun:
    """The eager (traced) run: the command, its exit code and wall time, and its store views."""

    cmd: list[str]
    exit_code: int
    wall_s: float
    views: StoreViews
    runtime: dict[tuple[str, str, int], CandidateFacts]


def proposal_key(config: Config, proposal: Proposal) -> str:
    """The key of PROPOSAL's proof target, as the graph runs key it (`Target.key`)."""
    fn = proposal.fn
    return target_key(str(config.root.resolve() / fn.path), fn.first_line, fn.qualname)


def decide_proposal(
    config: Config, proposal: Proposal, proof: ProofView | None, views: StoreViews
) -> Decision:
    """The verdict on PROPOSAL, as results.json states it: its proof target found by the key
    the graph runs use, its eager calls from the traced run."""
    fn = proposal.fn
    path = str(config.root.resolve() / fn.path)
    eager_calls = views.eager_call_s.get((path, fn.qualname, fn.first_line), [])
    return decide(proposal, proof, proposal_key(config, proposal), eager_calls, config)


def build_results(
    config: Config,
    proposals: list[Proposal],
    traced: TracedRun,
    proof: ProofView | None,
    unreadable: Sequence[SourceWarning] = (),
) -> tuple[dict[str, Any], list[Decision]]:
    """The results document and the decisions behind it; UNREADABLE: the files static analysis
    could not parse or decode (the `unreadable_files` extra, present when there are some)."""
    root = config.root.resolve()
    decisions, entries = [], []
    previewer = PatchPreviewer(root)  # each file parsed once for all its previews
    for proposal in proposals:
        fn = proposal.fn
        key = (str(root / fn.path), fn.qualname, fn.first_line)
        decision = decide_proposal(config, proposal, proof, traced.views)
        decisions.append(decision)
        entry = function_entry(decision, traced.runtime.get(key), traced.views, key)
        diff = patch_preview(decision, previewer)
        if diff is not None:
            entry["patch"]["diff"] = diff
        entries.append(entry)
    eager_run = contract_run(traced.views.outcomes, traced.exit_code, traced.wall_s)
    graph_run = proof.graph_run if proof else None
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "tool": tool(),
        "project_root": str(root),
        "test_command": list(traced.cmd),
        "runs": {"eager": eager_run, "graph": graph_run},
        "functions": entries,
        "summary": summary(decisions, entries),
        "files": file_hashes(root, {p.fn.path for p in proposals}),
    }
    if unreadable:
        document["unreadable_files"] = [warning.to_dict() for warning in unreadable]
    # A graph run that left out tests is no whole-suite time to set against the traced run.
    if proof is not None and eager_run["wall_s"] > 0 and proof.graph_whole_suite:
        graph_wall = round(proof.graph_wall_s, 3)  # as proof.json keeps it
        document["suite"] = {
            "eager_wall_s": eager_run["wall_s"],
            "graph_wall_s": round(graph_wall, 3),
            "ratio": round(eager_run["wall_s"] / graph_wall, 4) if graph_wall > 0 else None,
            "note": "eager: the traced run; graph: the final graph-mode run, tracing included",
        }
    return document, decisions
