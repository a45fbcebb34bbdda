"""Culprit search over target sets, with a rerun that fails for chosen targets."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from tracehybrid.measure.bisect import find_culprits, split


class Suite:
    """Reruns: a test changes when its culprit runs, or when every member of a pair runs."""

    def __init__(
        self, alone: dict[str, str], pairs: dict[frozenset[str], str] | None = None
    ) -> None:
        self.alone, self.pairs = alone, pairs or {}
        self.subsets: list[tuple[str, ...]] = []
        self.lock = threading.Lock()

    def __call__(self, subset: Sequence[str]) -> set[str]:
        with self.lock:
            self.subsets.append(tuple(subset))
        changed = {test for name, test in self.alone.items() if name in subset}
        return changed | {test for pair, test in self.pairs.items() if pair <= set(subset)}


NAMES = [f"f{i}" for i in range(8)]


def test_split_keeps_order_and_sizes() -> None:
    assert split(range(5), 2) == [(0, 1, 2), (3, 4)]
    assert split(range(5), 4) == [(0, 1), (2,), (3,), (4,)]
    assert split(range(2), 8) == [(0,), (1,)]


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_isolates_exactly_the_single_culprits(jobs: int) -> None:
    suite = Suite({"f2": "t_a", "f6": "t_b"})
    found = find_culprits(NAMES, {"t_a", "t_b"}, suite, jobs)
    assert {NAMES[i]: tests for i, tests in found.alone.items()} == {"f2": {"t_a"}, "f6": {"t_b"}}
    assert not found.together
    assert found.runs == len(suite.subsets) < 2 * len(NAMES)


def test_a_pair_that_fails_only_together_is_reported_as_such() -> None:
    suite = Suite({}, {frozenset({"f1", "f5"}): "t_pair"})
    found = find_culprits(NAMES, {"t_pair"}, suite, 2)
    assert not found.alone
    assert [(tuple(NAMES[i] for i in group), tests) for group, tests in found.together] == [
        (tuple(NAMES), {"t_pair"})
    ]


def test_a_single_item_is_its_own_culprit_without_a_rerun() -> None:
    suite = Suite({"f0": "t"})
    found = find_culprits(["f0"], {"t"}, suite, 2)
    assert found.alone == {0: {"t"}} and found.runs == 0 and not suite.subsets
