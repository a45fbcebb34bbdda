"""Exit codes: the test command's pass through and are named; tracehybrid's own never collide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracehybrid.commands.run import whose_exit_code
from tracehybrid.errors import ExitCode


def test_tracehybrid_failures_are_outside_pytests_codes() -> None:
    own = {code for code in ExitCode if code not in (ExitCode.OK, ExitCode.FINDINGS)}
    assert not own & set(pytest.ExitCode)  # 0-5: pytest's, passed through by `run`


def test_the_line_names_pytests_meaning() -> None:
    assert whose_exit_code(["python", "-m", "pytest"], 4) == (
        "exit code 4 is the test command's own (pytest: usage error)"
    )
    assert whose_exit_code(["make", "test"], 2) == "exit code 2 is the test command's own"


def test_a_failing_suite_passes_its_code_through_and_says_whose(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (tmp_path / "test_fails.py").write_text("def test_fails():\n    assert False\n")
    done = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "run", "--quiet", "--no-graph", "--",
         sys.executable, "-m", "pytest", "-q"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last == "tracehybrid: exit code 1 is the test command's own (pytest: tests failed)"
