"""Static analysis of the bundled example project agrees with the golden verdict file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracehybrid import codes
from tracehybrid.config import load_config
from tracehybrid.static import analyze_project
from tracehybrid.static.model import FunctionFacts, ProjectFacts
from tracehybrid.verdict.rules import computes_without_arguments

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples"
GOLDEN = REPO / "tests" / "gold" / "example_verdicts.toml"


def _golden() -> dict[str, dict[str, Any]]:
    return tomllib.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> ProjectFacts:
    config = load_config(EXAMPLE)
    return analyze_project(config)


def _lookup(facts: ProjectFacts, key: str) -> FunctionFacts:
    path, qualname = key.split("::")
    found = [fn for fn in facts.functions if fn.path == path and fn.qualname == qualname]
    assert len(found) == 1, f"{key} not found exactly once"
    return found[0]


def test_every_def_of_the_package_is_in_the_golden_file(facts: ProjectFacts) -> None:
    analysed = {f"{fn.path}::{fn.qualname}" for fn in facts.functions}
    assert set(_golden()) == analysed


def test_only_package_source_is_analysed(facts: ProjectFacts) -> None:
    assert facts.functions
    assert all(fn.path.startswith("tinyvision/") for fn in facts.functions)
    assert not facts.warnings


@pytest.mark.parametrize("key", sorted(_golden()))
def test_static_facts_match_golden(facts: ProjectFacts, key: str) -> None:
    expected = _golden()[key]
    fn = _lookup(facts, key)
    assert fn.kind == expected["kind"]
    waived = {"TH191"} if computes_without_arguments(fn) else set()
    blocking = {
        f.category for f in fn.findings if codes.get(f.code).blocking and f.code not in waived
    }
    found = {f.category for f in fn.findings}
    missing = set(expected["static"]) - found
    assert not missing, f"{key}: static analysis missed {sorted(missing)}; found {sorted(found)}"
    if expected["refactoring"] != "none":  # or traced, for the run's tensors to promote it
        assert fn.is_candidate or fn.promotable, f"{key} should be a candidate"
    if expected["refactoring"] == "convert_to_hybrid" and expected["verdict"] == "approved":
        assert not blocking, (
            f"{key}: approved in the golden file but statically blocked: {blocking}"
        )
