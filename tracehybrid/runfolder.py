"""The output folder of a run: one run at a time, and results replaced only by a complete run.

A run holds an exclusive lock on `<out>/.lock` (RunDir.lock) while it lives, so a second run in
the same folder stops at once, naming the first, instead of mixing its processes and stores into
the first's. It writes everything into a stage folder `<out>/.run-<pid>/` (RunDir.stage) and,
only once it has finished, moves its files over the previous run's (`publish`). A run that
fails, is interrupted or cannot start its command leaves the previous results.json, report.html
and trace.db as they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path
from types import TracebackType

from tracehybrid.errors import FolderBusyError
from tracehybrid.workspace import RunDir, is_leftover, is_run_product

__all__ = ["FolderLock", "RunFolder"]


class RunFolder:
    """Lock RUN_DIR, stage a run in it, and publish the run's products over the previous run's;
    results.json goes in last, so whoever sees it sees the rest."""

    def __init__(self, run_dir: RunDir) -> None:
        self.run_dir = run_dir
        self.stage = run_dir.stage()
        self._lock = FolderLock(run_dir)

    def __enter__(self) -> RunFolder:
        self._lock.__enter__()
        try:
            self._remove_leftovers()
            self.stage.path.mkdir()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            shutil.rmtree(self.stage.path, ignore_errors=True)  # what an unpublished run wrote
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def final_path(self, staged: Path) -> Path:
        """Where a file written into the stage is once published."""
        return self.run_dir.path / staged.relative_to(self.stage.path)

    def publish(self) -> None:
        """Move the staged run over the previous one; products it did not make are removed."""
        trash = self.run_dir.trash()
        trash.mkdir(exist_ok=True)
        last = self.stage.results.name
        staged = sorted(self.stage.path.iterdir(), key=lambda p: (p.name == last, p.name))
        for entry in staged:
            dest = self.run_dir.path / entry.name
            if dest.is_dir() and not dest.is_symlink():  # os.replace cannot replace a folder
                dest.rename(trash / entry.name)
            entry.replace(dest)
        names = {entry.name for entry in staged}
        for old in self.run_dir.path.iterdir():
            if old.name not in names and is_run_product(old.name):
                old.rename(trash / old.name)
        shutil.rmtree(trash, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Stage and trash folders of runs that were killed: the lock says none is running."""
        for entry in self.run_dir.path.iterdir():
            if is_leftover(entry.name) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)


class FolderLock:
    """An exclusive lock on the output folder's lock file for as long as the `with` block runs.

    A second holder is refused at once with FolderBusyError, naming the pid, command and start
    time of the one that holds it. flock is released by the kernel when the process dies, so a
    killed run never leaves the folder locked.
    """

    def __init__(self, run_dir: RunDir) -> None:
        self.run_dir = run_dir
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        self.run_dir.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.run_dir.lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise FolderBusyError(
                f"{self.run_dir.path} is in use by another run ({holder}); "
                "wait for it to finish, or give --out DIR"
            ) from None
        except OSError:  # a file system without locks (some NFS): run unlocked, as before
            os.close(fd)
            return self
        self._fd = fd
        _write_holder(fd)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def _write_holder(fd: int) -> None:
    """Who holds the lock, for the message a second run prints."""
    record = {
        "pid": os.getpid(),
        "command": shlex.join(["tracehybrid", *sys.argv[1:]]),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)


def _read_holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        record = json.loads(os.pread(fd, 4096, 0))
        return f"pid {record['pid']}, `{record['command']}`, started {record['started']}"
    return "its details are not written yet"
