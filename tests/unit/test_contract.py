"""The results contract: one checked, typed reader and an atomic writer for results.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tracehybrid.contract import (
    FORMAT_VERSION,
    MissingResultsError,
    check_complete,
    read_results,
    write_json_atomically,
)
from tracehybrid.errors import DataError

FIXTURE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "results.json"


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


def test_the_fixture_reads_into_typed_records() -> None:
    results = read_results(FIXTURE)
    assert results.problems == []
    check_complete(results, FIXTURE)
    by_name = {fn.qualname: fn for fn in results.functions}
    normalize = by_name["normalize"]
    assert (normalize.verdict, normalize.refactoring) == ("approved", "convert_to_hybrid")
    assert normalize.patch is not None
    assert normalize.patch.diff is not None
    assert "+@tf.function\n def normalize" in normalize.patch.diff
    assert normalize.speedup is not None
    assert normalize.speedup.spread == (3.1, 3.7)
    assert normalize.runtime.traces is not None
    assert normalize.runtime.traces.plain == 2
    assert results.files["tinyproj/ops.py"]


@pytest.mark.parametrize("version", [None, 0, 2, "1"])
def test_another_version_is_a_one_line_data_error(tmp_path: Path, version: object) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({**_document(), "format_version": version}), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_results(path)
    line = info.value.one_line()
    assert f"format_version {version!r}" in line
    assert f"reads {FORMAT_VERSION}" in line
    assert str(path) in line
    assert "\n" not in line


def test_a_truncated_file_is_a_one_line_data_error(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    text = FIXTURE.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_results(path)
    line = info.value.one_line()
    assert "is not a JSON results file" in line
    assert str(path) in line
    assert "\n" not in line


def test_a_missing_file_is_its_own_data_error(tmp_path: Path) -> None:
    with pytest.raises(MissingResultsError, match=r"cannot read results file .*absent\.json"):
        read_results(tmp_path / "absent.json")


def test_an_entry_that_breaks_the_contract_is_a_problem_not_a_record(tmp_path: Path) -> None:
    document = _document()
    document["functions"][0]["verdict"] = "maybe"
    del document["functions"][1]["path"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    results = read_results(path)
    assert [(p.index, p.approved) for p in results.problems] == [(0, False), (1, True)]
    assert "`verdict` is 'maybe'" in results.problems[0].message
    assert len(results.functions) == len(document["functions"]) - 2
    with pytest.raises(DataError, match=r"does not follow results format 1: functions\[0\]"):
        check_complete(results, path)


def test_malformed_extras_are_left_out_not_fatal(tmp_path: Path) -> None:
    document = _document()
    entry = document["functions"][0]
    entry["runtime"]["traces"] = "garbage"
    entry["speedup"]["spread"] = ["a", None]
    entry["patch"]["diff"] = 42
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    fn = read_results(path).functions[0]
    assert fn.runtime.traces is None
    assert fn.speedup is not None
    assert fn.speedup.spread is None
    assert fn.patch is not None
    assert fn.patch.diff is None


def test_write_then_read_round_trips_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "results.json"
    write_json_atomically(path, _document())
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]
    assert read_results(path).document == _document()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_json_atomically(path, _document())
    before = path.read_bytes()
    with pytest.raises(TypeError):
        write_json_atomically(path, {"format_version": 1, "functions": [object()]})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
