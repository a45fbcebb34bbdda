"""pytest plugin: trace from before conftests load, attribute calls to tests, never change outcomes.

Loaded with `-p tracehybrid.runtime.pytest_plugin` or through `PYTEST_PLUGINS` (what `run_traced`
sets, so xdist workers and pytest subprocesses load it too). Each process writes its own store.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from typing import Any

import pytest

from tracehybrid.errors import PluginWarning
from tracehybrid.plugin_start import start_plugin
from tracehybrid.runtime.collector import Collector, start_collector, stop_collector

PLUGIN_NAME = "tracehybrid-attribution"
_SEVERITY = {"passed": 0, "skipped": 1, "xfailed": 1, "xpassed": 1, "failed": 2, "error": 3}


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--tracehybrid-candidates PATH`: the candidates JSON (default: $TRACEHYBRID_CANDIDATES)."""
    group = parser.getgroup("tracehybrid")
    group.addoption("--tracehybrid-candidates", default=None, help="candidates JSON to trace")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Start tracing before the project's conftest files (and so its code) are imported."""
    collector = start_plugin(early_config, "tracehybrid_candidates", start_collector, "tracing")
    if collector is not None and not early_config.pluginmanager.has_plugin(PLUGIN_NAME):
        early_config.pluginmanager.register(TestAttribution(collector), PLUGIN_NAME)


def outcome_of(report: pytest.TestReport, previous: str | None) -> str | None:
    """A test's outcome after this report, in pytest's own terms (xfailed, error for setup...)."""
    wasxfail = hasattr(report, "wasxfail")
    new: str | None
    if report.when == "call":
        if report.passed:
            new = "xpassed" if wasxfail else "passed"
        else:
            new = ("xfailed" if wasxfail else "skipped") if report.skipped else "failed"
    elif report.failed:
        new = "error"
    elif report.skipped:
        new = "xfailed" if wasxfail else "skipped"
    else:
        new = "passed" if previous is None and report.when == "setup" else previous
    if previous is not None and _SEVERITY.get(new or "", 0) < _SEVERITY[previous]:
        return previous
    if report.when == "teardown" and previous == "failed":
        return previous  # pytest counts the failure and the teardown error; keep the failure
    return new


class TestAttribution:
    """Sets the current test around each test's protocol and records its outcome."""

    __test__ = False

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.outcomes: dict[str, str | None] = {}

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, None]:
        """Attribute every call between setup and teardown to this test."""
        _guarded(self.collector.set_test, item.nodeid)
        yield
        _guarded(self.collector.set_test, None)
        _guarded(self.collector.maybe_flush)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Remember the collection order: combined trace predictions replay calls in it."""
        _guarded(self.collector.set_collection_order, [item.nodeid for item in session.items])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold setup/call/teardown reports into one outcome per node id."""
        outcome = outcome_of(report, self.outcomes.get(report.nodeid))
        self.outcomes[report.nodeid] = outcome
        if outcome is not None:
            _guarded(self.collector.set_outcome, report.nodeid, outcome)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        """Final flush (with trace-key predictions); a failure is a warning, never an error."""
        _guarded(stop_collector)


def _guarded(func: Any, *args: Any) -> None:
    try:
        func(*args)
    except Exception as exc:  # the user's outcome must never depend on the tracer
        warnings.warn(f"tracehybrid: {exc}", PluginWarning, stacklevel=2)
