"""Rerun single tests inside the graph run's own pytest process, with chosen targets changed.

After the suite has run, a test can run again through pytest's own `runtestprotocol` (its
fixtures set up and torn down as usual, nothing reported), with each target in its new form (as
a graph, or eager for a dehybridization) or as it was. No new process, no second TensorFlow
import: a rerun costs what the test costs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from _pytest.runner import runtestprotocol

from tracehybrid.measure.inrun.muted import muted_reports
from tracehybrid.measure.inrun.record import crash_line
from tracehybrid.measure.inrun.solo import Rerun
from tracehybrid.runtime.pytest_plugin import outcome_of


class Forms:
    """Which targets take their new form during a rerun; None outside reruns (normal mode).
    The `measured` ones are called as in the graph run itself (new form, counted, measured)."""

    new: frozenset[str] | None = None
    measured: frozenset[str] = frozenset()


FORMS = Forms()  # read on every call of a wrapped target: one attribute lookup
Result = tuple[str, str]  # (outcome, one-line crash or "")


@contextlib.contextmanager
def forms(new: frozenset[str], measured: frozenset[str] = frozenset()) -> Iterator[None]:
    """Within it, the targets NEW run in their new form, MEASURED as in the graph run, the rest
    as they were; then the forms before it again (a timed call inside a rerun nests in it)."""
    before = FORMS.new, FORMS.measured
    FORMS.new, FORMS.measured = new, measured
    try:
        yield
    finally:
        FORMS.new, FORMS.measured = before


class Rerunner:
    """Reruns the tests of one session by node id and counts the reruns.

    Fixtures above the test (module, class, session) stay set up from one rerun to the next
    while the tests share them, as in pytest's own loop: a test's function fixtures are torn
    down after it, the rest only when the next rerun does not need them, or at `close`.
    """

    def __init__(self, items: dict[str, pytest.Item]) -> None:
        self.items = items
        self.count = 0
        self.session: pytest.Session | None = next(iter(items.values())).session if items else None

    def chain(self, reruns: list[Rerun], measured: frozenset[str] = frozenset()) -> list[Result]:
        """The result of each rerun, in order (MEASURED: as in `once`)."""
        results = [self.once(self.items[nodeid], new, measured) for nodeid, new in reruns]
        self.count += len(reruns)
        return results

    def once(
        self, item: pytest.Item, new: frozenset[str], measured: frozenset[str] = frozenset()
    ) -> Result:
        """One rerun of ITEM with the targets NEW in their new form, MEASURED in theirs and
        counted and measured as in the graph run (`forms`), the others as they were."""
        self._teardown(item)  # what the previous rerun set up and this test does not share
        with forms(new, measured), muted_reports(item.session) as logged:
            # Tear down only the test's own fixtures afterwards (its parent stays).
            reports = runtestprotocol(item, log=False, nextitem=item.parent)  # type: ignore[arg-type]
        outcome: str | None = None
        crash = ""
        for report in [*reports, *logged]:  # subtests report themselves (unittest subTest)
            outcome = outcome_of(report, outcome)
            crash = crash or crash_line(report)
        return outcome or "missing", crash

    def close(self) -> None:
        """Tear down every fixture the reruns left set up."""
        self._teardown(None)

    def _teardown(self, keep_for: pytest.Item | None) -> None:
        state = getattr(self.session, "_setupstate", None)
        if state is None:
            return
        with contextlib.suppress(Exception):  # a fixture's teardown error is its test's business
            state.teardown_exact(keep_for)
