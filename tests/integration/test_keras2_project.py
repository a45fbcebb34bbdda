"""A Keras 2 (tf_keras) project end to end: the graph run's verdicts match real decorators.

tf_keras reads a layer's call signature with `tf_inspect.getfullargspec`. Before the graph run's
wrapper answered that as `@tf.function` does, every `call(self, x)` failed as a graph with
"unexpected keyword argument 'training'" and was rejected as TH301, while the same layers with
real decorators pass every test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "projects" / "keras2_project"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
LEGACY = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}

pytestmark = pytest.mark.slow


def _copy(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    ignore = shutil.ignore_patterns("__pycache__", ".tracehybrid")
    shutil.copytree(PROJECT, project, ignore=ignore)
    return project


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = _copy(tmp_path_factory.mktemp("keras2"), "traced")
    done = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "run", "--quiet", "--", *PYTEST],
        cwd=project, env=LEGACY, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((project / ".tracehybrid" / "results.json").read_text())  # type: ignore[no-any-return]


def _function(results: dict[str, Any], qualname: str) -> dict[str, Any]:
    return next(f for f in results["functions"] if f["qualname"] == qualname)


def test_no_layer_fails_as_a_graph(results: dict[str, Any]) -> None:
    for qualname in ("Scale.call", "Mixer.call"):
        codes = [r["code"] for r in _function(results, qualname)["reasons"]]
        assert "TH301" not in codes, _function(results, qualname)["reasons"]
    graph = results["runs"]["graph"]
    assert graph is not None and graph["tests_failed"] == 0, results["runs"]
    assert graph["tests_passed"] == results["runs"]["eager"]["tests_passed"] == 3


def test_the_reused_layer_is_approved(results: dict[str, Any]) -> None:
    mixer = _function(results, "Mixer.call")
    assert mixer["verdict"] == "approved", mixer["reasons"]


def test_real_decorators_keep_every_outcome(tmp_path: Path) -> None:
    """Brute force: `@tf.function` written above both calls, as `apply` writes it."""
    project = _copy(tmp_path, "decorated")
    source = project / "layers2.py"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("    def call(", "    @tf.function\n    def call("), "utf-8")
    done = subprocess.run(
        PYTEST, cwd=project, env=LEGACY, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "3 passed" in done.stdout, done.stdout[-3000:]
