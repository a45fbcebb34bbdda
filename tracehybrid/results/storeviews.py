"""Per-call evidence read straight from the combined trace store for results.json."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tracehybrid.store.reader import open_store

Key = tuple[str, str, int]  # (abs path, qualname, first_line), as the store keys candidates


@dataclass
class StoreViews:
    """Test outcomes, eager call times and per-signature call counts of one traced run."""

    outcomes: dict[str, str] = field(default_factory=dict)  # nodeid -> outcome
    eager_call_s: dict[Key, list[float]] = field(default_factory=dict)
    signature_calls: dict[Key, list[tuple[str, int]]] = field(default_factory=dict)


def read_views(store: Path) -> StoreViews:
    """Read the three views in one connection."""
    views = StoreViews()
    calls: dict[Key, list[float]] = defaultdict(list)
    signatures: dict[Key, list[tuple[str, int]]] = defaultdict(list)
    with open_store(store) as conn:
        for nodeid, outcome in conn.execute("SELECT nodeid, outcome FROM test WHERE nodeid != ''"):
            views.outcomes[nodeid] = outcome or "unknown"
        query = (
            "SELECT c.path, c.qualname, c.first_line, r.wall_ns FROM call_record r "
            "JOIN candidate c ON c.id = r.candidate_id WHERE r.mode = 'eager' AND r.raised = 0"
        )
        for path, qualname, first_line, wall_ns in conn.execute(query):
            calls[(path, qualname, first_line)].append(wall_ns / 1e9)
        query = (
            "SELECT c.path, c.qualname, c.first_line, s.description, SUM(n.calls) "
            "FROM signature s JOIN candidate c ON c.id = s.candidate_id "
            "JOIN call_count n ON n.candidate_id = s.candidate_id AND n.signature = s.ordinal "
            "WHERE s.ordinal > 0 GROUP BY s.candidate_id, s.ordinal "
            "ORDER BY s.candidate_id, s.ordinal"
        )
        for path, qualname, first_line, description, count in conn.execute(query):
            signatures[(path, qualname, first_line)].append((description, int(count)))
    views.eager_call_s, views.signature_calls = dict(calls), dict(signatures)
    return views
