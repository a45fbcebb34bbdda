"""Interrupted, failed and concurrent `tracehybrid run`s: real signals, real processes, real files.

Each test first makes a complete run, then a run that must not replace it: one stopped by SIGINT
or SIGTERM (tracehybrid alone is signalled, as `kill` or a CI timeout does; Ctrl-C in a terminal
reaches the child as well), one whose command cannot start, one pytest refuses, one that finds
the folder locked by another run. The previous results must survive byte for byte, and no child
pytest may be left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tiny_project import (
    MATHOPS,
    PYTEST,
    TESTS,
    TF_MATHOPS,
    TF_TESTS,
    WAIT_ENV,
    make_project,
    run_tracehybrid,
    snapshot,
)

from tracehybrid.errors import ExitCode

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Tests that finish in a second, without TensorFlow."""
    return make_project(tmp_path / "tiny_project", MATHOPS, TESTS)


def leftovers(out_dir: Path) -> list[str]:
    """Stage and trash folders a run leaves behind (none, once it has ended)."""
    return [p.name for p in out_dir.iterdir() if p.name.startswith((".run-", ".old-"))]


class BlockingRun:
    """`tracehybrid run` whose traced pytest blocks in a test; its pid is known once it does."""

    def __init__(self, root: Path, *options: str) -> None:
        self.marker = root / "blocking.pid"
        self.marker.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "tracehybrid", "run", *options, "--", *PYTEST]
        # A session of its own: the signal goes to tracehybrid alone, as `kill PID` sends it,
        # not to a terminal's whole foreground group.
        self.process = subprocess.Popen(
            argv,
            cwd=root,
            env={**os.environ, WAIT_ENV: str(self.marker)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def child_pid(self) -> int:
        deadline = time.monotonic() + 120
        while not self.marker.exists():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "the traced test never started"
            time.sleep(0.1)
        return int(self.marker.read_text())

    def finish(self) -> tuple[int, str]:
        _, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stderr

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()


@pytest.fixture
def blocking(project: Path) -> Iterator[BlockingRun]:
    run = BlockingRun(project)
    yield run
    run.stop()


def assert_gone(pid: int) -> None:
    """The process PID has exited (a zombie of a dead parent is reaped by init soon after)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"the traced pytest (pid {pid}) is still running")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_the_traced_run_stops_it_and_keeps_the_results(
    project: Path, blocking: BlockingRun, sig: signal.Signals, code: int
) -> None:
    before = snapshot(project / ".tracehybrid")
    child = blocking.child_pid()
    blocking.process.send_signal(sig)
    returncode, stderr = blocking.finish()
    assert returncode == code, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1, stderr
    assert errors[0].startswith("error[interrupted]: the traced run `")
    assert "no results written" in errors[0]
    assert "Traceback" not in stderr
    assert_gone(child)
    assert snapshot(project / ".tracehybrid") == before
    assert not leftovers(project / ".tracehybrid")


def test_pytest_interrupted_by_itself_stops_the_pipeline(
    project: Path, blocking: BlockingRun
) -> None:
    """Only the child gets Ctrl-C: pytest exits 2 after a partial run, which proves nothing."""
    before = snapshot(project / ".tracehybrid")
    os.kill(blocking.child_pid(), signal.SIGINT)
    returncode, stderr = blocking.finish()
    assert returncode == ExitCode.INTERRUPTED, stderr
    assert "error[interrupted]: the traced run" in stderr
    assert "pytest exit code 2" in stderr
    assert snapshot(project / ".tracehybrid") == before


def test_a_second_run_in_the_same_folder_is_refused(project: Path, blocking: BlockingRun) -> None:
    before = snapshot(project / ".tracehybrid")
    blocking.child_pid()  # the first run holds the folder and is tracing
    second = run_tracehybrid(project)
    assert second.returncode == ExitCode.BUSY, second.stderr
    errors = second.stderr.strip().splitlines()
    assert len(errors) == 1, second.stderr
    assert errors[0].startswith("error[busy]: ")
    assert f"pid {blocking.process.pid}" in errors[0]
    assert "tracehybrid run -- " in errors[0] and "started 20" in errors[0]
    assert snapshot(project / ".tracehybrid") == before
    blocking.process.send_signal(signal.SIGTERM)
    assert blocking.finish()[0] == ExitCode.TERMINATED
    again = run_tracehybrid(project)  # the lock went with the first run
    assert again.returncode == 0, again.stderr


def test_another_out_dir_is_not_locked(project: Path, blocking: BlockingRun) -> None:
    blocking.child_pid()
    elsewhere = run_tracehybrid(project, "--out", "other")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert (project / "other" / "results.json").is_file()


@pytest.mark.parametrize(
    ("cmd", "code", "message"),
    [
        (
            ["no-such-command-xyz"],
            ExitCode.COMMAND_NOT_STARTED,
            "no-such-command-xyz: command not found",
        ),
        ([*PYTEST, "--no-such-option"], 4, "exited with 4 (usage error); no results written"),
        ([*PYTEST, "-k", "nothing_matches"], 5, "exited with 5 (no tests collected)"),
    ],
)
def test_a_run_that_cannot_run_the_tests_keeps_the_results(
    project: Path, cmd: list[str], code: int, message: str
) -> None:
    before = snapshot(project / ".tracehybrid")
    failed = run_tracehybrid(project, cmd=cmd)
    assert failed.returncode == code, failed.stderr
    assert message in failed.stderr
    assert "Traceback" not in failed.stderr
    assert snapshot(project / ".tracehybrid") == before
    assert not leftovers(project / ".tracehybrid")


def test_a_failed_run_keeps_the_results_in_out_dir(project: Path) -> None:
    assert run_tracehybrid(project, "--out", "ci-out").returncode == 0
    before = snapshot(project / "ci-out")
    failed = run_tracehybrid(project, "--out", "ci-out", cmd=[*PYTEST, "--no-such-option"])
    assert failed.returncode == 4, failed.stderr
    assert snapshot(project / "ci-out") == before


def test_a_complete_run_replaces_every_file_of_the_previous_one(project: Path) -> None:
    out_dir = project / ".tracehybrid"
    (out_dir / "proof.json").write_text("{}")  # as if the previous run had a graph run
    (out_dir / "notes.txt").write_text("mine")  # not tracehybrid's: kept
    before = snapshot(out_dir)
    done = run_tracehybrid(project)
    assert done.returncode == 0, done.stderr
    assert snapshot(out_dir)["run.json"] != before["run.json"]
    assert not (out_dir / "proof.json").exists()
    assert (out_dir / "notes.txt").read_text() == "mine"
    assert not leftovers(out_dir)


@pytest.mark.tensorflow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_the_graph_run_stops_it_and_keeps_the_results(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    root = make_project(tmp_path / "tf_project", TF_MATHOPS, TF_TESTS)
    assert "graph" in {p.name for p in (root / ".tracehybrid").iterdir()}, "nothing was proven"
    before = snapshot(root / ".tracehybrid")
    run = BlockingRun(root)
    try:
        child = run.child_pid()  # blocks in a graph-mode run: the traced run is over
        run.process.send_signal(sig)
        returncode, stderr = run.finish()
    finally:
        run.stop()
    assert returncode == code, stderr
    assert "error[interrupted]: the graph run was stopped by" in stderr
    assert_gone(child)
    assert snapshot(root / ".tracehybrid") == before
    assert not leftovers(root / ".tracehybrid")
