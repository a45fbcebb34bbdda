"""The journey on a copy of the example: run, apply, tests still pass, run again, re-apply."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]
REPO = Path(__file__).resolve().parents[2]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
TRACEHYBRID = [sys.executable, "-m", "tracehybrid"]


@dataclass(frozen=True)
class Suite:
    """One plain run of the example's tests."""

    outcomes: dict[str, str]
    seconds: float  # pytest's own session time (junit testsuite time): no interpreter start-up


@dataclass(frozen=True)
class Journey:
    project: Path
    first: dict[str, Any]  # results.json of the run before apply
    applied: subprocess.CompletedProcess[str]
    before: Suite
    after: Suite
    second: dict[str, Any]  # results.json of the run after apply

    def applied_fixes(self) -> list[dict[str, Any]]:
        """The first run's functions that a default `apply` writes: approved, safe patch."""
        return [
            f
            for f in self.first["functions"]
            if f["verdict"] == "approved" and f["patch"] and f["patch"]["applicability"] == "safe"
        ]

    def second_entry(self, fix: dict[str, Any]) -> dict[str, Any]:
        found: list[dict[str, Any]] = [
            f
            for f in self.second["functions"]
            if (f["path"], f["qualname"]) == (fix["path"], fix["qualname"])
        ]
        assert len(found) == 1, fix["qualname"]
        return found[0]


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRACEHYBRID, *args], cwd=project, capture_output=True, text=True, check=False
    )


def _traced_run(project: Path) -> dict[str, Any]:
    out = _cli(project, "run", "--quiet", "--", *PYTEST)
    assert out.returncode == 0, out.stdout + out.stderr
    document: dict[str, Any] = json.loads((project / ".tracehybrid/results.json").read_text())
    return document


def _suite(project: Path, name: str) -> Suite:
    report = project / f"{name}.xml"
    run = subprocess.run(
        [*PYTEST, f"--junitxml={report}"], cwd=project, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    root = ET.parse(report).getroot()
    outcomes = {}
    for case in root.iter("testcase"):
        children = {child.tag for child in case}
        outcome = next((t for t in ("failure", "error", "skipped") if t in children), "passed")
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = outcome
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    return Suite(outcomes, float(suite.get("time", "0")))


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Journey:
    """Two traced runs and two plain ones: the fewest TensorFlow sessions the journey needs."""
    project = tmp_path_factory.mktemp("apply-e2e") / "examples"
    ignore = shutil.ignore_patterns("__pycache__", ".tracehybrid", ".pytest_cache", "*.xml")
    shutil.copytree(REPO / "examples", project, ignore=ignore)
    first = _traced_run(project)
    before = _suite(project, "before")
    applied = _cli(project, "apply")
    after = _suite(project, "after")
    second = _traced_run(project)
    return Journey(project, first, applied, before, after, second)


def _decorators(project: Path, fix: dict[str, Any]) -> list[str]:
    """The decorators of the function `fix` names, as source text."""
    tree = ast.parse((project / fix["path"]).read_text(encoding="utf-8"))
    parts = fix["qualname"].split(".")
    body: list[ast.stmt] = tree.body
    for index, part in enumerate(parts):
        node = next(
            n for n in body if isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == part
        )
        if index == len(parts) - 1:
            assert isinstance(node, ast.FunctionDef)
            return [ast.unparse(d) for d in node.decorator_list]
        body = node.body
    raise AssertionError(fix["qualname"])


def test_apply_writes_every_approved_safe_fix(journey: Journey) -> None:
    fixes = journey.applied_fixes()
    assert fixes, "the example has approved fixes"
    assert journey.applied.returncode == 0, journey.applied.stderr
    files = {f["path"] for f in fixes}
    summary = journey.applied.stderr.splitlines()[-1]
    assert summary.startswith(f"Applied {len(fixes)} fixes in {len(files)} files"), summary
    for fix in fixes:
        decorators = _decorators(journey.project, fix)
        written = fix["patch"]["decorator"].removeprefix("@")
        if fix["refactoring"] == "dehybridize":
            assert not any("function" in d for d in decorators), fix["qualname"]
        else:
            assert written in decorators, (fix["qualname"], decorators)


def test_the_tests_still_pass_and_the_suite_time_is_printed(
    journey: Journey, capsys: pytest.CaptureFixture[str]
) -> None:
    assert journey.after.outcomes == journey.before.outcomes
    assert set(journey.after.outcomes.values()) <= {"passed", "skipped"}
    before, after = journey.before.seconds, journey.after.seconds
    assert before > 0 and after > 0
    with capsys.disabled():  # a figure for people; speed targets live in benchmarks/
        print(
            f"\nexample suite before apply {before:.2f} s, after {after:.2f} s: "
            f"{before / after:.2f}x; tracehybrid's own eager/graph suite ratio "
            f"{journey.first.get('suite', {}).get('ratio')} then "
            f"{journey.second.get('suite', {}).get('ratio')}"
        )


def test_second_run_shows_hybrids_without_new_findings(journey: Journey) -> None:
    for fix in journey.applied_fixes():
        entry = journey.second_entry(fix)
        if fix["refactoring"] == "dehybridize":
            assert entry["kind"] == "eager", fix["qualname"]
            assert entry["verdict"] == "rejected", "converting it back would undo the fix"
            continue
        assert entry["kind"] == "hybrid", fix["qualname"]
        assert entry["refactoring"] != "dehybridize", fix["qualname"]
        before = {r["code"] for r in fix["reasons"]}
        new = {r["code"] for r in entry["reasons"]} - before - {"TH230"}
        assert not new, (fix["qualname"], entry["reasons"])
        if entry["refactoring"] is None:  # nothing left to change: it says so, with the evidence
            assert [r["code"] for r in entry["reasons"]] == ["TH230"], fix["qualname"]


def test_applying_again_changes_nothing(journey: Journey) -> None:
    sources = {p: p.read_bytes() for p in (journey.project / "tinyvision").glob("*.py")}
    stale = journey.project / "stale-results.json"
    stale.write_text(json.dumps(journey.first), encoding="utf-8")
    # Every file changed since that run, by apply itself: its fixes are there, so nothing is
    # refused and the exit status is 0, with or without --force.
    for force in ([], ["--force"]):
        again = _cli(journey.project, "apply", "--results", str(stale), *force)
        assert again.returncode == 0, again.stderr
        assert "refused" not in again.stderr
        assert again.stderr.splitlines()[-1].startswith("Nothing to apply: every fix is already")
    names = ",".join(f"{f['path']}::{f['qualname']}" for f in journey.applied_fixes())
    fresh = _cli(journey.project, "apply", "--diff", "--unsafe-fixes", "--select", names)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout == "", "the second run proposes a change to an applied function"
    assert {p: p.read_bytes() for p in sources} == sources
