"""What `tracehybrid run`, `combine` and `debug store` call: run traced, merge, describe."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tracehybrid.child_process import run_child
from tracehybrid.errors import TestCommandError
from tracehybrid.runtime.bootstrap import SITE_DIR
from tracehybrid.runtime.candidates import CANDIDATES_ENV, OUT_DIR_ENV
from tracehybrid.store.combine import combine_files, process_stores
from tracehybrid.store.describe import describe_store
from tracehybrid.store.schema import COMBINED_STORE_NAME

__all__ = [
    "KEEP_STORES_ENV",
    "check_command",
    "combine",
    "describe_store",
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


def _remove_stores(stores: list[Path]) -> None:
    for path in stores:
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            name.unlink(missing_ok=True)


def _clear_old_stores(out_dir: Path) -> None:
    _remove_stores(process_stores(out_dir))


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
        _remove_stores(stores)
    return path
