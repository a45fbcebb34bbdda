"""The terminal summary: rich on a terminal, plain lines in logs, one line when quiet (golden)."""

from __future__ import annotations

import dataclasses
import io

from report_golden import check_golden
from rich.console import Console

from tracehybrid.report.model import ReportModel, RunView
from tracehybrid.report.text import failed_tests_note, no_tests_note, render_text


def _render(model: ReportModel, *, terminal: bool, quiet: bool = False, width: int = 120) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=width, color_system=None)
    render_text(model, console, quiet=quiet)
    return out.getvalue()


def test_golden_text_rich(realistic: ReportModel) -> None:
    check_golden("summary-rich.txt", _render(realistic, terminal=True))


def test_golden_text_plain(realistic: ReportModel) -> None:
    check_golden("summary-plain.txt", _render(realistic, terminal=False))


def test_plain_mode_has_no_escape_codes_or_boxes(realistic: ReportModel) -> None:
    text = _render(realistic, terminal=False)
    assert "\x1b[" not in text
    assert "┃" not in text
    assert text.splitlines()[0].startswith("approved fit_step ")


def test_quiet_prints_only_the_totals(realistic: ReportModel) -> None:
    lines = _render(realistic, terminal=False, quiet=True).splitlines()
    assert lines == [
        "tracehybrid: 11 candidates: 4 approved, 7 rejected; suite 18.4 s eager, 11.9 s graph "
        "(1.55x); speedup mean 3.75x, median 3.42x"
    ]


def test_project_strings_are_not_read_as_markup(hostile: ReportModel) -> None:
    text = _render(hostile, terminal=True, width=250)
    assert "evil[bold red]x[/]<script>" in text  # markup in a qualname is printed, not applied


def test_failing_project_tests_get_one_note_in_every_mode(realistic: ReportModel) -> None:
    assert failed_tests_note(realistic) is None  # its traced run passed
    failing = dataclasses.replace(realistic, eager_run=RunView(1, 40, 3, 2, 18.4))
    note = "tracehybrid: note: 3 tests failed in the traced run, as without tracehybrid;"
    for terminal, quiet in ((True, False), (False, False), (False, True)):
        lines = _render(failing, terminal=terminal, quiet=quiet, width=250).splitlines()
        assert lines[-1].startswith(note), (terminal, quiet)


def test_a_run_without_tests_says_what_it_can_and_cannot_establish(realistic: ReportModel) -> None:
    assert no_tests_note(realistic) is None
    script = dataclasses.replace(realistic, eager_run=RunView(0, 0, 0, 0, 2.0))
    for terminal, quiet in ((True, False), (False, False), (False, True)):
        last = _render(script, terminal=terminal, quiet=quiet, width=250).splitlines()[-1]
        assert last.startswith("tracehybrid: note: the command ran no tests (a script, not pytest)")
        assert last.endswith("so nothing can be approved (TH210)")
