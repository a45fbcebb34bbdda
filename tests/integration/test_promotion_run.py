"""Issue 15.1 and 15.4 end to end: a real traced run promotes untyped functions the tests pass
tensors, keeps every static finding, and judges functions of Python scalars by their traces."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tiny_project import run_tracehybrid

MODULE = """
import tensorflow as tf


def rescale(images, gain):
    return images * gain + 0.5


def noisy_rescale(images, gain):
    print("rescaling by", gain)
    return images * gain


def warp(points, angle):
    return points * angle - angle * angle


def halve(value):
    return value / 2


def positional_table(length, depth):
    positions = tf.range(length, dtype=tf.float32)[:, tf.newaxis]
    rates = tf.range(depth, dtype=tf.float32) / float(depth)
    return positions * rates


def double(x):
    return tf.add(x, x)
"""

TESTS = """
import tensorflow as tf

from tiny.mathops import double, halve, noisy_rescale, positional_table, rescale, warp


def test_rescale():
    assert rescale(tf.ones([4]), 0.5).numpy().tolist() == [1.0] * 4
    assert rescale(tf.zeros([4]), 0.5).numpy().tolist() == [0.5] * 4


def test_noisy_rescale():
    assert noisy_rescale(tf.ones([2]), 2.0).numpy().tolist() == [2.0, 2.0]


def test_warp_with_nine_angles():
    for step in range(9):
        warp(tf.ones([3]), 0.1 * step)


def test_halve_python_values():
    assert halve(3) == 1.5


def test_positional_table():
    assert positional_table(4, 6).shape == (4, 6)
    assert positional_table(3, 6).shape == (3, 6)


def test_double():
    assert double(tf.constant([1.0])).numpy().tolist() == [2.0]
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    root = tmp_path_factory.mktemp("promotion")
    (root / "tiny").mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "tiny"\nversion = "0"\n\n[tool.tracehybrid]\n'
    )
    (root / "tiny" / "__init__.py").write_text("")
    (root / "tiny" / "mathops.py").write_text(MODULE)
    (root / "test_tiny.py").write_text(TESTS)
    done = run_tracehybrid(root, "--no-graph")
    assert done.returncode == 0, done.stderr
    results = json.loads((root / ".tracehybrid" / "results.json").read_text())
    return results, done.stdout


def by_name(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["qualname"]: f for f in results["functions"]}


def categories(function: dict[str, Any]) -> set[str]:
    return {r["category"] for r in function["reasons"]}


def test_untyped_functions_called_with_tensors_are_candidates(
    run: tuple[dict[str, Any], str],
) -> None:
    functions = by_name(run[0])
    assert {"rescale", "noisy_rescale", "warp"} <= set(functions)
    assert functions["rescale"]["static"]["promotable"] is True
    assert functions["rescale"]["runtime"]["calls"] == 2
    assert not categories(functions["rescale"]) & {"no_tensor_args", "side_effect", "retracing"}


def test_one_never_called_with_a_tensor_stays_out(run: tuple[dict[str, Any], str]) -> None:
    assert "halve" not in by_name(run[0])


def test_a_print_still_rejects_a_promoted_function(run: tuple[dict[str, Any], str]) -> None:
    noisy = by_name(run[0])["noisy_rescale"]
    (printed,) = [r for r in noisy["reasons"] if r["code"] == "TH101"]
    assert printed["evidence"] == "both" and "print" in printed["message"]


def test_a_float_changing_every_call_is_reported_as_retracing(
    run: tuple[dict[str, Any], str],
) -> None:
    warp = by_name(run[0])["warp"]
    assert "retracing" in categories(warp)
    assert warp["runtime"]["traces"]["plain"] == 9
    assert any("angle" in line for line in warp["runtime"]["retrace_explanations"])


def test_python_scalars_building_a_table_are_judged_by_their_traces(
    run: tuple[dict[str, Any], str],
) -> None:
    table = by_name(run[0])["positional_table"]
    assert table["runtime"]["traces"]["plain"] == 2
    assert not categories(table) & {"no_tensor_args", "tensor_to_python", "disagreement"}


def test_summary_counts_where_candidates_came_from(run: tuple[dict[str, Any], str]) -> None:
    results, stdout = run
    sources = results["summary"]["candidate_sources"]
    assert sources == {"static": 1, "runtime": 3, "both": 1}
    assert sum(sources.values()) == results["summary"]["candidates"]
    assert (
        "5 candidates (1 from static analysis alone, 3 from runtime evidence alone, 1 from both)"
        in stdout.replace("\n", " ")
    )
