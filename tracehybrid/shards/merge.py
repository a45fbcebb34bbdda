"""`tracehybrid combine SHARD...`: the shards' run folders merged and decided once, as one run."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.config import Config
from tracehybrid.contract import PhaseTimes, write_json_atomically
from tracehybrid.progress import StageProgress
from tracehybrid.report.outputs import write_reports
from tracehybrid.runfolder import RunFolder
from tracehybrid.session import RUN_RECORD_FORMAT, rebuild_results
from tracehybrid.shards.consistency import check_one_run
from tracehybrid.shards.folder import FunctionKey, ShardRun, read_shards
from tracehybrid.shards.proofs import ShardEvidence, merge_proofs, shard_evidence
from tracehybrid.shards.stores import merge_shard_stores
from tracehybrid.workspace import RunDir


@dataclass(frozen=True)
class MergeOutcome:
    """What the merge wrote (paths once published) and where shards decided otherwise."""

    written: dict[str, Path]
    differences: list[str]  # one line per function a shard decided otherwise than the merge


def merge_runs(
    config: Config,
    paths: list[Path],
    out: RunDir,
    progress: StageProgress,
    *,
    keep_stores: bool = False,
) -> MergeOutcome:
    """Merge the runs in PATHS into OUT: the union of their evidence decided once.

    Every check runs before anything is written; the merged run is staged and replaces what OUT
    held only once complete, so a failed merge loses nothing.
    """
    progress.stage(f"reading {len(paths)} shard runs")
    shards = read_shards(paths)
    root = str(config.root.resolve())
    check_one_run(shards, config.root.resolve(), out.path)
    config = dataclasses.replace(config, output_dir=str(out.path.resolve()))
    clock = PhaseTimes()
    with RunFolder(out.resolved()) as folder:
        stage = folder.stage
        with clock.phase("combine"):
            progress.stage("combining the shards' trace stores")
            merge_shard_stores(shards, root, stage, keep_copies=keep_stores)
            evidence = shard_evidence(shards)
            proof = merge_proofs(shards, root, evidence)
            if proof is not None:
                write_json_atomically(stage.proof, proof)
            _write_run_record(stage, shards)
        with clock.phase("results"):
            progress.stage("deciding over every shard's evidence")
            document = rebuild_results(config, stage)
            differences = annotate(document, shards, evidence)
        document["timings"] = clock.to_json()
        results = write_json_atomically(stage.results, document)
        progress.stage("writing the reports")
        written = write_reports(results, stage.path)
        folder.publish()
        return MergeOutcome({k: folder.final_path(p) for k, p in written.items()}, differences)


def _write_run_record(stage: RunDir, shards: list[ShardRun]) -> None:
    """run.json of the merged run: the first shard's command, the shards' seconds added up, and
    the first failing exit code (the suite failed if any part of it did)."""
    codes = [int(shard.record["exit_code"]) for shard in shards]
    record = {
        "format": RUN_RECORD_FORMAT,
        "test_command": shards[0].command,
        "exit_code": next((code for code in codes if code), 0),
        "wall_s": sum(float(shard.record["wall_s"]) for shard in shards),
        "shards": [str(shard.run_dir.path) for shard in shards],
    }
    stage.run_record.write_text(json.dumps(record, indent=1), encoding="utf-8")


def annotate(
    document: dict[str, Any], shards: list[ShardRun], evidence: ShardEvidence
) -> list[str]:
    """Add the shard extras (docs/results-extras.md) to DOCUMENT; return one line per function
    whose merged verdict differs from a shard's own."""
    document["shards"] = [_shard_entry(shard) for shard in shards]
    differences = []
    for entry in document["functions"]:
        key: FunctionKey = (entry["path"], entry["qualname"], int(entry["line"]))
        local = evidence.local.get(key, {})
        differs = sorted(index for index, verdict in local.items() if verdict != entry["verdict"])
        called, proved = evidence.called.get(key, []), evidence.proved.get(key, [])
        unproven = [i for i in called if i not in proved] if _left_unproven(entry) else []
        if _left_unproven(entry) and called and not unproven:
            # Every caller proved it, in the form its own calls proposed: not the merged one.
            proved, unproven = [], list(called)
        entry["shards"] = {
            "called": called,
            "proved": proved,
            "local_verdicts": {str(index): verdict for index, verdict in sorted(local.items())},
            "differs": differs,
            "unproven": unproven,
        }
        where = f"{entry['path']}:{entry['line']} {entry['qualname']}"
        if differs:
            which = ", ".join(f"{local[i]} in shard {i}" for i in differs)
            differences.append(f"{where}: {entry['verdict']} over all shards, {which}")
        if unproven:
            which = ", ".join(str(i) for i in unproven)
            differences.append(
                f"{where}: {entry['refactoring']} over all shards, but shard {which} called it "
                "without proving it (its own evidence proposed nothing): two-stage mode, docs/ci.md"
            )
    return differences


def _left_unproven(entry: dict[str, Any]) -> bool:
    """Proposed over all shards, rejected only for want of a proof (TH210 from the graph run)."""
    reasons = entry.get("reasons", [])
    return entry.get("refactoring") is not None and any(
        r.get("code") == "TH210" and r.get("evidence") == "measurement" for r in reasons
    )


def _shard_entry(shard: ShardRun) -> dict[str, Any]:
    eager = shard.results.get("runs", {}).get("eager", {})
    return {
        "index": shard.index,
        "path": str(shard.run_dir.path),
        "test_command": shard.command,
        "exit_code": int(shard.record["exit_code"]),
        "wall_s": round(float(shard.record["wall_s"]), 3),
        "tests": sum(
            int(eager.get(k, 0)) for k in ("tests_passed", "tests_failed", "tests_skipped")
        ),
        "proved": shard.proof is not None,
    }
