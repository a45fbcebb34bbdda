"""`suite-time`: the whole suite timed as-is and with the approvals (default), or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracehybrid.config import config_from_table
from tracehybrid.errors import ConfigError


def test_suite_time_is_on_by_default_and_can_be_switched_off(tmp_path: Path) -> None:
    assert config_from_table(tmp_path, {}).suite_time is True
    assert config_from_table(tmp_path, {"suite-time": False}).suite_time is False


def test_suite_time_must_be_a_boolean(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="suite-time must be true or false"):
        config_from_table(tmp_path, {"suite-time": "no"})
