"""A tiny project for `tracehybrid run` tests, written into a temporary folder, and how to run it.

Its tests finish in a second; one blocks when asked (WAIT_ENV names a file where it writes its
pid first), so a test can signal a run while its pytest is known to be inside a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tracehybrid.measure.targets import TARGETS_ENV

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
RESULT_FILES = ("results.json", "report.html", "results.sarif", "trace.db", "run.json")
WAIT_ENV = "TINY_WAIT_MARKER"

MATHOPS = "def double(x):\n    return x * 2\n"
TESTS = f"""
import os
import time

from tiny.mathops import double


def test_double():
    assert double(2) == 4


def test_waits_when_asked():
    marker = os.environ.get({WAIT_ENV!r})
    if marker:  # tell the test which pytest process to watch, then block until signalled
        with open(marker + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.replace(marker + ".tmp", marker)
        time.sleep(120)
"""


# A TensorFlow function the graph-mode run proves; its test blocks there, and only there.
TF_MATHOPS = "import tensorflow as tf\n\n\ndef double(x):\n    return tf.add(x, x)\n"
TF_TESTS = TESTS.replace("double(2) == 4", "double(tf.constant([2.0])).numpy().tolist() == [4.0]")
TF_TESTS = TF_TESTS.replace("if marker:", "if marker and os.environ.get(TARGETS_ENV):")
# The blocking test calls the converted function, so graph runs (which leave out the tests that
# call none) run it too.
TF_TESTS = TF_TESTS.replace(
    "def test_waits_when_asked():\n",
    "def test_waits_when_asked():\n    double(tf.constant([1.0]))\n",
)
TF_TESTS = f"import tensorflow as tf\n\nTARGETS_ENV = {TARGETS_ENV!r}\n{TF_TESTS}"


def make_project(root: Path, mathops: str, tests: str, config: str = "") -> Path:
    """A tiny project (CONFIG: lines of its [tool.tracehybrid]), with one complete run's results."""
    (root / "tiny").mkdir(parents=True)
    pyproject = f'[project]\nname = "tiny"\nversion = "0"\n\n[tool.tracehybrid]\n{config}\n'
    (root / "pyproject.toml").write_text(pyproject)
    (root / "tiny" / "__init__.py").write_text("")
    (root / "tiny" / "mathops.py").write_text(mathops)
    (root / "test_tiny.py").write_text(tests)
    done = run_tracehybrid(root)
    assert done.returncode == 0, done.stderr
    return root


def run_tracehybrid(
    root: Path, *options: str, cmd: list[str] = PYTEST, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`tracehybrid run OPTIONS -- CMD` in ROOT."""
    argv = [sys.executable, "-m", "tracehybrid", "run", *options, "--", *cmd]
    return subprocess.run(
        argv, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def snapshot(out_dir: Path) -> dict[str, bytes]:
    return {name: (out_dir / name).read_bytes() for name in RESULT_FILES}


def tracehybrid(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Any tracehybrid command line, in ROOT."""
    command = [sys.executable, "-m", "tracehybrid", *argv]
    return subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=300, check=False
    )
