"""Fixtures for the report tests: the realistic and the hostile results files and their models."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracehybrid.report.model import ReportModel, load_results

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """tests/report/fixtures."""
    return FIXTURES


@pytest.fixture(scope="session")
def realistic() -> ReportModel:
    """The hand-written realistic results, with sources from fixtures/project."""
    return load_results(FIXTURES / "results.json", source_root=FIXTURES / "project")


@pytest.fixture(scope="session")
def hostile() -> ReportModel:
    """Results whose every project string carries HTML, SVG and quoting payloads."""
    return load_results(FIXTURES / "hostile.json", source_root=FIXTURES / "hostile_project")
