"""Merge the run folders of CI shards into one run, decided once over all their evidence."""

from __future__ import annotations

from tracehybrid.shards.folder import ShardRun, read_shards
from tracehybrid.shards.merge import MergeOutcome, merge_runs

__all__ = ["MergeOutcome", "ShardRun", "merge_runs", "read_shards"]
