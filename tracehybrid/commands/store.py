"""`tracehybrid combine` and `tracehybrid debug store`: merge and inspect trace stores."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracehybrid.config import Config, load_config
from tracehybrid.errors import ExitCode, NoSourceError
from tracehybrid.runfolder import FolderLock
from tracehybrid.runtime.launcher import combine, describe_store
from tracehybrid.store.combine import combine_files
from tracehybrid.store.schema import COMBINED_STORE_NAME
from tracehybrid.workspace import find_project_root


def _project_config() -> Config:
    return load_config(find_project_root(Path.cwd()))


def _default_out_dir() -> Path:
    config = _project_config()
    return config.root / config.output_dir


def do_combine(args: argparse.Namespace) -> int:
    """Merge per-process stores (a run's folder, or explicit files from CI shards)."""
    if args.stores:
        missing = [p for p in args.stores if not p.is_file()]
        if missing:
            raise NoSourceError(f"{missing[0]}: no such store file")
        dest = (args.out or _default_out_dir()) / COMBINED_STORE_NAME
        dest.parent.mkdir(parents=True, exist_ok=True)
        path = combine_files(list(args.stores), dest)
    else:
        out_dir = args.out or _default_out_dir()
        if not out_dir.is_dir():
            raise NoSourceError(f"{out_dir}: no such folder; run `tracehybrid run` first")
        # --keep-stores or the config say keep; otherwise (None) TRACEHYBRID_KEEP_STORES decides.
        keep_stores = True if args.keep_stores or _project_config().keep_stores else None
        with FolderLock(out_dir):  # never merge the stores of a run still writing them
            path = combine(out_dir, keep_stores=keep_stores)
    print(f"combined store: {path}")
    return ExitCode.OK


def do_debug(args: argparse.Namespace) -> int:
    """Print what a store holds, for people and for bug reports."""
    path: Path = args.path or (_default_out_dir() / COMBINED_STORE_NAME)
    if not path.is_file():
        raise NoSourceError(f"{path}: no such store; run `tracehybrid run` first")
    print(describe_store(path))
    return ExitCode.OK
