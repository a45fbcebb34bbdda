"""SARIF validated against the official 2.1.0 schema (golden too), and the JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_golden import check_golden

from tracehybrid.report.jsonreport import dumps, render_json
from tracehybrid.report.model import ReportModel, load_results
from tracehybrid.report.sarif import render_sarif


@pytest.fixture(scope="session")
def sarif_schema(fixtures: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((fixtures / "sarif-schema-2.1.0.json").read_text())
    return schema


@pytest.mark.parametrize("name", ["realistic", "hostile"])
def test_sarif_is_valid_against_the_official_schema(
    name: str, request: pytest.FixtureRequest, sarif_schema: dict[str, Any]
) -> None:
    model: ReportModel = request.getfixturevalue(name)
    log = render_sarif(model)
    jsonschema.Draft4Validator.check_schema(sarif_schema)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    json.dumps(log)  # serialisable as is


def test_schema_rejects_a_broken_log(realistic: ReportModel, sarif_schema: dict[str, Any]) -> None:
    log = render_sarif(realistic)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(log)


def test_golden_sarif(realistic: ReportModel) -> None:
    check_golden("results.sarif.json", json.dumps(render_sarif(realistic), indent=2) + "\n")


def test_one_result_per_reason_at_its_line(realistic: ReportModel) -> None:
    run = render_sarif(realistic)["runs"][0]
    results = run["results"]
    assert len(results) == sum(len(f.reasons) for f in realistic.functions)
    printed = next(r for r in results if r["ruleId"] == "TH101")
    location = printed["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "tinyproj/ops.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 29}
    assert printed["level"] == "warning"
    unlocated = next(r for r in results if r["ruleId"] == "TH303")  # falls back to the def line
    assert unlocated["locations"][0]["physicalLocation"]["region"] == {"startLine": 38}
    fixes = next(r for r in results if r["ruleId"] == "TH131")  # what a dehybridize fixes
    assert fixes["level"] == "note"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///home/dev/tinyproj/"


def test_rules_come_from_the_registry(realistic: ReportModel) -> None:
    rules = render_sarif(realistic)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [doc.code for doc in realistic.codes]
    th101 = rules[0]
    assert th101["name"] == "print-call"
    assert th101["properties"]["category"] == "side_effect"
    assert "```python" in th101["help"]["markdown"]
    assert "ignore[TH101]" in th101["help"]["markdown"]


def test_hostile_paths_are_percent_encoded(hostile: ReportModel) -> None:
    results = render_sarif(hostile)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert all("<" not in uri and '"' not in uri for uri in uris)


def test_json_reproduces_the_results_document(fixtures: Path, realistic: ReportModel) -> None:
    original = json.loads((fixtures / "results.json").read_text())
    assert render_json(realistic) == original
    assert json.loads(dumps(render_json(realistic))) == original


def test_json_keeps_unknown_fields_and_is_a_copy(tmp_path: Path, fixtures: Path) -> None:
    document = json.loads((fixtures / "results.json").read_text())
    document["from_the_future"] = {"x": 1}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document))
    model = load_results(path, source_root=fixtures / "project")
    rendered = render_json(model)
    assert rendered["from_the_future"] == {"x": 1}
    rendered["functions"].clear()
    assert model.document["functions"]
