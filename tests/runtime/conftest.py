"""Fixtures for runtime tests: a tracer on modules written to tmp_path; TensorFlow loaded once."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from runtime_candidates import candidates_for

from tracehybrid.runtime.candidates import parse_candidates
from tracehybrid.runtime.sysmon import Tracer

PROJECT = Path(__file__).resolve().parent.parent / "projects" / "outcomes_project"


@pytest.fixture(scope="session")
def tf() -> Any:
    """TensorFlow, imported once per session (it costs seconds)."""
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="session")
def outcomes_project() -> Path:
    """The small TF project with every kind of test outcome."""
    return PROJECT


class TracedModule:
    """A module written to tmp_path, imported with a Tracer watching its functions."""

    def __init__(self, module: ModuleType, tracer: Tracer) -> None:
        self.module = module
        self.tracer = tracer

    def facts(self) -> dict[str, Any]:
        """{qualname: state} of the candidates the tracer saw."""
        return {state.spec.qualname: state for state in self.tracer.states}


@pytest.fixture
def traced_module(tmp_path: Path) -> Iterator[Callable[..., TracedModule]]:
    """Write source to tmp_path, start a Tracer on its functions, import it; stopped afterwards."""
    tracers: list[Tracer] = []
    names: list[str] = []

    def make(source: str, exclude: tuple[str, ...] = (), name: str = "traced_mod") -> TracedModule:
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        items = candidates_for(path, exclude)
        tracer = Tracer(parse_candidates({"candidates": items, "out_dir": str(tmp_path)}))
        assert tracer.start() is not None
        tracers.append(tracer)
        sys.path.insert(0, str(tmp_path))
        names.append(name)
        module = importlib.import_module(name)
        return TracedModule(module, tracer)

    yield make
    for tracer in tracers:
        tracer.stop()
    for name in names:
        sys.modules.pop(name, None)
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))
