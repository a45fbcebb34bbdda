"""Keeping the per-process trace stores: `--keep-stores`, `keep-stores = true`, the env var."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tiny_project import MATHOPS, TESTS, make_project, run_tracehybrid, tracehybrid

from tracehybrid.config import load_config
from tracehybrid.errors import ConfigError
from tracehybrid.launcher import KEEP_STORES_ENV
from tracehybrid.store.combine import process_stores

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(KEEP_STORES_ENV, raising=False)  # the runs below inherit the environment
    return make_project(tmp_path / "tiny_project", MATHOPS, TESTS)


def test_stores_are_removed_by_default(project: Path) -> None:
    assert (project / ".tracehybrid" / "trace.db").is_file()
    assert process_stores(project / ".tracehybrid") == []


def test_run_keep_stores_keeps_them_until_a_run_without(project: Path) -> None:
    out_dir = project / ".tracehybrid"
    assert run_tracehybrid(project, "--keep-stores").returncode == 0
    kept = process_stores(out_dir)
    assert kept  # the pytest process's store, beside trace.db
    assert run_tracehybrid(project).returncode == 0
    assert process_stores(out_dir) == []  # they were the replaced run's


def test_the_config_and_the_env_var_keep_them(tmp_path: Path) -> None:
    configured = make_project(tmp_path / "configured", MATHOPS, TESTS, "keep-stores = true")
    assert process_stores(configured / ".tracehybrid")
    plain = make_project(tmp_path / "plain", MATHOPS, TESTS)
    env_run = run_tracehybrid(plain, env={**os.environ, KEEP_STORES_ENV: "1"})
    assert env_run.returncode == 0, env_run.stderr
    assert process_stores(plain / ".tracehybrid")


def test_combine_keep_stores(project: Path) -> None:
    out_dir = project / ".tracehybrid"
    assert run_tracehybrid(project, "--keep-stores").returncode == 0
    kept = tracehybrid(project, "combine", "--keep-stores")
    assert kept.returncode == 0, kept.stderr
    assert process_stores(out_dir)
    removed = tracehybrid(project, "combine")
    assert removed.returncode == 0, removed.stderr
    assert process_stores(out_dir) == []


def test_keep_stores_must_be_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tracehybrid]\nkeep-stores = "yes"\n')
    with pytest.raises(ConfigError, match="keep-stores must be true or false"):
        load_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.tracehybrid]\nkeep-stores = true\n")
    assert load_config(tmp_path).keep_stores
