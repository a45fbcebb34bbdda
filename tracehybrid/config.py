"""`[tool.tracehybrid]` in the analysed project's pyproject.toml: what to analyse, thresholds."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tracehybrid import codes
from tracehybrid.errors import ConfigError

# Folders that never hold the project's own source: tests, virtual environments, build output.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "**/tests/**",
    "**/test/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/.*/**",
    "**/venv/**",
    "**/env/**",
    "**/build/**",
    "**/dist/**",
    "**/site-packages/**",
    "**/node_modules/**",
    "**/__pycache__/**",
)

AUTOMATIC_BISECT_JOBS = 2


@dataclass(frozen=True)
class Config:
    """Settings for one project; defaults need no configuration at all."""

    root: Path
    source: tuple[str, ...] = ()  # paths or packages relative to root; empty: discover
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    disable: frozenset[str] = frozenset()  # codes (TH101) after resolving names
    max_traces: int = 4  # distinct trace keys above which a candidate is "retracing"
    min_speedup: float = 1.1  # steady-state graph call must be this much faster
    # Calls a trace is expected to serve in real use (a training loop makes millions): tracing
    # must pay for itself within this many calls.
    expected_calls_per_trace: int = 10_000
    # The in-process reruns of a graph run (culprit search, solo, confirmation and unmeasured
    # reruns) share this fraction of its tests' own time, measurement left out; what does not
    # fit is reported (a function not run alone, a test left to bisection).
    rerun_budget: float = 0.5
    # Measure the whole suite's time as `apply` leaves it: the proof runs the tests once with no
    # function changed and once with exactly the approved ones as graphs, nothing measured (two
    # more runs of the tests; the second also confirms the approvals together). False: no suite
    # figure, and graph rounds until one changes no outcome, as before.
    suite_time: bool = True
    output_dir: str = ".tracehybrid"
    jobs: int = 0  # parallel workers for static analysis; 0: one per core
    # Bisection runs of the test suite in parallel; 0: automatic (two), never more than the cores:
    # each is a whole pytest session with TensorFlow, so more than the cores only thrashes.
    bisect_jobs: int = 0
    cache: bool = True
    # Keep the per-process trace stores once combined into trace.db (for bug reports, or to
    # combine them again with CI shards); TRACEHYBRID_KEEP_STORES=1 and --keep-stores do too.
    keep_stores: bool = False

    def all_excludes(self) -> tuple[str, ...]:
        """The exclude globs in effect."""
        return self.exclude + self.extend_exclude

    def is_disabled(self, code: str) -> bool:
        """True when `code` is switched off for this project."""
        return code in self.disable

    @property
    def output_path(self) -> Path:
        """The output folder (`output-dir` under the root); workspace.RunDir names what is in it."""
        return self.root / self.output_dir

    def parallel_bisection_runs(self, workers: int = 1) -> int:
        """How many bisection runs may go at once: `bisect-jobs`, capped so that their WORKERS
        processes each (the command's `pytest -n`) never outnumber the machine's cores."""
        cores = os.cpu_count() or 1
        return min(self.bisect_jobs or AUTOMATIC_BISECT_JOBS, max(1, cores // max(1, workers)))


_TOML_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Config) if f.name != "root"}
# Former names still read: key -> the setting it now sets.
_RENAMED_KEYS = {"solo-budget": "rerun_budget"}


def load_config(root: Path) -> Config:
    """Read `[tool.tracehybrid]` from `root/pyproject.toml`; defaults when absent."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return Config(root=root)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from exc
    table = data.get("tool", {}).get("tracehybrid", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.tracehybrid] must be a table")
    return config_from_table(root, table, origin=str(pyproject))


def config_from_table(root: Path, table: dict[str, Any], origin: str = "config") -> Config:
    """Validate a parsed `[tool.tracehybrid]` table into a Config."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = _TOML_KEYS.get(key) or _RENAMED_KEYS.get(key)
        if name is None:
            known = ", ".join(sorted(_TOML_KEYS))
            raise ConfigError(
                f"{origin}: unknown key {key!r} in [tool.tracehybrid] (known: {known})"
            )
        if name in values:
            raise ConfigError(f"{origin}: {key} sets {name.replace('_', '-')} a second time")
        values[name] = _convert(name, value, origin, key)
    return Config(root=root, **values)


def _convert(name: str, value: Any, origin: str, key: str) -> Any:
    if name in {"source", "exclude", "extend_exclude"}:
        return tuple(_str_list(value, origin, key))
    if name == "disable":
        return frozenset(codes.get(item).code for item in _str_list(value, origin, key))
    if name in {"max_traces", "expected_calls_per_trace", "jobs", "bisect_jobs"}:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{origin}: {key} must be a non-negative integer, not {value!r}")
        return value
    if name == "min_speedup":
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{origin}: {key} must be a positive number, not {value!r}")
        return float(value)
    if name == "rerun_budget":
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{origin}: {key} must be a non-negative number, not {value!r}")
        return float(value)
    if name in {"cache", "keep_stores", "suite_time"}:
        if not isinstance(value, bool):
            raise ConfigError(f"{origin}: {key} must be true or false, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{origin}: {key} must be a string, not {value!r}")
    return value


def _str_list(value: Any, origin: str, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{origin}: {key} must be a list of strings, not {value!r}")
    return list(value)


__all__ = ["DEFAULT_EXCLUDE", "Config", "config_from_table", "load_config"]
