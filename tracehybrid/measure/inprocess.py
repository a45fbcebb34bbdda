"""Rerun single tests inside the graph run's own pytest process, with chosen targets changed.

After the suite has run, a test can run again through pytest's own `runtestprotocol` (its
fixtures set up and torn down as usual, nothing reported), with each target in its new form (as
a graph, or eager for a dehybridization) or as it was. No new process, no second TensorFlow
import: a rerun costs what the test costs.
"""

from __future__ import annotations

from typing import Any

import pytest
from _pytest.runner import runtestprotocol

from tracehybrid.measure.record import crash_line
from tracehybrid.measure.solo import Rerun
from tracehybrid.runtime.pytest_plugin import outcome_of


class Forms:
    """Which targets take their new form during a rerun; None outside reruns (normal mode)."""

    new: frozenset[str] | None = None


FORMS = Forms()  # read on every call of a wrapped target: one attribute lookup
Result = tuple[str, str]  # (outcome, one-line crash or "")


class Rerunner:
    """Reruns the tests of one session by node id and counts the reruns."""

    def __init__(self, items: dict[str, pytest.Item]) -> None:
        self.items = items
        self.count = 0

    def chain(self, reruns: list[Rerun]) -> list[Result]:
        """The result of each rerun, run in order; fixtures above a test are kept for the
        next rerun that shares them, as pytest keeps them between consecutive tests."""
        results = []
        for index, (nodeid, forms) in enumerate(reruns):
            item = self.items[nodeid]
            following = reruns[index + 1][0] if index + 1 < len(reruns) else None
            # The same test next: tear down to its parent only (its function fixtures).
            nextitem: Any = item.parent if following == nodeid else self.items.get(following or "")
            results.append(self.once(item, nextitem, forms))
        self.count += len(reruns)
        return results

    def once(self, item: pytest.Item, nextitem: Any, forms: frozenset[str]) -> Result:
        """One rerun of ITEM with the targets FORMS in their new form, the others as they were."""
        FORMS.new = forms
        try:
            reports = runtestprotocol(item, log=False, nextitem=nextitem)
        finally:
            FORMS.new = None
        outcome: str | None = None
        crash = ""
        for report in reports:
            outcome = outcome_of(report, outcome)
            crash = crash or crash_line(report)
        return outcome or "missing", crash
