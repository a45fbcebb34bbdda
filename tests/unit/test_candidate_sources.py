"""Issue 15.1: the `candidate_sources` summary extra in the terminal and the HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tracehybrid.report.html import render_html
from tracehybrid.report.model import build_model
from tracehybrid.report.text import candidate_sources_text, totals_line

FIXTURE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "results.json"
SOURCES = "3 from static analysis alone, 1 from runtime evidence alone, 7 from both"


def document(sources: Any) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    if sources is not None:
        raw["summary"]["candidate_sources"] = sources
    return raw


def test_the_totals_line_and_the_candidates_card_show_the_three_counts() -> None:
    model = build_model(document({"static": 3, "runtime": 1, "both": 7}))
    assert f"{model.summary.candidates} candidates ({SOURCES}):" in totals_line(model)
    assert SOURCES in render_html(model)


def test_without_the_extra_or_with_a_malformed_one_nothing_is_shown() -> None:
    for sources in (None, {"static": 3, "runtime": "1", "both": 7}, [3, 1, 7]):
        model = build_model(document(sources))
        assert candidate_sources_text(model) == ""
        assert f"{model.summary.candidates} candidates:" in totals_line(model)
