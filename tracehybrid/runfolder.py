"""The output folder of a run: one run at a time, and results replaced only by a complete run.

A run holds an exclusive lock on `<out>/.lock` while it lives, so a second run in the same folder
stops at once, naming the first, instead of mixing its processes and stores into the first's.
It writes everything into a stage folder `<out>/.run-<pid>/` and, only once it has finished,
moves its files over the previous run's (`publish`). A run that fails, is interrupted or cannot
start its command leaves the previous results.json, report.html and trace.db as they were.
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
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from tracehybrid.errors import FolderBusyError

__all__ = ["LOCK_FILE", "FolderLock", "RunFolder"]

LOCK_FILE = ".lock"
STAGE_PREFIX = ".run-"  # + pid: where a run in progress writes
TRASH_PREFIX = ".old-"  # + pid: the replaced run's files, removed once the new ones are in


class RunFolder:
    """Lock OUT_DIR, stage a run in it, and publish the run's products (names IS_PRODUCT accepts)
    over the previous run's; PUBLISHED_LAST goes in last, so whoever sees it sees the rest."""

    def __init__(
        self, out_dir: Path, is_product: Callable[[str], bool], published_last: str = ""
    ) -> None:
        self.out_dir = out_dir
        self.stage = out_dir / f"{STAGE_PREFIX}{os.getpid()}"
        self._is_product = is_product
        self._published_last = published_last
        self._lock = FolderLock(out_dir)

    def __enter__(self) -> RunFolder:
        self._lock.__enter__()
        try:
            self._remove_leftovers()
            self.stage.mkdir()
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
            shutil.rmtree(self.stage, ignore_errors=True)  # what an unpublished run wrote
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def final_path(self, staged: Path) -> Path:
        """Where a file written into the stage is once published."""
        return self.out_dir / staged.relative_to(self.stage)

    def publish(self) -> None:
        """Move the staged run over the previous one; products it did not make are removed."""
        trash = self.out_dir / f"{TRASH_PREFIX}{os.getpid()}"
        trash.mkdir(exist_ok=True)
        staged = sorted(
            self.stage.iterdir(), key=lambda p: (p.name == self._published_last, p.name)
        )
        for entry in staged:
            dest = self.out_dir / entry.name
            if dest.is_dir() and not dest.is_symlink():  # os.replace cannot replace a folder
                dest.rename(trash / entry.name)
            entry.replace(dest)
        names = {entry.name for entry in staged}
        for old in self.out_dir.iterdir():
            if old.name not in names and self._is_product(old.name):
                old.rename(trash / old.name)
        shutil.rmtree(trash, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Stage and trash folders of runs that were killed: the lock says none is running."""
        for entry in self.out_dir.iterdir():
            if entry.name.startswith((STAGE_PREFIX, TRASH_PREFIX)) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)


class FolderLock:
    """An exclusive lock on `<out>/.lock` for as long as the `with` block runs.

    A second holder is refused at once with FolderBusyError, naming the pid, command and start
    time of the one that holds it. flock is released by the kernel when the process dies, so a
    killed run never leaves the folder locked.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise FolderBusyError(
                f"{self.out_dir} is in use by another run ({holder}); "
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
