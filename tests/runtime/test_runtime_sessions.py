"""Real pytest sessions on outcomes_project: outcomes kept, xdist equals serial, Ctrl-C, crashes.

Three sessions are shared by the module (plain, traced, traced with -n 2); TensorFlow costs seconds.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from runtime_candidates import project_copy

from tracehybrid.launcher import combine, run_traced, traced_environment
from tracehybrid.store.combine import process_stores
from tracehybrid.store.reader import CandidateFacts, open_store, read_facts, read_meta

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]


@dataclass
class Sessions:
    project: Path
    candidates: Path
    plain: dict[str, str]
    traced: dict[str, str]
    traced_rc: int
    plain_rc: int
    serial: dict[tuple[str, str, int], CandidateFacts]
    xdist: dict[tuple[str, str, int], CandidateFacts]
    serial_store: Path


def junit_outcomes(path: Path) -> dict[str, str]:
    """nodeid-like name -> outcome from a JUnit XML report."""
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        children = {child.tag for child in case}
        outcome = next((t for t in ("failure", "error", "skipped") if t in children), "passed")
        found[name] = outcome
    return found


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory, outcomes_project: Path) -> Sessions:
    root = tmp_path_factory.mktemp("sessions")
    with project_copy(outcomes_project, root, "mathops.py") as (project, candidates):
        plain_rc = subprocess.run(
            [*PYTEST, f"--junitxml={root / 'plain.xml'}"], check=False
        ).returncode
        traced_rc = run_traced(
            [*PYTEST, f"--junitxml={root / 'traced.xml'}"], candidates, root / "s"
        )
        serial_store = combine(root / "s", keep_stores=True)  # its process store is read below
        assert run_traced([*PYTEST, "-n", "2"], candidates, root / "x") == traced_rc
        xdist_store = combine(root / "x")
    return Sessions(
        project,
        candidates,
        junit_outcomes(root / "plain.xml"),
        junit_outcomes(root / "traced.xml"),
        traced_rc,
        plain_rc,
        read_facts(serial_store),
        read_facts(xdist_store),
        serial_store,
    )


def by_name(facts: dict[Any, CandidateFacts]) -> dict[str, CandidateFacts]:
    return {fact.qualname: fact for fact in facts.values()}


def test_tracing_changes_no_outcome_and_no_exit_code(sessions: Sessions) -> None:
    assert sessions.traced == sessions.plain
    assert sessions.traced_rc == sessions.plain_rc == 1
    assert set(sessions.plain.values()) == {"passed", "failure", "error", "skipped"}


def test_store_outcomes_match_pytest(sessions: Sessions) -> None:
    facts = by_name(sessions.serial)
    tests = facts["scale"].tests
    assert tests["test_outcomes.py::test_scale_passes"] == "passed"
    assert "test_outcomes.py::test_errors_in_setup" not in tests  # its fixture failed first
    assert tests["test_outcomes.py::test_xfailed"] == "xfailed"
    assert tests["test_outcomes.py::test_xpassed"] == "xpassed"
    assert "test_outcomes.py::test_skipped" not in tests  # skipped before its body ran
    assert facts["counted"].tests == {"test_outcomes.py::test_counted_fails": "failed"}
    powers = set(facts["by_power"].tests)
    assert powers == {f"test_outcomes.py::test_by_power[{p}]" for p in (1, 2, 3)}
    assert facts["Model.apply"].tests == {
        "test_outcomes.py::TestModel::test_apply": "passed",
        "test_outcomes.py::TestModel::test_apply_fails": "failed",
        "test_outcomes.py::TestModel::test_apply_in_graph": "passed",
    }
    assert facts["failing"].raised == 1


def test_effects_seen_at_run_time(sessions: Sessions) -> None:
    facts = by_name(sessions.serial)
    kinds = {name: {e.kind for e in fact.effects} for name, fact in facts.items()}
    assert {"print", "python_random"} <= kinds["noisy"]
    assert {"logging", "tensor_numpy"} <= kinds["logged"]  # both inside _log_size, a callee
    assert "write" in kinds["counted"]
    assert {"tensor_cast", "numpy_on_tensor"} <= kinds["to_python"]
    assert "variable_creation" in kinds["Model.__init__"]
    assert not kinds["scale"]
    printed = next(e for e in facts["noisy"].effects if e.kind == "print")
    assert printed.line == 18
    assert printed.tests == ["test_outcomes.py::test_noisy_and_logged_pass"]


def test_graph_modes_and_predictions(sessions: Sessions) -> None:
    facts = by_name(sessions.serial)
    assert facts["hybrid_add"].calls == {"eager": 3, "trace": 2}
    assert facts["inner_graph"].calls == {"autograph": 1}
    plain = {p["plain"] for p in facts["hybrid_add"].predictions}
    assert plain == {2}
    assert {p["plain"] for p in facts["scale"].predictions} == {2}
    assert facts["by_power"].predictions  # a row even when the predictor answers "unknown"
    assert facts["scale"].signatures[0] == "x: tensor float32[2], factor: float=2.0"
    # Called eagerly on two models and once by AutoGraph as a bound method: every call is recorded
    # with `self`, and the predictor keys the eager ones (one trace in each instance's cache).
    apply = facts["Model.apply"]
    assert apply.calls == {"eager": 2, "autograph": 1}
    assert apply.signatures[-1] == "self: Model#3, x: symbolic float32[2]"
    assert [(p["plain"], p["untraceable"]) for p in apply.predictions] == [(2, None)]
    assert apply.predictions[0]["detail"]["per_cache_plain"] == 1


def test_xdist_gives_the_same_facts_as_serial(sessions: Sessions) -> None:
    def summary(facts: dict[Any, CandidateFacts]) -> dict[str, Any]:
        return {
            f.qualname: (
                f.calls,
                f.raised,
                f.tests,
                sorted(set(f.signatures) - {s for s in f.signatures if "#" in s}),
                sorted((e.kind, e.line, e.count, tuple(sorted(e.tests))) for e in f.effects),
            )
            for f in facts.values()
        }

    assert summary(sessions.xdist) == summary(sessions.serial)


def test_meta_describes_the_run(sessions: Sessions) -> None:
    with open_store(sessions.serial_store) as conn:
        meta = read_meta(conn)
    assert "sources" in meta
    source = sessions.serial_store.parent / eval(meta["sources"])[0]
    with open_store(source) as conn:
        process_meta = read_meta(conn)
    assert process_meta["complete"] == "1"
    assert process_meta["tensorflow"].startswith("2.")
    assert process_meta["callback_failures"] == "0"


def _interrupted_session(sessions: Sessions, tmp_path: Path, sig: int) -> Path:
    out = tmp_path / "out"
    marker = tmp_path / "ready"
    env = traced_environment(sessions.candidates, out)
    env.update(OUTCOMES_WAIT_MARKER=str(marker), TRACEHYBRID_FLUSH_INTERVAL="0")
    process = subprocess.Popen([*PYTEST], cwd=sessions.project, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(sig)
    process.wait(timeout=120)
    return out


def test_ctrl_c_leaves_a_readable_store(sessions: Sessions, tmp_path: Path) -> None:
    out = _interrupted_session(sessions, tmp_path, signal.SIGINT)
    facts = by_name(read_facts(combine(out)))
    assert facts["scale"].tests["test_outcomes.py::test_scale_passes"] == "passed"
    assert "test_outcomes.py::test_waits_for_interrupt" in facts["scale"].tests


def test_a_killed_process_loses_only_unflushed_records(sessions: Sessions, tmp_path: Path) -> None:
    out = _interrupted_session(sessions, tmp_path, signal.SIGKILL)
    assert process_stores(out)
    facts = by_name(read_facts(combine(out)))
    assert facts["scale"].tests["test_outcomes.py::test_scale_passes"] == "passed"
    assert facts["hybrid_add"].calls == {"eager": 3, "trace": 2}
