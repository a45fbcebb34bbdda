"""The HTML report: self-contained, well formed, linked, deterministic, and its text is golden."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest
from page_parse import Page, parse_page
from report_golden import check_golden, html_text

from tracehybrid.report import plots
from tracehybrid.report.html import render_html
from tracehybrid.report.model import ReportModel
from tracehybrid.report.phase_times import phase_rows


@pytest.fixture(scope="module")
def page_html(realistic: ReportModel) -> str:
    return render_html(realistic)


@pytest.fixture(scope="module")
def page(page_html: str) -> Page:
    return parse_page(page_html)


def test_golden_html_text(page_html: str) -> None:
    check_golden("report-text.txt", html_text(page_html))


def test_rendering_is_deterministic(realistic: ReportModel, page_html: str) -> None:
    assert render_html(realistic) == page_html


def test_page_is_well_formed_with_unique_ids(page: Page) -> None:
    assert page.errors == []
    duplicated = [i for i, n in Counter(page.ids()).items() if n > 1]
    assert duplicated == []


def test_self_contained_one_inline_script_and_a_strict_policy(page: Page, page_html: str) -> None:
    scripts = page.tags("script")
    assert len(scripts) == 1
    assert "src" not in scripts[0].attrs
    assert not page.tags("link")
    assert not page.tags("img")
    policy = next(m for m in page.tags("meta") if m.attrs.get("http-equiv"))
    assert "default-src 'none'" in str(policy.attrs["content"])
    for element in page.elements:
        for name in ("src", "href"):
            value = element.attrs.get(name) or ""
            assert not re.match(r"^\s*(https?:|//|javascript:)", value), (element.tag, value)
    assert "url(http" not in page_html
    assert "@import" not in page_html


def test_every_in_page_link_has_a_target(page: Page) -> None:
    ids = set(page.ids())
    targets = {str(a.attrs["href"])[1:] for a in page.tags("a") if str(a.attrs["href"])[:1] == "#"}
    assert targets - ids == set()
    svg_refs = {
        ref
        for e in page.elements
        for value in e.attrs.values()
        for ref in re.findall(r"url\(#([^)]+)\)", value or "")
    }
    assert svg_refs - ids == set()


def test_reason_codes_link_to_embedded_explanations(page: Page, realistic: ReportModel) -> None:
    sections = {e.attrs["id"] for e in page.tags("section") if e.attrs.get("class") == "code"}
    assert sections == {doc.anchor for doc in realistic.codes}
    links = [a for a in page.tags("a") if a.attrs["href"] == "#code-TH101"]
    assert len(links) == 3  # commonest reasons, the table row, the detail


def test_table_has_a_focusable_row_per_function(page: Page, realistic: ReportModel) -> None:
    rows = [e for e in page.tags("tr") if "data-target" in e.attrs]
    assert [r.attrs["data-target"] for r in rows] == [f.anchor for f in realistic.functions]
    assert all(r.attrs["tabindex"] == "0" for r in rows)
    buttons = [b for b in page.tags("button") if b.attrs.get("type") == "button"]
    assert len(buttons) == 10


def test_plots_are_inline_svg_without_metadata(
    page: Page, page_html: str, realistic: ReportModel
) -> None:
    svgs = page.tags("svg")
    with_traces = sum(f.traces is not None for f in realistic.functions)
    assert with_traces == 7
    assert realistic.timings is not None
    phase_bars = len(phase_rows(realistic.timings))  # one bar per phase of the run
    assert len(svgs) == 2 + with_traces + phase_bars
    assert all(s.attrs.get("role") == "img" for s in svgs)
    assert "<metadata" not in page_html
    assert "<?xml" not in page_html
    assert "dc:date" not in page_html.lower()


def test_source_marks_offending_lines_and_patch_shows_the_decorator(page: Page) -> None:
    marked = [e for e in page.tags("span") if e.attrs.get("class") == "l marked"]
    assert any('print("step", step' in e.text for e in marked)
    added = [e for e in page.tags("span") if e.attrs.get("class") == "l add"]
    assert any("@tf.function(reduce_retracing=True)" in e.text for e in added)


def test_plots_survive_odd_measurements(realistic: ReportModel) -> None:
    base = realistic.functions[0]
    assert base.speedup is not None
    odd = [
        dataclasses.replace(base, speedup=dataclasses.replace(base.speedup, ratio=0.0)),
        dataclasses.replace(
            base, speedup=dataclasses.replace(base.speedup, ratio=2.0, spread=(3.0, 1.0))
        ),
    ]
    svg = plots.speedup_svg(odd)
    assert svg is not None
    assert svg.startswith("<svg ")


def test_test_command_is_shell_quoted_so_it_can_be_pasted(realistic: ReportModel) -> None:
    command = ["python", "-m", "pytest", "-k", "not slow", "-q"]
    page = render_html(dataclasses.replace(realistic, test_command=command))
    assert "<code>python -m pytest -k &#x27;not slow&#x27; -q</code>" in page


def test_output_differences_set_aside_are_shown_in_the_detail(realistic: ReportModel) -> None:
    note = "not reproduced: differed from eager once in test_a.py::test_x (<b>0.263</b>)"
    functions = [dataclasses.replace(realistic.functions[0], output_notes=[note])]
    page = render_html(dataclasses.replace(realistic, functions=functions))
    assert "Outputs, not reproduced: differed from eager once in test_a.py::test_x" in page
    assert "(&lt;b&gt;0.263&lt;/b&gt;)" in page  # a project string, escaped
