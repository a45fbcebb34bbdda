"""The controller's side of tracing: run a command traced, then merge its stores and predictions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tracehybrid.child_process import run_child
from tracehybrid.errors import TestCommandError
from tracehybrid.runtime.bootstrap import SITE_DIR
from tracehybrid.runtime.candidates import CANDIDATES_ENV, OUT_DIR_ENV
from tracehybrid.store.combine import merge_stores, process_stores
from tracehybrid.store.schema import COMBINED_STORE_NAME
from tracehybrid.store.writer import remove_store, replace_predictions
from tracehybrid.tracekeys.replay import replay_prediction
from tracehybrid.tracekeys.rows import Replayer, combined_rows

__all__ = [
    "KEEP_STORES_ENV",
    "check_command",
    "combine",
    "combine_dir",
    "combine_files",
    "keep_stores_requested",
    "prepend_path",
    "run_traced",
    "traced_environment",
]

PLUGIN_MODULE = "tracehybrid.runtime.pytest_plugin"
# Set to 1 to keep the per-process stores once they are combined into trace.db (for bug reports,
# or to combine them again with CI shards), as `--keep-stores` and `keep-stores = true` do.
KEEP_STORES_ENV = "TRACEHYBRID_KEEP_STORES"


def prepend_path(value: str, existing: str | None, sep: str) -> str:
    """`value` first in a separated list (PYTHONPATH, PYTEST_PLUGINS), without duplicates."""
    parts = [value, *(p for p in (existing or "").split(sep) if p and p != value)]
    return sep.join(parts)


def traced_environment(candidates_file: Path, out_dir: Path) -> dict[str, str]:
    """The environment that makes every Python process (and every pytest) of CMD trace itself."""
    env = dict(os.environ)
    env[CANDIDATES_ENV] = str(candidates_file.resolve())
    env[OUT_DIR_ENV] = str(out_dir.resolve())
    env["PYTHONPATH"] = prepend_path(SITE_DIR, env.get("PYTHONPATH"), os.pathsep)
    env["PYTEST_PLUGINS"] = prepend_path(PLUGIN_MODULE, env.get("PYTEST_PLUGINS"), ",")
    return env


def _clear_old_stores(out_dir: Path) -> None:
    for path in process_stores(out_dir):
        remove_store(path)


def keep_stores_requested() -> bool:
    """True when the user asked to keep the per-process stores (KEEP_STORES_ENV set, not 0)."""
    return os.environ.get(KEEP_STORES_ENV, "").strip().lower() not in {"", "0", "false", "no"}


def check_command(cmd: list[str]) -> None:
    """Raise TestCommandError (one line) unless CMD names something that can be started."""
    if not cmd:
        raise TestCommandError("no command to run after `--`")
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).is_file():
        raise TestCommandError(f"{cmd[0]}: command not found")


def run_traced(cmd: list[str], candidates_file: Path, out_dir: Path) -> int:
    """Run CMD traced; its output and exit code pass through unchanged. Returns the exit code.

    Raises TestCommandError (one line) when CMD cannot be started, and InterruptedRunError when
    tracehybrid is sent SIGINT or SIGTERM: the signal reaches CMD too, which gets a few seconds
    to shut down before it is killed (see tracehybrid.child_process).
    """
    check_command(cmd)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_old_stores(out_dir)
    return run_child(cmd, env=traced_environment(candidates_file, out_dir))


def combine(out_dir: Path, *, keep_stores: bool | None = None) -> Path:
    """Merge the per-process stores of a run into `out_dir/trace.db` and return its path.

    Like `coverage combine`, the merged stores are then removed: trace.db holds all they held,
    and a run's folder should not grow by a store per process. KEEP_STORES (by default: whether
    KEEP_STORES_ENV is set) keeps them. A failed merge removes nothing.
    """
    stores = process_stores(out_dir)
    path = combine_files(stores, out_dir / COMBINED_STORE_NAME)
    if not (keep_stores_requested() if keep_stores is None else keep_stores):
        for store in stores:
            remove_store(store)
    return path


def combine_files(sources: list[Path], dest: Path, replayer: Replayer = replay_prediction) -> Path:
    """Merge `sources` into `dest`, then predict trace keys once over all their samples.

    Both steps write a staging file that replaces `dest` only when complete, so no reader ever
    sees a combined store without its combined predictions. `replayer`: tests pass their own.
    """
    staging = dest.with_name(f"{dest.name}.staging-{os.getpid()}")
    try:
        replays = merge_stores(sources, staging)
        replace_predictions(staging, combined_rows(replays, replayer))
        staging.replace(dest)
    finally:
        remove_store(staging)  # a failed step's leftovers; after the rename, only -wal and -shm
    return dest


def combine_dir(out_dir: Path) -> Path:
    """Merge every process store in `out_dir` into `out_dir/trace.db`; inputs are kept."""
    return combine_files(process_stores(out_dir), out_dir / COMBINED_STORE_NAME)
