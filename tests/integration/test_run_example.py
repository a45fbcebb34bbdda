"""`tracehybrid run -- pytest` on the example: outcomes unchanged, the store holds the facts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from golden_speed import MAX_UNDECIDED, speed_decided, undecided_approval

from tracehybrid.errors import ExitCode
from tracehybrid.launcher import KEEP_STORES_ENV
from tracehybrid.store.combine import process_stores
from tracehybrid.store.reader import CandidateFacts, open_store, read_facts, read_meta

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]
REPO = Path(__file__).resolve().parents[2]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@dataclass
class ExampleRun:
    project: Path
    plain: dict[str, str]
    traced: dict[str, str]
    returncode: int
    stdout: str
    facts: dict[str, CandidateFacts]  # by qualname
    store: Path
    wall_s: float  # of the whole `tracehybrid run`, timed from outside


def _junit(path: Path) -> dict[str, str]:
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        children = {child.tag for child in case}
        outcome = next((t for t in ("failure", "error", "skipped") if t in children), "passed")
        found[f"{case.get('classname')}::{case.get('name')}"] = outcome
    return found


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    project = tmp_path_factory.mktemp("example") / "examples"
    ignore = shutil.ignore_patterns("__pycache__", ".tracehybrid", ".pytest_cache")
    shutil.copytree(REPO / "examples", project, ignore=ignore)
    subprocess.run([*PYTEST, "--junitxml=plain.xml"], cwd=project, check=False, capture_output=True)
    started = time.perf_counter()
    traced = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "run", "--", *PYTEST, "--junitxml=traced.xml"],
        cwd=project,
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, KEEP_STORES_ENV: "1"},  # the tests below read the process stores
    )
    wall_s = time.perf_counter() - started
    store = project / ".tracehybrid" / "trace.db"
    facts = {fact.qualname: fact for fact in read_facts(store).values()} if store.exists() else {}
    return ExampleRun(
        project,
        _junit(project / "plain.xml"),
        _junit(project / "traced.xml"),
        traced.returncode,
        traced.stdout + traced.stderr,
        facts,
        store,
        wall_s,
    )


def test_outcomes_and_exit_code_are_unchanged(example_run: ExampleRun) -> None:
    assert example_run.returncode == 0, example_run.stdout
    assert example_run.plain
    assert example_run.traced == example_run.plain


def test_every_traced_process_flushed_its_store(example_run: ExampleRun) -> None:
    assert example_run.store.is_file()
    processes = process_stores(example_run.store.parent)
    assert processes
    for path in processes:  # every traced process stopped cleanly and flushed
        with open_store(path) as conn:
            assert read_meta(conn)["complete"] == "1"


def test_uncalled_function_has_no_calls(example_run: ExampleRun) -> None:
    # The store lists the candidates that ran; an absent candidate was never called.
    uncalled = example_run.facts.get("predict_proba")
    assert uncalled is None or not uncalled.calls
    assert example_run.facts["train_step"].calls


def test_calls_are_attributed_to_tests(example_run: ExampleRun) -> None:
    fact = example_run.facts["train_step"]
    assert fact.calls.get("eager", 0) > 0
    assert any(nodeid.startswith("tests/test_train.py::") for nodeid in fact.tests)
    assert all(outcome == "passed" for outcome in fact.tests.values())


def test_observed_effects(example_run: ExampleRun) -> None:
    accuracy = {e.category for e in example_run.facts["accuracy"].effects}
    assert "tensor_to_python" in accuracy
    evaluate = {(e.category, e.detail) for e in example_run.facts["evaluate"].effects}
    assert ("side_effect", "print") in evaluate
    assert {e.category for e in example_run.facts["prediction_histogram"].effects} >= {
        "variable_creation"
    }


def test_retracing_predictions(example_run: ExampleRun) -> None:
    lr = example_run.facts["warmup_cosine_lr"].predictions
    assert max(int(str(p["plain"])) for p in lr) == 37
    blur = example_run.facts["gaussian_blur"]
    assert blur.calls.get("trace", 0) == 6  # an existing tf.function: its real traces
    assert max(int(str(p["plain"])) for p in blur.predictions) == 6


def test_missing_command_is_one_line_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "run", "--", "no-such-command-xyz"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == ExitCode.COMMAND_NOT_STARTED
    assert out.stderr.splitlines() == [
        "error[test-command]: no-such-command-xyz: command not found"
    ]


def test_pytest_usage_error_passes_its_exit_code(example_run: ExampleRun, tmp_path: Path) -> None:
    run = ["run", "--quiet", "--out", str(tmp_path)]  # keep the shared run's store intact
    out = subprocess.run(
        [sys.executable, "-m", "tracehybrid", *run, "--", *PYTEST, "--no-such-flag"],
        cwd=example_run.project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 4
    assert "error[test-command]:" in out.stderr
    assert "(usage error)" in out.stderr
    assert "Traceback" not in out.stderr


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracehybrid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_store_describes_the_run(example_run: ExampleRun) -> None:
    out = _cli("debug", "store", cwd=example_run.project)
    assert out.returncode == 0, out.stderr
    assert "train_step" in out.stdout
    assert "schema version" in out.stdout


def test_combine_again_gives_the_same_facts(example_run: ExampleRun, tmp_path: Path) -> None:
    shards = process_stores(example_run.store.parent)
    out = _cli("combine", "--out", str(tmp_path), *map(str, shards), cwd=example_run.project)
    assert out.returncode == 0, out.stderr
    again = {fact.qualname: fact.calls for fact in read_facts(tmp_path / "trace.db").values()}
    assert again == {name: fact.calls for name, fact in example_run.facts.items()}


def test_debug_without_what_and_missing_store_are_one_line_errors(tmp_path: Path) -> None:
    out = _cli("debug", cwd=tmp_path)
    assert out.returncode == ExitCode.USAGE
    assert out.stderr.startswith("error[usage]:")
    out = _cli("debug", "store", str(tmp_path / "none.db"), cwd=tmp_path)
    assert out.returncode == ExitCode.USAGE
    assert out.stderr.splitlines() == [
        f"error[no-source]: {tmp_path / 'none.db'}: no such store; run `tracehybrid run` first"
    ]


def _results(example_run: ExampleRun) -> dict[str, Any]:
    path = example_run.project / ".tracehybrid" / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_results_validate_against_the_contract(example_run: ExampleRun) -> None:
    schema = json.loads((REPO / "tracehybrid/data/results.schema.json").read_text())
    jsonschema.validate(_results(example_run), schema)


def test_every_golden_verdict_holds_end_to_end(example_run: ExampleRun) -> None:
    """The heart of the product: each function's final verdict and reason categories."""
    golden = tomllib.loads((REPO / "tests/gold/example_verdicts.toml").read_text())
    found = {f"{f['path']}::{f['qualname']}": f for f in _results(example_run)["functions"]}
    problems, undecided = [], []
    for key, expected in golden.items():
        if expected["refactoring"] == "none":  # absent, or listed with nothing to change
            if key in found and found[key]["refactoring"] is not None:
                problems.append(f"{key}: nothing to change, but {found[key]['refactoring']}")
            continue
        fn = found.get(key)
        if fn is None:
            problems.append(f"{key}: missing from results.json")
            continue
        categories = {r["category"] for r in fn["reasons"]}
        got = (fn["refactoring"], fn["verdict"])
        if expected.get("speed_borderline") and speed_decided(fn, expected):
            continue
        if undecided_approval(fn, expected):
            undecided.append(key)
            continue
        if got != (expected["refactoring"], expected["verdict"]):
            why = "; ".join(f"{r['code']} {r['message']}" for r in fn["reasons"])
            golden = expected["refactoring"], expected["verdict"]
            problems.append(f"{key}: {got} != golden {golden} ({why})")
        elif not set(expected["categories"]) <= categories:
            problems.append(f"{key}: reasons {sorted(categories)} lack {expected['categories']}")
        elif fn["verdict"] == "approved" and fn["refactoring"] == "convert_to_hybrid":
            assert fn["reasons"] == [] or fn["patch"]["decorator"] != "@tf.function", key
            assert fn["speedup"]["ratio"] >= 1.1, key
    assert not problems, "\n".join(problems)
    assert len(undecided) <= MAX_UNDECIDED, f"timing decided none of {undecided}"


def test_summary_and_reports_are_written(example_run: ExampleRun) -> None:
    results = _results(example_run)
    summary = results["summary"]
    assert (
        summary["approved"] + summary["rejected"]
        == summary["candidates"]
        == len(results["functions"])
    )
    assert summary["median_speedup"] > 1.1
    assert results["runs"]["graph"]["tests_failed"] == results["runs"]["eager"]["tests_failed"]
    out = example_run.project / ".tracehybrid"
    assert (out / "report.html").stat().st_size > 10_000
    assert json.loads((out / "results.sarif").read_text())["version"] == "2.1.0"
    assert f"HTML report: {out / 'report.html'}" in example_run.stdout.replace("\n", "")


def test_phase_times_add_up_and_match_the_proof(example_run: ExampleRun) -> None:
    """The `timings` extra: its phases fit in the run's wall time, and its suite runs and
    in-process reruns are the proof's own."""
    timings = _results(example_run)["timings"]
    phases = timings["phases"]
    assert list(phases)[:4] == ["static", "traced_run", "combine", "reconcile"]
    assert {"graph_runs", "results", "reports"} <= set(phases)
    assert sum(phases.values()) <= timings["wall_s"] + 0.01 <= example_run.wall_s
    proof = json.loads((example_run.project / ".tracehybrid" / "proof.json").read_text())
    runs = [(r["purpose"], len(r["targets"])) for r in proof["runs"]]
    assert [(r["purpose"], r["targets"]) for r in timings["suite_runs"]] == runs
    for run, timed in zip(proof["runs"], timings["suite_runs"], strict=True):
        assert sum(t["count"] for t in timed["reruns"].values()) == run["solo_reruns"]
        assert timed["reruns"] == run["rerun_kinds"]
    rerun_total = sum(t["count"] for t in timings["reruns"].values())
    assert rerun_total == sum(r["solo_reruns"] for r in proof["runs"])
    graph_s = sum(r["wall_s"] for r in timings["suite_runs"] if r["purpose"] == "graph")
    assert graph_s <= phases["graph_runs"] + 0.01
    assert "where the time went" in example_run.stdout


def test_report_json_reproduces_results_from_the_stores(example_run: ExampleRun) -> None:
    out = _cli("report", "--format", "json", cwd=example_run.project)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == _results(example_run)


def test_report_formats(example_run: ExampleRun, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    assert _cli("report", "--out", str(html), cwd=example_run.project).returncode == 0
    assert "train_step" in html.read_text()
    sarif = _cli("report", "--format", "sarif", cwd=example_run.project)
    assert json.loads(sarif.stdout)["runs"][0]["results"]
    text = _cli("report", "--format", "text", "--quiet", cwd=example_run.project)
    assert "candidates" in text.stdout


def test_report_without_a_run_is_one_line_error(tmp_path: Path) -> None:
    out = _cli("report", cwd=tmp_path)
    assert out.returncode == ExitCode.USAGE
    assert out.stderr.splitlines() == [
        f"error[data]: {tmp_path / '.tracehybrid'}: no complete run to report on; "
        "run `tracehybrid run` first"
    ]
