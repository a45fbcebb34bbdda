"""Keep tracehybrid's own pytest runs off everything the user's command writes.

The graph runs and bisection runs repeat the user's command, options included. Left alone they
would rewrite the user's `--junitxml` file with tracehybrid's reruns, clear `--basetemp`, record
`--lf` state, and write coverage data and reports. The user's traced run writes those files; the
runs after it write theirs into the run folder instead, or not at all:

- report files (`--junitxml`, `--report-log`, `--html`, `--json-report-file`, `--resultlog`) and
  `--basetemp` are redirected into the run folder;
- pytest's cache (`--lf`/`--nf` state) is read as usual but written to the run folder;
- pytest-cov is not started (no data, no reports, no `--cov-fail-under` exit code), and coverage.py
  started outside pytest (`coverage run -m pytest`) writes to the run folder (`COVERAGE_FILE`).

Only the processes of tracehybrid's own run are changed: its outermost pytest and its xdist
workers. A pytest that one of the user's tests starts is the test's business and is left as is.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest

#: pytest option dest -> the file name it gets in the run folder (report writers only).
REPORT_OPTIONS = {
    "xmlpath": "junit.xml",  # --junitxml (pytest)
    "report_log": "report-log.jsonl",  # --report-log (pytest-reportlog)
    "htmlpath": "report.html",  # --html (pytest-html)
    "json_report_file": "report.json",  # --json-report-file (pytest-json-report)
    "resultlog": "resultlog.txt",  # --resultlog (old pytest)
}


def is_own_process(owner_env: str) -> bool:
    """True in the outermost pytest of a tracehybrid run and in its xdist workers."""
    owner = os.environ.get(owner_env)
    if owner is None or owner == str(os.getpid()):
        return True
    # An xdist worker is started by the controller itself; a pytest run by a test is not.
    return "PYTEST_XDIST_WORKER" in os.environ and str(os.getppid()) == owner


def stop_coverage_plugin(early_config: pytest.Config) -> None:
    """pytest-cov starts only when `--cov` was given: make it look as though it was not.

    Runs before pytest-cov's own `pytest_load_initial_conftests` (both are `tryfirst`, and the
    plugin named in PYTEST_PLUGINS is registered after entry-point plugins, so it is called first).
    """
    namespace = early_config.known_args_namespace
    if getattr(namespace, "cov_source", None):
        namespace.cov_source = None


def redirect_reports(config: pytest.Config, folder: Path) -> None:
    """Point the report options the command set, and `--basetemp`, into FOLDER.

    Call from a `tryfirst` `pytest_configure`, before the report plugins open their files.
    """
    option = config.option
    for name, filename in REPORT_OPTIONS.items():
        if getattr(option, name, None):
            setattr(option, name, str(folder / f"{os.getpid()}-{filename}"))
    if getattr(option, "basetemp", None):
        # pytest empties --basetemp at start: never the user's folder.
        option.basetemp = str(folder / f"{os.getpid()}-basetemp")
    if getattr(option, "cacheclear", False):
        option.cacheclear = False  # the user's cache was cleared by their own run already


def redirect_cache(config: pytest.Config, folder: Path) -> None:
    """Writes to pytest's cache go to FOLDER; what `--lf` read at start-up stays as it was.

    Call from a `trylast` `pytest_configure`, after the cache provider created `config.cache`.
    """
    if not hasattr(config, "cache"):
        return  # -p no:cacheprovider
    cache: Any = pytest.Cache(folder / "pytest-cache", config, _ispytest=True)
    config.cache = cache
    stepwise = config.pluginmanager.get_plugin("stepwiseplugin")
    if stepwise is not None and hasattr(stepwise, "cache"):
        with contextlib.suppress(AttributeError):
            stepwise.cache = cache


def coverage_environment(env: dict[str, str], folder: Path) -> None:
    """Put coverage.py's data file in FOLDER, for commands such as `coverage run -m pytest`."""
    env["COVERAGE_FILE"] = str(folder / ".coverage")
