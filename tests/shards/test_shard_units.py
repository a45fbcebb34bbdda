"""The merge's small pure parts: the shard options a command may differ in, and moved paths."""

from __future__ import annotations

import pytest

from tracehybrid.shards.consistency import without_shard_options
from tracehybrid.shards.stores import reroot


@pytest.mark.parametrize(
    ("cmd", "kept"),
    [
        (["pytest", "-q", "--splits", "4", "--group", "2"], ["pytest", "-q", "--splits", "4"]),
        (["pytest", "--group=3", "-x"], ["pytest", "-x"]),
    ],
)
def test_only_the_shard_selection_may_differ(cmd: list[str], kept: list[str]) -> None:
    assert without_shard_options(cmd) == kept


def test_paths_move_to_the_merge_checkout() -> None:
    assert reroot("/ci/a/pkg/m.py", "/ci/a", "/work/b") == "/work/b/pkg/m.py"
    assert reroot("/ci/ab/m.py", "/ci/a", "/work/b") == "/ci/ab/m.py"
    assert reroot("/usr/lib/x.py", "/ci/a", "/work/b") == "/usr/lib/x.py"
