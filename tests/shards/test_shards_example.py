"""The example split into 2 and 4 shards and merged, the merge's refusals, and the two-stage mode.

In one file, so that one xdist worker (`--dist loadfile`) makes the example's whole-suite and
sharded runs once, for all of them.
"""

from __future__ import annotations

import pytest
from merge_checks import *  # noqa: F403
from refusal_checks import *  # noqa: F403
from two_stage_checks import *  # noqa: F403

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]

MERGES = ["example_2", "example_4"]
