"""`tracehybrid combine` and `tracehybrid debug store`: merge and inspect trace stores."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracehybrid.config import Config, load_config
from tracehybrid.errors import ExitCode, NoSourceError
from tracehybrid.launcher import combine, combine_files
from tracehybrid.runfolder import FolderLock
from tracehybrid.store.describe import describe_store
from tracehybrid.workspace import RunDir, find_project_root


def _project_config() -> Config:
    return load_config(find_project_root(Path.cwd()))


def do_combine(args: argparse.Namespace) -> int:
    """Merge per-process stores (a run's folder, or explicit files from CI shards)."""
    if args.stores:
        missing = [p for p in args.stores if not p.is_file()]
        if missing:
            raise NoSourceError(f"{missing[0]}: no such store file")
        dest = RunDir.of(_project_config(), args.out).combined_store
        dest.parent.mkdir(parents=True, exist_ok=True)
        path = combine_files(list(args.stores), dest)
    else:
        config = _project_config()
        run_dir = RunDir.of(config, args.out)
        if not run_dir.path.is_dir():
            raise NoSourceError(f"{run_dir.path}: no such folder; run `tracehybrid run` first")
        # --keep-stores or the config say keep; otherwise (None) TRACEHYBRID_KEEP_STORES decides.
        keep_stores = True if args.keep_stores or config.keep_stores else None
        with FolderLock(run_dir):  # never merge the stores of a run still writing them
            path = combine(run_dir.path, keep_stores=keep_stores)
    print(f"combined store: {path}")
    return ExitCode.OK


def do_debug(args: argparse.Namespace) -> int:
    """Print what a store holds, for people and for bug reports."""
    path: Path = args.path or RunDir.of(_project_config()).combined_store
    if not path.is_file():
        raise NoSourceError(f"{path}: no such store; run `tracehybrid run` first")
    print(describe_store(path))
    return ExitCode.OK
