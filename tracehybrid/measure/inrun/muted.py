"""Reruns that pytest's own reporting never sees: no summary line, junit entry or exit status.

`runtestprotocol(item, log=False)` keeps a rerun's reports to itself, but a unittest `subTest`
(tf.test.TestCase, absl parameterized) logs its own report through the item's hook relay. Logged,
a failing subtest of a rerun reaches junit, the terminal summary and `session.testsfailed`, so the
graph run's exit status and files would contradict what the suite itself did. While a rerun runs,
the session's hook relays catch those reports for the rerun instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest


class _CatchingRelay:
    """A hook relay that keeps logged reports and passes every other hook through."""

    def __init__(self, relay: Any, caught: list[pytest.TestReport]) -> None:
        self._relay = relay
        self._caught = caught

    def __getattr__(self, name: str) -> Any:
        if name == "pytest_runtest_logreport":
            return self._keep
        if name == "pytest_exception_interact":
            return _ignore
        return getattr(self._relay, name)

    def _keep(self, report: pytest.TestReport) -> None:
        self._caught.append(report)


def _ignore(**_kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def muted_reports(session: pytest.Session) -> Iterator[list[pytest.TestReport]]:
    """Within the block, reports logged through an item's `ihook` are kept in the yielded list."""
    caught: list[pytest.TestReport] = []
    original = session.gethookproxy
    failed_subtests = _failed_subtests(session.config)
    counts = dict(failed_subtests) if failed_subtests is not None else {}

    def gethookproxy(fspath: Any) -> Any:
        return _CatchingRelay(original(fspath), caught)

    session.gethookproxy = gethookproxy  # type: ignore[method-assign]
    try:
        yield caught
    finally:
        del session.gethookproxy  # the class's method again
        if failed_subtests is not None:  # pytest fails a test with failed subtests by this count
            failed_subtests.clear()
            failed_subtests.update(counts)


def _failed_subtests(config: pytest.Config) -> Any:
    try:
        from _pytest.subtests import failed_subtests_key  # noqa: PLC0415 - pytest >= 9 only
    except ImportError:
        return None
    return config.stash.get(failed_subtests_key, None)
