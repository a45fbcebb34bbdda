"""[tool.tracehybrid] parsing: defaults, validation, one-line errors naming the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracehybrid.config import DEFAULT_EXCLUDE, Config, load_config
from tracehybrid.errors import ConfigError


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config(root=tmp_path)
    assert config.all_excludes() == DEFAULT_EXCLUDE


def test_defaults_with_pyproject_but_no_table(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "[project]\nname = 'x'\n")).max_traces == 4


def test_all_keys_parse(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        """
[tool.tracehybrid]
source = ["pkg"]
extend-exclude = ["pkg/legacy/**"]
disable = ["print-call", "TH141"]
max-traces = 8
min-speedup = 1.25
expected-calls-per-trace = 50
output-dir = "out"
jobs = 2
cache = false
""",
    )
    config = load_config(root)
    assert config.source == ("pkg",)
    assert "pkg/legacy/**" in config.all_excludes()
    assert config.disable == frozenset({"TH101", "TH141"})
    assert config.is_disabled("TH101")
    assert (config.max_traces, config.min_speedup, config.expected_calls_per_trace) == (8, 1.25, 50)
    assert (config.output_dir, config.jobs, config.cache) == ("out", 2, False)


def test_bisect_jobs_is_apart_from_jobs_and_capped_at_the_cores(tmp_path: Path) -> None:
    """`jobs` sizes static analysis only; `bisect-jobs` the parallel bisection runs."""
    cores = os.cpu_count() or 1
    root = _write(tmp_path, f"[tool.tracehybrid]\njobs = 7\nbisect-jobs = {cores + 5}\n")
    config = load_config(root)
    assert (config.jobs, config.bisect_jobs) == (7, cores + 5)
    assert config.parallel_bisection_runs() == cores
    assert Config(root=tmp_path, jobs=7).parallel_bisection_runs() == min(2, cores)


def test_unknown_key_names_the_key(tmp_path: Path) -> None:
    root = _write(tmp_path, "[tool.tracehybrid]\nmax-trace = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'max-trace'") as info:
        load_config(root)
    assert "\n" not in info.value.one_line()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("max-traces = -1", "non-negative integer"),
        ("max-traces = true", "non-negative integer"),
        ("min-speedup = 0", "positive number"),
        ("source = [1]", "list of strings"),
        ("disable = ['no-such-code']", "unknown code"),
        ("cache = 'yes'", "true or false"),
    ],
)
def test_bad_values_are_one_line_errors(tmp_path: Path, body: str, message: str) -> None:
    root = _write(tmp_path, f"[tool.tracehybrid]\n{body}\n")
    with pytest.raises(Exception, match=message) as info:
        load_config(root)
    assert "\n" not in str(info.value)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[tool.tracehybrid\n"))
