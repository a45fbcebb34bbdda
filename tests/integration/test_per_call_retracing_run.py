"""A traced pytest session over the classic retracing bug: the store shows every call traced, and
the verdict is TH197 confirmed by the run, not TH230 "already optimal"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tracehybrid.config import Config
from tracehybrid.launcher import combine, run_traced
from tracehybrid.session import write_candidates
from tracehybrid.static import analyze_project
from tracehybrid.store.reader import read_facts
from tracehybrid.verdict import reconcile

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]

OPS = """
import tensorflow as tf


def fast_eval(x):
    @tf.function
    def _run(y):
        return tf.reduce_sum(y * 2.0)
    return _run(x)
"""
TESTS = """
import tensorflow as tf
import ops


def test_fast_eval():
    for _ in range(9):
        assert float(ops.fast_eval(tf.ones([3]))) == 6.0
"""
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_usage.py"]
INNER = "fast_eval.<locals>._run"


def test_the_run_confirms_every_call_traced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tensorflow")
    root = tmp_path / "project"  # pytest's folder is named test_*, which analysis skips
    root.mkdir()
    (root / "ops.py").write_text(OPS, encoding="utf-8")
    (root / "test_usage.py").write_text(TESTS, encoding="utf-8")
    monkeypatch.chdir(root)
    config = Config(root=root)
    facts = analyze_project(config)
    out = root / "out"
    assert run_traced(PYTEST, write_candidates(facts, out), out) == 0
    runtime = read_facts(combine(out))

    inner = next(fact for fact in runtime.values() if fact.qualname == INNER)
    assert (inner.calls.get("eager"), inner.calls.get("trace")) == (9, 9)
    proposals = {p.fn.qualname: p for p in reconcile(facts.functions, runtime, config)}
    (reason,) = proposals[INNER].reasons
    assert (reason.code, reason.evidence) == ("TH197", "both")
    assert "called 9 times and its graph was traced 9 times: every call traced" in reason.message
    assert proposals[INNER].refactoring is None
