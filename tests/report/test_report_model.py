"""The report model: loading, version and error handling, defensive extras, excerpts and patches."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tracehybrid.apply.edits import FunctionTarget
from tracehybrid.apply.preview import preview_diff
from tracehybrid.errors import DataError
from tracehybrid.report.model import FunctionView, ReportModel, load_results


def _by_name(model: ReportModel, qualname: str) -> FunctionView:
    return next(f for f in model.functions if f.qualname == qualname)


def test_realistic_fixture_follows_the_contract(fixtures: Path, shared_contract: Path) -> None:
    schema = json.loads((shared_contract / "results.schema.json").read_text())
    document = json.loads((fixtures / "results.json").read_text())
    jsonschema.validate(document, schema)


def test_summary_counts_and_rejections_by_category(realistic: ReportModel) -> None:
    s = realistic.summary
    assert (s.candidates, s.approved, s.rejected) == (11, 4, 7)
    assert s.mean_speedup == pytest.approx(3.75)
    assert dict(s.rejected_by_category)["retracing"] == 1
    assert s.suite is not None
    assert s.suite.ratio == pytest.approx(1.546)


def test_no_suite_figure_without_the_measured_suite(fixtures: Path, tmp_path: Path) -> None:
    """Without the `suite` extra (`suite-time = false`) the report shows no whole-suite figure:
    the traced run's and a measured graph run's wall times are not what the user would get."""
    document = json.loads((fixtures / "results.json").read_text())
    del document["suite"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document))
    assert document["runs"]["eager"]["wall_s"] > 0 and document["runs"]["graph"]["wall_s"] > 0
    assert load_results(path).summary.suite is None


def test_excerpt_marks_reason_and_effect_lines(realistic: ReportModel) -> None:
    fn = _by_name(realistic, "train_step")
    assert [line.number for line in fn.excerpt.lines] == list(range(8, 15))
    assert {line.number for line in fn.excerpt.lines if line.marked} == {8, 13}
    assert fn.excerpt.stale  # fixture records a wrong hash for train.py
    assert not _by_name(realistic, "normalize").excerpt.stale


def test_missing_source_file_gives_an_unavailable_excerpt(realistic: ReportModel) -> None:
    fn = _by_name(realistic, "Legacy.helper")
    assert fn.excerpt.lines == []
    assert fn.excerpt.unavailable is not None
    assert fn.traces is None  # "garbage" in the file
    assert fn.signatures == []  # non-objects are skipped


def test_patches_add_replace_and_remove_the_decorator(realistic: ReportModel) -> None:
    convert = _by_name(realistic, "Dense.call").patch
    assert convert is not None
    assert (convert.removed, convert.added) == ([], ["    @tf.function"])
    optimize = _by_name(realistic, "fit_step").patch
    assert optimize is not None
    assert optimize.removed == ["@tf.function"]
    assert optimize.added == ["@tf.function(reduce_retracing=True)"]
    remove = _by_name(realistic, "debug_stats").patch
    assert remove is not None
    assert (remove.removed, remove.added) == (["@tf.function"], [])


def test_reasons_carry_their_registry_explanation(realistic: ReportModel) -> None:
    reason = _by_name(realistic, "log_step").reasons[0]
    assert (reason.path, reason.line) == ("tinyproj/ops.py", 29)
    assert reason.doc.name == "print-call"
    assert reason.doc.anchor == "code-TH101"
    assert [c.code for c in realistic.codes] == sorted({c.code for c in realistic.codes})


def test_minimal_document_without_any_extra(tmp_path: Path) -> None:
    document = {
        "format_version": 1,
        "tool": {"name": "tracehybrid", "version": "0"},
        "project_root": str(tmp_path),
        "test_command": ["pytest"],
        "runs": {
            "eager": {
                "exit_code": 0,
                "tests_passed": 1,
                "tests_failed": 0,
                "tests_skipped": 0,
                "wall_s": 1.0,
            },
            "graph": None,
        },
        "functions": [
            {
                "path": "m.py",
                "qualname": "f",
                "line": 1,
                "kind": "eager",
                "refactoring": "convert_to_hybrid",
                "verdict": "approved",
                "reasons": [],
                "static": {},
                "runtime": {"calls": 1, "tests": ["t"], "distinct_trace_keys": 1},
                "speedup": {"eager_s_per_call": 2.0, "graph_s_per_call": 1.0, "ratio": 2.0},
                "patch": {"decorator": "@tf.function", "applicability": "safe"},
            }
        ],
        "summary": {
            "candidates": 1,
            "approved": 1,
            "rejected": 0,
            "mean_speedup": 2.0,
            "median_speedup": 2.0,
        },
    }
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document))
    (tmp_path / "m.py").write_text("def f(x):\n    return x\n")
    model = load_results(path)
    fn = model.functions[0]
    assert model.summary.suite is None
    assert fn.speedup is not None
    assert fn.speedup.spread is None
    assert [line.text for line in fn.excerpt.lines] == ["def f(x):", "    return x"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"format_version": 2}', "format_version 2"),
        ("[1, 2]", "format_version None"),
        ("{not json", "is not a JSON results file"),
        ('{"format_version": 1}', "does not follow results format 1"),
    ],
)
def test_bad_files_raise_one_line_data_errors(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(content)
    with pytest.raises(DataError) as info:
        load_results(path)
    line = info.value.one_line()
    assert needle in line
    assert str(path) in line
    assert "\n" not in line


def test_unreadable_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"cannot read results file .*missing\.json"):
        load_results(tmp_path / "missing.json")


def test_the_fixture_previews_are_what_apply_writes(fixtures: Path) -> None:
    """The fixture's `patch.diff` extras are apply's own codemod output on fixtures/project."""
    document = json.loads((fixtures / "results.json").read_text())
    checked = 0
    for entry in document["functions"]:
        diff = (entry.get("patch") or {}).get("diff")
        if diff is None:
            continue
        target = FunctionTarget(entry["qualname"], entry["line"])
        decorator = entry["patch"]["decorator"]
        project = fixtures / "project"
        assert preview_diff(project, entry["path"], target, entry["refactoring"], decorator) == diff
        checked += 1
    assert checked == 4
