"""A hostile project cannot inject anything: every string from it reaches the page as text."""

from __future__ import annotations

import dataclasses

import pytest
from page_parse import Page, parse_page

from tracehybrid.report import plots
from tracehybrid.report.html import render_html
from tracehybrid.report.model import ReportModel

PAYLOAD = "<script>alert(1)</script></svg>\"'&"
# Attributes that may legitimately carry project strings (escaped, inert).
TEXT_ATTRIBUTES = {"data-search", "title", "aria-label"}


@pytest.fixture(scope="module")
def hostile_html(hostile: ReportModel) -> str:
    return render_html(hostile)


@pytest.fixture(scope="module")
def page(hostile_html: str) -> Page:
    return parse_page(hostile_html)


def test_fixture_puts_the_payload_everywhere(hostile: ReportModel) -> None:
    evil, other = hostile.functions
    assert PAYLOAD in evil.qualname
    assert PAYLOAD in other.path
    assert any(PAYLOAD in t for t in evil.tests)
    assert any(PAYLOAD in s.args for s in evil.signatures)
    assert any(PAYLOAD in r.message for r in other.reasons)
    assert any("<script>" in line.text for line in evil.excerpt.lines)


def test_exactly_our_one_script_element(page: Page) -> None:
    scripts = page.tags("script")
    assert len(scripts) == 1
    assert "alert" not in scripts[0].text


def test_no_element_or_attribute_comes_from_the_payload(page: Page) -> None:
    assert page.errors == []  # no </svg> or </script> closed anything early
    assert not page.tags("img")
    for element in page.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            if value and "<script>" in value:
                assert name in TEXT_ATTRIBUTES, (element.tag, name)


def test_svg_elements_are_balanced_and_ours(page: Page, hostile: ReportModel) -> None:
    expected = 2 + sum(f.traces is not None for f in hostile.functions)
    assert len(page.tags("svg")) == expected
    labels = [t.text for t in page.tags("text")]
    assert any(PAYLOAD[:20] in label for label in labels)  # the qualname, as SVG text


def test_payload_is_text_and_escaped_in_the_source(page: Page, hostile_html: str) -> None:
    text = "".join(page.texts)
    assert PAYLOAD in text  # shown to the reader verbatim
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/svg&gt;" in hostile_html
    assert hostile_html.count("<script>") == 1
    assert "</svg>\"'&" not in hostile_html


def test_matplotlib_mathtext_and_markup_stay_literal(realistic: ReportModel) -> None:
    fn = dataclasses.replace(realistic.functions[0], qualname="$\\alpha$ & <b>x</b>")
    svg = plots.speedup_svg([fn])
    assert svg is not None
    assert "$\\alpha$ &amp; &lt;b&gt;x&lt;/b&gt;" in svg
    assert "mathdefault" not in svg


def test_unknown_code_gets_a_safe_anchor(page: Page, hostile: ReportModel) -> None:
    doc = next(c for c in hostile.codes if not c.known)
    assert doc.anchor.replace("-", "").replace("_", "").isalnum()
    assert doc.anchor in page.ids()
