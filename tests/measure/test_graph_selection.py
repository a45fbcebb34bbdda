"""Real pytest sessions: a graph run leaves out the tests that call no target, and says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracehybrid.measure.inrun.selection import APPLIED_FILE
from tracehybrid.measure.suite_run import Baseline, SuiteRun, run_suite
from tracehybrid.measure.targets import MeasureSettings, Target

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
OPS = "import tensorflow as tf\n\n\ndef double(x):\n    return x * 2\n"
TESTS = """import unittest

import pytest
import tensorflow as tf

from pkg.ops import double


@pytest.fixture(scope="module")
def shared():
    return [1]


def test_calls(shared):
    assert double(tf.constant(1.0)).numpy() == 2.0


def test_shares_the_fixture(shared):
    assert shared == [1]


def test_alone():
    assert 1 + 1 == 2


def test_fails_alone():
    assert False


class Case(unittest.TestCase):
    def test_calls(self):
        self.assertEqual(float(double(tf.constant(2.0))), 4.0)

    def test_plain(self):
        self.assertTrue(True)
"""
TRACED = {  # the traced run's outcomes
    "test_ops.py::test_calls": "passed",
    "test_ops.py::test_shares_the_fixture": "passed",
    "test_ops.py::test_alone": "passed",
    "test_ops.py::test_fails_alone": "failed",
    "test_ops.py::Case::test_calls": "passed",
    "test_ops.py::Case::test_plain": "passed",
}
CALLERS = frozenset({"test_ops.py::test_calls", "test_ops.py::Case::test_calls"})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("selection")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "ops.py").write_text(OPS, encoding="utf-8")
    (root / "test_ops.py").write_text(TESTS, encoding="utf-8")
    return root


def graph_run(project: Path, out: Path, tests: frozenset[str]) -> SuiteRun:
    target = Target(os.path.realpath(project / "pkg" / "ops.py"), "double", 4, 4)
    baseline = Baseline(TRACED, in_process=False, tests=tests)
    off = MeasureSettings(enabled=False)
    return run_suite(PYTEST, [target], out, off, "graph", project, baseline)


def test_tests_calling_no_target_keep_their_traced_outcome(project: Path, tmp_path: Path) -> None:
    run = graph_run(project, tmp_path / "run", CALLERS)
    # The fixture shared with a caller, and the unittest class of one, run too.
    assert sorted(run.not_run) == ["test_ops.py::test_alone", "test_ops.py::test_fails_alone"]
    assert run.outcomes == TRACED  # the failing test left out still counts as failed
    assert run.exit_code == 1  # as the whole suite: pytest said 0 for the tests it ran
    timing = run.timing()
    assert (timing.tests_run, timing.tests_not_run) == (4, 2)
    assert run.facts[next(iter(run.facts))]["calls"] == 2


def test_ids_that_cannot_be_matched_run_the_whole_suite(project: Path, tmp_path: Path) -> None:
    renamed = CALLERS | {"test_ops.py::test_calls[param]"}
    run = graph_run(project, tmp_path / "run", renamed)
    assert run.not_run == [] and run.outcomes == TRACED
    applied = json.loads((tmp_path / "run" / APPLIED_FILE).read_text(encoding="utf-8"))
    assert "not collected here" in applied["fallback"]
    assert run.timing().tests_not_run == 0


@pytest.mark.parametrize("group", [1, 2, 3])
def test_a_pytest_split_group_is_split_before_tests_are_left_out(
    project: Path, tmp_path: Path, group: int
) -> None:
    """A CI shard's graph run runs its own group: pytest-split splits the whole collection,
    as in the shard's traced run, and only then are the tests that call no target left out."""
    split = ["--splits", "3", "--group", str(group)]
    collect = [*PYTEST, "--collect-only", "-q", *split]
    listed = subprocess.run(collect, cwd=project, capture_output=True, text=True, check=True)
    members = {line for line in listed.stdout.splitlines() if "::" in line}
    traced = {nodeid: outcome for nodeid, outcome in TRACED.items() if nodeid in members}
    target = Target(os.path.realpath(project / "pkg" / "ops.py"), "double", 4, 4)
    baseline = Baseline(traced, in_process=False, tests=CALLERS & members)
    off = MeasureSettings(enabled=False)
    run = run_suite([*PYTEST, *split], [target], tmp_path / "run", off, "graph", project, baseline)
    assert run.outcomes == traced
    left_out = {"test_ops.py::test_alone", "test_ops.py::test_fails_alone"} & members
    assert set(run.not_run) == left_out  # the selection did leave out the group's own tests


def test_xdist_workers_leave_out_the_same_tests(project: Path, tmp_path: Path) -> None:
    """Under `pytest -n 2` each worker selects from its own (identical) collection: the workers
    share out only the tests that can matter, and the left-out ones keep their traced outcome."""
    target = Target(os.path.realpath(project / "pkg" / "ops.py"), "double", 4, 4)
    baseline = Baseline(TRACED, in_process=False, tests=CALLERS)
    off = MeasureSettings(enabled=False)
    run = run_suite(
        [*PYTEST, "-n", "2"], [target], tmp_path / "run", off, "graph", project, baseline
    )
    assert sorted(run.not_run) == ["test_ops.py::test_alone", "test_ops.py::test_fails_alone"]
    assert run.outcomes == TRACED
    assert run.exit_code == 1
    assert run.facts[next(iter(run.facts))]["calls"] == 2
