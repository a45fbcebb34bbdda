"""The analysis cache goes where it can be written: the output folder, else the user's cache
folder, else nowhere; a file standing where a folder should be blocks writes even for root."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tracehybrid.config import Config
from tracehybrid.static import AnalysisStats, analyze_project
from tracehybrid.static.cache import open_cache, user_cache_dir

MODULE = "import tensorflow as tf\n\ndef f(x):\n    return tf.square(x)\n"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text(MODULE)
    (root / "blocker").write_text("a file, not a folder\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return Config(root=root, output_dir="blocker")  # blocker/cache cannot be made


def test_unwritable_output_folder_falls_back_to_the_user_cache(config: Config) -> None:
    first, second = AnalysisStats(), AnalysisStats()
    assert analyze_project(config, stats=first).function("f").is_candidate
    analyze_project(config, stats=second)
    assert (first.cache_hits, second.cache_hits) == (0, 1)
    assert (user_cache_dir(config.root) / "static.sqlite").is_file()
    assert user_cache_dir(config.root).is_relative_to(config.root.parent / "user-cache")


def test_no_writable_cache_anywhere_still_analyses(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(config.root / "blocker"))
    assert open_cache(config.root / "blocker" / "cache", config.root) is None
    stats = AnalysisStats()
    assert analyze_project(config, stats=stats).function("f").is_candidate
    assert stats.cache_hits == 0


def test_a_writable_output_folder_is_used_first(config: Config) -> None:
    writable = dataclasses.replace(config, output_dir=".tracehybrid")
    analyze_project(writable)
    assert (config.root / ".tracehybrid" / "cache" / "static.sqlite").is_file()
    assert not user_cache_dir(config.root).exists()
