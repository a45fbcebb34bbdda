"""What `tracehybrid run`, `combine` and `debug store` call: run traced, merge, describe."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

from tracehybrid.errors import TestCommandError
from tracehybrid.runtime.bootstrap import SITE_DIR
from tracehybrid.runtime.candidates import CANDIDATES_ENV, OUT_DIR_ENV
from tracehybrid.store.combine import combine_dir, process_stores
from tracehybrid.store.describe import describe_store

__all__ = [
    "check_command",
    "combine",
    "describe_store",
    "prepend_path",
    "run_traced",
    "traced_environment",
]

PLUGIN_MODULE = "tracehybrid.runtime.pytest_plugin"


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
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            name.unlink(missing_ok=True)


def check_command(cmd: list[str]) -> None:
    """Raise TestCommandError (one line) unless CMD names something that can be started."""
    if not cmd:
        raise TestCommandError("no command to run after `--`")
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).is_file():
        raise TestCommandError(f"{cmd[0]}: command not found")


def run_traced(cmd: list[str], candidates_file: Path, out_dir: Path) -> int:
    """Run CMD traced; its output and exit code pass through unchanged. Returns the exit code.

    Raises TestCommandError (one line) when CMD cannot be started. Ctrl-C reaches CMD, which
    shuts down (pytest flushes its stores); this process waits for it instead of killing it.
    """
    check_command(cmd)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_old_stores(out_dir)
    try:
        process = subprocess.Popen(cmd, env=traced_environment(candidates_file, out_dir))
    except OSError as exc:
        raise TestCommandError(f"{cmd[0]}: {exc.strerror or exc}") from None
    if threading.current_thread() is not threading.main_thread():
        return process.wait()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def combine(out_dir: Path) -> Path:
    """Merge the per-process stores of a run into `out_dir/trace.db` and return its path."""
    return combine_dir(out_dir)
