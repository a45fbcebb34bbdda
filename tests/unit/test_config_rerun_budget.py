"""`rerun-budget`: one fraction for every in-process rerun; `solo-budget` is still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracehybrid.config import Config, config_from_table
from tracehybrid.errors import ConfigError


def test_the_default_budget_is_half_the_tests_time(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    assert config.rerun_budget == 0.5


def test_rerun_budget_and_its_former_name_set_the_same_setting(tmp_path: Path) -> None:
    assert config_from_table(tmp_path, {"rerun-budget": 0.75}).rerun_budget == 0.75
    former = config_from_table(tmp_path, {"solo-budget": 1})
    assert former.rerun_budget == 1.0


def test_setting_both_names_is_an_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="solo-budget sets rerun-budget a second time"):
        config_from_table(tmp_path, {"rerun-budget": 0.5, "solo-budget": 0.25})


def test_a_negative_budget_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rerun-budget must be a non-negative number"):
        config_from_table(tmp_path, {"rerun-budget": -0.1})
