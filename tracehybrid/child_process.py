"""Run the user's command as a child that stops when tracehybrid is stopped.

Ctrl-C in a terminal reaches the whole foreground process group, the child included, but a signal
sent to tracehybrid alone (`kill -INT PID`, a CI job's timeout sending SIGTERM) used to leave the
child running, or let tracehybrid go on with the results of a run cut short. While a command is in
`stopping_children()` (every `run_child` call is), SIGINT and SIGTERM are forwarded to each running
child, which gets a few seconds to exit by itself and is then killed; a second signal kills at once.
Then InterruptedRunError (exit code 128 + the signal) is raised: nothing is built on a partial run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import IO

from tracehybrid.errors import InterruptedRunError, TestCommandError

__all__ = ["GRACE_S", "run_child", "stopping_children"]

STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_S = 5.0  # how long a signalled child may take to exit by itself (pytest's own teardown)
_POLL_S = 0.2  # how often a waiting thread checks whether its child is overdue

Output = IO[bytes] | int | None


class _State:
    """The signals received and the children running, shared by every thread of one command.

    The signal handler runs in the main thread between bytecodes, so it takes no lock: it reads
    `children` through one `list()` copy, which the GIL makes atomic against other threads.
    """

    def __init__(self) -> None:
        self.depth = 0  # nested stopping_children() scopes; the outermost installs the handlers
        self.received: list[int] = []
        self.children: set[subprocess.Popen[bytes]] = set()
        self.kill_after: float | None = None  # monotonic time after which children are killed


_state = _State()


def _signal_name(signum: int) -> str:
    return "Ctrl-C (SIGINT)" if signum == signal.SIGINT else signal.Signals(signum).name


def _interrupted(signum: int) -> InterruptedRunError:
    return InterruptedRunError(f"stopped by {_signal_name(signum)}", exit_code=128 + signum)


def _terminal_reached(child: subprocess.Popen[bytes]) -> bool:
    """True when the signal likely came from the terminal and reached CHILD as well: both are in
    the terminal's foreground process group. Sending it again could cut pytest's own shutdown
    short with a second KeyboardInterrupt."""
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:  # no controlling terminal: the signal was sent to tracehybrid alone
        return False
    try:
        foreground = os.tcgetpgrp(tty)
        return foreground == os.getpgrp() == os.getpgid(child.pid)
    except OSError:
        return False
    finally:
        os.close(tty)


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    repeated = bool(_state.received)
    _state.received.append(signum)
    children = list(_state.children)
    if not children:  # nothing to wait for: stop where tracehybrid is
        raise _interrupted(signum)
    if repeated:
        _state.kill_after = time.monotonic()
    elif _state.kill_after is None:
        _state.kill_after = time.monotonic() + GRACE_S
    for child in children:
        if repeated or (signum == signal.SIGINT and _terminal_reached(child)):
            continue
        with contextlib.suppress(OSError):  # it has just exited
            child.send_signal(signum)


@contextmanager
def stopping_children() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM stop the running children, then raise InterruptedRunError.

    Outside the main thread signal handlers cannot be set, and the scope changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    if _state.depth == 0:
        _state.received.clear()
        _state.kill_after = None
        previous = {sig: signal.signal(sig, _on_signal) for sig in STOPPING_SIGNALS}
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if _state.depth == 0:  # a later command in this process starts afresh
            _state.received.clear()
            _state.kill_after = None


def run_child(
    cmd: list[str],
    *,
    env: Mapping[str, str],
    cwd: os.PathLike[str] | str | None = None,
    stdout: Output = None,
    stderr: Output = None,
) -> int:
    """Run CMD to its end and return its exit code (negative: the signal that killed it).

    Raises TestCommandError (one line) when CMD cannot be started, and InterruptedRunError when
    tracehybrid received SIGINT or SIGTERM meanwhile (the child is gone by then).
    """
    with stopping_children():
        if _state.received:
            raise _interrupted(_state.received[0])
        try:
            child = subprocess.Popen(cmd, env=dict(env), cwd=cwd, stdout=stdout, stderr=stderr)
        except OSError as exc:
            raise TestCommandError(f"{cmd[0]}: {exc.strerror or exc}") from None
        _state.children.add(child)
        try:
            exit_code = _wait(child)
        finally:
            _state.children.discard(child)
            if child.poll() is None:  # an error in this process: never leave the child behind
                child.kill()
                child.wait()
        if _state.received:
            raise _interrupted(_state.received[0])
        return exit_code


def _wait(child: subprocess.Popen[bytes]) -> int:
    """The child's exit code; once a signal set a deadline, it is killed when overdue."""
    while True:
        try:
            return child.wait(timeout=_POLL_S)
        except subprocess.TimeoutExpired:
            kill_after = _state.kill_after
            if kill_after is not None and time.monotonic() >= kill_after:
                child.kill()
