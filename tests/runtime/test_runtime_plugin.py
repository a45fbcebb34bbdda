"""Folding pytest's setup/call/teardown reports into one outcome per test, as pytest counts them."""

from __future__ import annotations

import pytest

from tracehybrid.runtime.pytest_plugin import outcome_of


def report(when: str, outcome: str, wasxfail: bool = False) -> pytest.TestReport:
    made = pytest.TestReport("t.py::x", ("t.py", 1, "x"), {}, outcome, None, when)  # type: ignore[arg-type]
    if wasxfail:
        made.wasxfail = "reason"  # type: ignore[attr-defined]
    return made


def fold(*reports: pytest.TestReport) -> str | None:
    outcome = None
    for item in reports:
        outcome = outcome_of(item, outcome)
    return outcome


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ((("setup", "passed"), ("call", "passed"), ("teardown", "passed")), "passed"),
        ((("setup", "passed"), ("call", "failed"), ("teardown", "passed")), "failed"),
        ((("setup", "failed"), ("teardown", "passed")), "error"),
        ((("setup", "skipped"), ("teardown", "passed")), "skipped"),
        ((("setup", "passed"), ("call", "passed"), ("teardown", "failed")), "error"),
        ((("setup", "passed"), ("call", "failed"), ("teardown", "failed")), "failed"),
    ],
)
def test_outcomes(reports: tuple[tuple[str, str], ...], expected: str) -> None:
    assert fold(*(report(when, outcome) for when, outcome in reports)) == expected


def test_xfail_outcomes() -> None:
    xfailed = (report("setup", "passed"), report("call", "skipped", wasxfail=True))
    assert fold(*xfailed, report("teardown", "passed")) == "xfailed"
    xpassed = (report("setup", "passed"), report("call", "passed", wasxfail=True))
    assert fold(*xpassed, report("teardown", "passed")) == "xpassed"
