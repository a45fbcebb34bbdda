"""pytest plugin: run the target functions as graphs, record outcomes, measure, never interfere.

Loaded with `-p tracehybrid.measure.inrun.graph_plugin` or through `PYTEST_PLUGINS` (what
`run_suite` sets, so xdist workers load it too). The targets file comes from
`--tracehybrid-graph-targets` or $TRACEHYBRID_GRAPH_TARGETS. Each process writes its own record
file; `merge_dir` joins them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from tracehybrid.measure.inrun.graph_run import GraphRun, start_graph_run
from tracehybrid.measure.inrun.isolation import (
    is_own_process,
    redirect_cache,
    redirect_reports,
    stop_coverage_plugin,
)
from tracehybrid.measure.inrun.record import crash_line
from tracehybrid.measure.inrun.reruns import InProcessProof
from tracehybrid.measure.inrun.selection import apply_selection
from tracehybrid.plugin_start import start_plugin
from tracehybrid.runtime.pytest_plugin import outcome_of

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_perf_counter = time.perf_counter

PLUGIN_NAME = "tracehybrid-graph"
#: The pid of the outermost pytest of the rerun; a pytest that a test starts inherits it.
OWNER_ENV = "TRACEHYBRID_GRAPH_OWNER"


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--tracehybrid-graph-targets PATH`: targets JSON (default: $TRACEHYBRID_GRAPH_TARGETS)."""
    group = parser.getgroup("tracehybrid")
    group.addoption("--tracehybrid-graph-targets", default=None, help="graph run targets JSON")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Hook imports before the project's conftest files (and so its code) are imported."""
    option = "tracehybrid_graph_targets"
    run = start_plugin(early_config, option, start_graph_run, "the graph run")
    if run is not None and not early_config.pluginmanager.has_plugin(PLUGIN_NAME):
        if is_own_process(OWNER_ENV):  # the user's files are written by the user's run only
            stop_coverage_plugin(early_config)
            folder = run.document.out_dir / "user-outputs"
            early_config.pluginmanager.register(UserOutputs(folder), f"{PLUGIN_NAME}-outputs")
        os.environ.setdefault(OWNER_ENV, str(os.getpid()))
        early_config.pluginmanager.register(GraphAttribution(run), PLUGIN_NAME)


class UserOutputs:
    """Moves the report files, --basetemp and cache writes of this run into the run folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        """Before the report plugins open their files and the tmp_path factory is made."""
        self.folder.mkdir(parents=True, exist_ok=True)
        redirect_reports(config, self.folder)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """After the cache provider is configured, before `--lf` state is written."""
        redirect_cache(session.config, self.folder)


class GraphAttribution:
    """Sets the current test around each test's protocol and records its outcome."""

    __test__ = False

    def __init__(self, run: GraphRun) -> None:
        self.run = run
        self.record = run.record
        self.loop_s = 0.0

    @pytest.hookimpl(hookwrapper=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> Generator[None, Any, None]:
        """After every plugin's own selection (-k/-m, pytest-split's `--group`, ...), whatever
        order they were registered in: leave out the tests that call no target (`selection`);
        only in the run's own process and its xdist workers, never in a pytest a test starts."""
        yield
        if is_own_process(OWNER_ENV):
            _guarded(self.run, apply_selection, config, items, self.run.document.out_dir)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self) -> None:
        """Fallback: patch target modules that were imported without going through the hook."""
        _guarded(self.run, self.run.patch_imported, True)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, None]:
        """Attribute every call between setup and teardown to this test."""
        self.record.current_test = item.nodeid
        yield
        self.record.current_test = ""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, Any, None]:
        """After the tests, the in-process reruns (`reruns`): culprits, solos, confirmation."""
        start = _perf_counter()
        yield
        self.loop_s = _perf_counter() - start
        if session.shouldfail or session.shouldstop or not self.run.document.measure.enabled:
            return
        if os.environ.get(OWNER_ENV) != str(os.getpid()) and not _is_worker(session.config):
            return  # a pytest started by a test: its tests are not the suite's
        _guarded(self.run, self._in_process, session)

    def _in_process(self, session: pytest.Session) -> None:
        document = self.run.document
        proof = InProcessProof(
            session,
            self.record,
            self.loop_s,
            document.measure.solo_budget,
            document.baseline,
            callers=document.callers,
        )
        self.record.solo = proof.run(frozenset(document.flaky)).to_json()

    def pytest_warning_recorded(self, warning_message: Any, nodeid: str) -> None:
        """A warning pytest caught in a test (its warnings plugin is on): graph warnings count."""
        _guarded(self.run, self.run.warnings.seen, str(warning_message.message), nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold setup/call/teardown reports into one outcome per node id."""
        self.record.durations[report.nodeid] += report.duration
        outcome = outcome_of(report, self.record.outcomes.get(report.nodeid))
        if outcome is not None:
            self.record.outcomes[report.nodeid] = outcome
        crash = crash_line(report)
        if crash and report.nodeid not in self.record.crashes:
            self.record.crashes[report.nodeid] = crash

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the record file; a failure is reported, never an error.

        A pytest started by one of the tests (not an xdist worker) still counts calls and
        traces, but its outcomes belong to another suite and are left out.
        """
        worker = _is_worker(session.config)
        self.record.nested = os.environ.get(OWNER_ENV) != str(os.getpid()) and not worker
        _guarded(self.run, self.run.finish)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Show tracehybrid's own problems as warnings in the summary."""
        for problem in self.record.problems[:10]:
            terminalreporter.write_line(f"tracehybrid warning: {problem}", yellow=True)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # an xdist worker (its owner is the controller)


def _guarded(run: GraphRun, func: Any, *args: Any) -> None:
    try:
        func(*args)
    except Exception as exc:  # the user's outcome must never depend on the rerun machinery
        run.record.problem(f"{getattr(func, '__name__', 'hook')}: {type(exc).__name__}: {exc}")
