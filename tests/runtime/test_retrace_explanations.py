"""A real traced run that retraces: its explanations reach CandidateFacts and results.json.

They were lost on the way: the store keeps them as a JSON list in a TEXT column, the reader
handed that text on, and results.json and the TH201 message only took a list.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from runtime_candidates import candidates_for

from tracehybrid.config import Config
from tracehybrid.launcher import combine, run_traced
from tracehybrid.results.document import function_entry
from tracehybrid.results.storeviews import read_views
from tracehybrid.static import analyze_project
from tracehybrid.store.reader import read_facts
from tracehybrid.verdict import Decision, reconcile

pytestmark = [pytest.mark.tensorflow]

OPS = """
import tensorflow as tf


def scale(x, factor):
    return x * factor + tf.reduce_sum(x)
"""
TESTS = """
import tensorflow as tf
import ops


def test_scale():
    for n in (1, 2, 3):
        for factor in (0.5, 1.5):
            ops.scale(tf.ones([n]), factor)
"""
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_usage.py"]
EXPECTED = [
    "factor: 1.5 (was 0.5)",
    "x: float32[2] (was float32[1])",
    "factor: 1.5 (was 0.5)",
    "x: float32[3] (was float32[2])",
    "factor: 1.5 (was 0.5)",
]


def test_retrace_explanations_survive_the_store_and_reach_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tensorflow")
    tmp_path = tmp_path / "project"  # pytest's folder is named test_*, which analysis skips
    tmp_path.mkdir()
    (tmp_path / "ops.py").write_text(OPS, encoding="utf-8")
    (tmp_path / "test_usage.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "cands.json").write_text(
        json.dumps(candidates_for(tmp_path / "ops.py")), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert run_traced(PYTEST, tmp_path / "cands.json", out) == 0
    store = combine(out)
    runtime = read_facts(store)
    (fact,) = runtime.values()
    (prediction,) = fact.predictions
    assert prediction["plain"] == 6
    assert prediction["explanations"] == EXPECTED

    config = Config(root=tmp_path, max_traces=4)
    facts = analyze_project(config)
    (proposal,) = reconcile(facts.functions, runtime, config)
    entry = function_entry(
        Decision(proposal, "rejected", proposal.reasons), fact, read_views(store), fact.key
    )
    assert entry["runtime"]["retrace_explanations"] == EXPECTED
    (th201,) = [r for r in entry["reasons"] if r["code"] == "TH201"]
    assert "factor: 1.5 (was 0.5); x: float32[2] (was float32[1]);" in th201["message"]
    assert "; and 2 more." in th201["message"]
