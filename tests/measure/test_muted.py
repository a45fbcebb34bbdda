"""In-process reruns stay out of pytest's own reporting, subtests included, and still see them.

A unittest `subTest` logs its report itself, past `runtestprotocol(log=False)`. A real inner
pytest session reruns such a test after its loop, the way the graph run does, with the subtest
failing only in the rerun: the session's exit status, summary and junit file must be those of
the suite, and the rerun must still count the failure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFTEST = """
import json
import pytest

from tracehybrid.measure.inrun.rerunner import Rerunner

RERUN = {"on": False}


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    result = yield
    items = {item.nodeid: item for item in session.items}
    RERUN["on"] = True
    outcome = Rerunner(items).once(items["test_sub.py::Cases::test_values"], frozenset())
    Rerunner(items).close()
    (session.config.rootpath / "rerun.json").write_text(json.dumps(outcome))
    return result
"""

TESTS = """
import unittest

import conftest


class Cases(unittest.TestCase):
    def test_values(self):
        for n in (1, 2):
            with self.subTest(n=n):
                # Passes in the suite; its second subtest fails when rerun.
                self.assertFalse(conftest.RERUN["on"] and n == 2)
"""


def test_a_failing_subtest_in_a_rerun_reaches_the_rerun_only(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "test_sub.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--junitxml=junit.xml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert "failed" not in done.stdout.splitlines()[-1]
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in junit and 'errors="0"' in junit
    outcome, crash = __import__("json").loads((tmp_path / "rerun.json").read_text())
    assert outcome == "failed" and "AssertionError" in crash
