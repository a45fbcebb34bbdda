"""keras_project split into 2 and 4 shards and merged: the checks of merge_checks.py."""

from __future__ import annotations

import pytest
from merge_checks import *  # noqa: F403

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]

MERGES = ["keras_2", "keras_4"]
