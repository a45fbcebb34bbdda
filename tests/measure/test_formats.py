"""The `format` field of run.json, proof.json and the graph run's records is checked on reading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracehybrid.config import Config
from tracehybrid.errors import DataError
from tracehybrid.measure.inrun.record import RECORD_FORMAT, RECORD_PREFIX, merge_dir
from tracehybrid.measure.proof import PROOF_FORMAT, read_proof_document
from tracehybrid.session import RUN_RECORD_FORMAT, rebuild_results
from tracehybrid.verdict.proofview import ProofView
from tracehybrid.workspace import RunDir


def _write(path: Path, document: dict[str, object]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_proof_file_of_another_format_is_a_one_line_data_error(tmp_path: Path) -> None:
    ours = _write(tmp_path / "proof.json", {"format": PROOF_FORMAT, "targets": {}})
    assert read_proof_document(ours)["targets"] == {}
    foreign = _write(tmp_path / "old.json", {"format": PROOF_FORMAT + 1})
    with pytest.raises(DataError, match="proof format 2, expected 1") as info:
        read_proof_document(foreign)
    assert "\n" not in info.value.one_line()
    with pytest.raises(DataError, match="proof format 2, expected 1"):
        ProofView.load(foreign)  # what `report --rebuild` reads


def test_a_record_of_another_format_is_not_merged(tmp_path: Path) -> None:
    _write(tmp_path / f"{RECORD_PREFIX}1.json", {"format": RECORD_FORMAT + 1, "outcomes": {}})
    with pytest.raises(DataError, match="record format 2, expected 1"):
        merge_dir(tmp_path)


def test_a_run_record_of_another_format_stops_the_report(tmp_path: Path) -> None:
    record = {"format": RUN_RECORD_FORMAT + 1, "test_command": ["pytest"], "exit_code": 0}
    _write(tmp_path / "run.json", {**record, "wall_s": 1.0})
    with pytest.raises(DataError, match=r"run\.json: format 2, expected 1"):
        rebuild_results(Config(root=tmp_path), RunDir(tmp_path))
