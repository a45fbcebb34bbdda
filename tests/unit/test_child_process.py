"""run_child under real signals sent to this very process: children are stopped, then it raises.

The signals are sent while `stopping_children()` holds SIGINT and SIGTERM, so they never reach
pytest's own default handlers.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tracehybrid.child_process import GRACE_S, run_child, stopping_children
from tracehybrid.errors import ExitCode, InterruptedRunError, TestCommandError


def sleeper(ready: Path, *, ignore_sigterm: bool = False) -> list[str]:
    """A child that says it started (writing READY), then sleeps a minute."""
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_sigterm else ""
    code = f"import signal, time; {ignore}open({str(ready)!r}, 'w').close(); time.sleep(60)"
    return [sys.executable, "-c", code]


def wait_for(*paths: Path) -> None:
    deadline = time.monotonic() + 30
    while not all(p.exists() for p in paths):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)


def interrupted_after(signals: list[int], run: Callable[[], int], ready: Path) -> float:
    """Seconds from the first of SIGNALS (sent to this process) until RUN raised."""
    with stopping_children(), ThreadPoolExecutor(1) as pool:
        future: Future[int] = pool.submit(run)
        wait_for(ready)
        started = time.monotonic()
        for signum in signals:
            os.kill(os.getpid(), signum)
            time.sleep(0.2)
        with pytest.raises(InterruptedRunError) as raised:
            future.result(timeout=30)
    assert raised.value.exit_code == 128 + signals[0]
    return time.monotonic() - started


def test_sigterm_stops_the_children_of_every_thread(tmp_path: Path) -> None:
    ready = [tmp_path / "a", tmp_path / "b"]
    with stopping_children(), ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(run_child, sleeper(r), env=os.environ) for r in ready]
        wait_for(*ready)
        os.kill(os.getpid(), signal.SIGTERM)
        for future in futures:
            with pytest.raises(InterruptedRunError, match="stopped by SIGTERM") as raised:
                future.result(timeout=30)
            assert raised.value.exit_code == ExitCode.TERMINATED


def test_sigint_in_the_main_thread(tmp_path: Path) -> None:
    ready = tmp_path / "ready"

    def interrupt_once_started() -> None:  # `kill -INT` from elsewhere, as a CI runner sends it
        wait_for(ready)
        os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=interrupt_once_started)
    helper.start()
    with pytest.raises(InterruptedRunError, match=r"Ctrl-C \(SIGINT\)") as raised:
        run_child(sleeper(ready), env=os.environ)
    helper.join()
    assert raised.value.exit_code == ExitCode.INTERRUPTED


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    cmd = sleeper(ready, ignore_sigterm=True)
    took = interrupted_after([signal.SIGTERM], lambda: run_child(cmd, env=os.environ), ready)
    assert GRACE_S - 0.5 < took < GRACE_S + 5


def test_a_second_signal_kills_at_once(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    cmd = sleeper(ready, ignore_sigterm=True)
    signals = [signal.SIGTERM, signal.SIGTERM]
    took = interrupted_after(signals, lambda: run_child(cmd, env=os.environ), ready)
    assert took < GRACE_S - 1


def test_a_command_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    script = tmp_path / "not-executable.sh"
    script.write_text("echo hi\n")
    with pytest.raises(TestCommandError, match=r"not-executable\.sh: Permission denied"):
        run_child([str(script)], env=os.environ)
