"""Two-stage mode's second stage: the candidates a merged stage-1 run decided, for one shard.

Stage 1 traces every shard (`tracehybrid run --no-graph`) and `tracehybrid combine` decides the
candidates over the union of their calls. In stage 2 each shard runs `tracehybrid run
--candidates-from MERGED` and proves exactly those candidates (the ones its tests call), so the
final merge finds every candidate proven by every shard that called it.
"""

from __future__ import annotations

from pathlib import Path

from tracehybrid.errors import DataError, NoSourceError
from tracehybrid.shards.consistency import check_checkout
from tracehybrid.shards.folder import read_shard
from tracehybrid.shards.stores import rerooted_copy

#: The copy of the merged store a stage-2 run reads its candidates from (removed after the run).
EVIDENCE_NAME = "stage1-evidence.db"


def candidate_evidence(merged: Path, root: Path, scratch: Path) -> Path:
    """The merged stage-1 run in MERGED (its folder or the project around it) as a trace store
    under SCRATCH with this checkout's paths; one line when it is no complete run or was made
    from other source than the checkout at ROOT."""
    try:
        run = read_shard(merged, 1)
    except (NoSourceError, DataError) as exc:
        message = str(exc).replace("shard 1: ", "").replace("shard 1 ", "")
        raise type(exc)(f"--candidates-from: {message}") from None
    if not run.record.get("shards"):
        raise DataError(
            f"--candidates-from {merged}: not a merged run; give the folder `tracehybrid combine` "
            "wrote over the stage-1 shards"
        )
    check_checkout(run, root)
    return rerooted_copy(
        run.run_dir.combined_store, run.root, str(root.resolve()), scratch / EVIDENCE_NAME
    )
