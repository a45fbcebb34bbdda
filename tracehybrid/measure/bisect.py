"""Find which targets change test outcomes: split the suspects, rerun the parts in parallel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

Group = tuple[int, ...]


@dataclass
class Culprits:
    """Items (by index) that change outcomes on their own, and groups that do only together."""

    alone: dict[int, set[str]] = field(default_factory=dict)  # index -> changed tests
    together: list[tuple[Group, set[str]]] = field(default_factory=list)
    runs: int = 0


def split(group: Sequence[int], parts: int) -> list[Group]:
    """GROUP cut into at most PARTS (at least 2) nearly equal, non-empty pieces, in order."""
    parts = max(2, min(parts, len(group)))
    size, extra = divmod(len(group), parts)
    pieces, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        pieces.append(tuple(group[start:end]))
        start = end
    return [p for p in pieces if p]


def find_culprits[T](
    items: Sequence[T],
    changed: set[str],
    run_subset: Callable[[Sequence[T]], set[str]],
    jobs: int,
) -> Culprits:
    """Bisect ITEMS, whose rerun together changed the tests CHANGED, down to the culprits.

    RUN_SUBSET reruns the tests with only the given items as graphs and returns the tests whose
    outcome changed. Each level's groups run in parallel, JOBS at a time, and each failing group
    is cut into max(2, JOBS) parts. A group that fails while all its parts pass is reported as
    `together`: its items change outcomes only in combination.
    """
    found = Culprits()
    pending: list[tuple[Group, set[str]]] = [(tuple(range(len(items))), changed)]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while pending:
            for group, group_changed in pending:
                if len(group) == 1:
                    found.alone[group[0]] = group_changed
            parents = [(g, c) for g, c in pending if len(g) > 1]
            parts = [(parent, part) for parent, _ in parents for part in split(parent, jobs)]
            results = list(pool.map(lambda pp: run_subset([items[i] for i in pp[1]]), parts))
            found.runs += len(parts)
            pending = []
            for parent, parent_changed in parents:
                failed = [
                    (p, c) for (g, p), c in zip(parts, results, strict=True) if g == parent and c
                ]
                if not failed:
                    found.together.append((parent, parent_changed))
                pending.extend(failed)
    return found
