"""A graph that keeps outputs right but stops training is rejected, with the reason that is true.

training_project's `Block.call` as a `tf.function` builds its Dense sub-layers inside the trace:
its outputs match eager and its test passes, but every sub-layer gradient is None. Brute force
shows the weights moving eagerly and frozen with the real decorator; tracehybrid must reject it
(TH302, naming the lost gradient) and still approve `Gain.call`, which trains as a graph.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "projects" / "training_project"

pytestmark = pytest.mark.slow

BRUTE_FORCE = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np, tensorflow as tf
    from model import Block

    def moved(as_graph):
        block = Block()
        if as_graph:
            block.call = tf.function(block.call)  # what `apply` writes, on this instance
        x, y = tf.ones([16, 4]), tf.zeros([16, 1])
        block(x)
        before = [np.array(v) for v in block.trainable_variables]
        optimizer = keras.optimizers.SGD(0.1)
        for _ in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(block(x) - y))
            grads = tape.gradient(loss, block.trainable_variables)
            pairs = [(g, v) for g, v in zip(grads, block.trainable_variables) if g is not None]
            if pairs:
                optimizer.apply_gradients(pairs)
        after = block.trainable_variables
        return [not np.array_equal(b, np.array(v)) for b, v in zip(before, after)]

    json.dump({"eager": moved(False), "graph": moved(True)}, sys.stdout)
    """
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("training") / "training_project"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("__pycache__", ".tracehybrid"))
    return root


@pytest.fixture(scope="module")
def results(project: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "run", "--quiet", "--",
         sys.executable, "-m", "pytest", "-q"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((project / ".tracehybrid" / "results.json").read_text())  # type: ignore[no-any-return]


def _function(results: dict[str, Any], qualname: str) -> dict[str, Any]:
    return next(f for f in results["functions"] if f["qualname"] == qualname)


def test_brute_force_weights_move_eagerly_and_freeze_as_a_graph(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BRUTE_FORCE], cwd=project, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    moved = json.loads(done.stdout)
    assert all(moved["eager"]) and len(moved["eager"]) == 6
    assert not any(moved["graph"])


def test_the_graph_that_stops_training_is_rejected(results: dict[str, Any]) -> None:
    block = _function(results, "Block.call")
    assert block["verdict"] == "rejected"
    reason = block["reasons"][0]
    assert reason["code"] == "TH302"
    assert "gradient of" in reason["message"] and "is None" in reason["message"]


def test_a_layer_that_trains_as_a_graph_keeps_its_proof(results: dict[str, Any]) -> None:
    gain = _function(results, "Gain.call")
    # Approved on an idle machine (about 2x); on a loaded one only its speed may fall short.
    assert gain["verdict"] == "approved" or {r["code"] for r in gain["reasons"]} == {"TH303"}


def test_a_helper_only_its_converted_caller_calls_is_already_a_graph_there(
    results: dict[str, Any],
) -> None:
    squash = _function(results, "squash")
    assert squash["verdict"] == "rejected"
    assert [r["code"] for r in squash["reasons"]] == ["TH305"]
    assert squash["reasons"][0]["message"].startswith("Runs inside `Gain.call`")
