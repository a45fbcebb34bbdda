"""What results.json needs from the graph-mode proof, from a live run or from proof.json."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.errors import DataError
from tracehybrid.measure.proof import ProofResult, TargetProof, read_proof_document
from tracehybrid.measure.targets import Target
from tracehybrid.measure.timing import Timing

# The per-target facts that verdicts read back from proof.json: lists, then counts.
FACT_KEYS = (
    "exceptions",
    "mismatches",
    "not_compared",
    "warnings",
    "trace_calls_s",
    "steady_calls_s",
    "tests",
    "graph_tests",
)
COUNT_KEYS = ("calls", "calls_in_graph", "traces")
#: Counts a proof.json from before they were recorded lacks: absent, not zero.
OPTIONAL_COUNT_KEYS = ("traced_objects", "max_object_traces")


@dataclass(frozen=True)
class ProofView:
    """Per-target proofs keyed by `Target.key`, and the final graph run as a contract Run."""

    targets: dict[str, TargetProof]
    graph_run: dict[str, Any]
    graph_wall_s: float
    graph_whole_suite: bool = True  # False: it left out tests, its wall time is not the suite's

    @classmethod
    def of(cls, proof: ProofResult) -> ProofView:
        """The view of a proof that just ran."""
        graph = proof.graph
        return cls(dict(proof.targets), graph.contract_run(), graph.suite_wall_s, not graph.not_run)

    @classmethod
    def load(cls, path: Path) -> ProofView:
        """Read proof.json back; a missing or foreign file is a one-line DataError."""
        try:
            document = read_proof_document(path)
            targets = {key: _target(item) for key, item in document["targets"].items()}
            graph = document["suite"]["graph"]
            whole = not document["suite"].get("graph_tests_not_run")
            return cls(targets, graph, float(document["suite"]["graph_wall_s"]), whole)
        except OSError as exc:
            raise DataError(f"cannot read the graph-mode proof {path}: {exc.strerror}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{path} is not a tracehybrid proof file: {exc!r}") from exc


def _target(item: dict[str, Any]) -> TargetProof:
    timing = item.get("timing")
    facts: dict[str, Any] = {key: item.get(key, []) for key in FACT_KEYS}
    facts.update({key: int(item.get(key, 0)) for key in COUNT_KEYS})
    facts.update({key: int(item[key]) for key in OPTIONAL_COUNT_KEYS if item.get(key) is not None})
    return TargetProof(
        target=Target.from_json(item["target"]),
        status=str(item["status"]),
        failing_tests=list(item.get("failing_tests", [])),
        facts=facts,
        timing=None if timing is None else Timing.from_json(timing),
        note=str(item.get("note", "")),
        alone_unchecked=[str(t) for t in item.get("alone_unchecked", [])],
    )
