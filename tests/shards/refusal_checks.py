"""`tracehybrid combine` refuses shards that are no parts of one run: one line, nothing lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shard_runs import EXAMPLE, Merged, combine, copy_project, finish, start_run

from tracehybrid.errors import ExitCode

pytestmark = [pytest.mark.slow, pytest.mark.tensorflow]


def _one_error_line(stderr: str) -> str:
    errors = [line for line in stderr.splitlines() if line.startswith("error[")]
    assert len(errors) == 1, stderr
    return errors[0]


def _shard_copy(merged: Merged, index: int, dest: Path) -> Path:
    """A copy of shard INDEX's output folder, to alter without touching the shared runs."""
    shutil.copytree(merged.shards[index - 1].out, dest)
    return dest


def _edit_results(folder: Path, edit: dict[str, object]) -> None:
    path = folder / "results.json"
    document = json.loads(path.read_text())
    document.update(edit)
    path.write_text(json.dumps(document))


def test_a_missing_shard_is_named_and_nothing_is_written(example_2: Merged, tmp_path: Path) -> None:
    out = tmp_path / "merged"
    done = combine(
        example_2.out.parent / "merge", example_2.shards[0].out, tmp_path / "gone", "--out", out
    )
    assert done.returncode == ExitCode.USAGE
    assert "shard 2" in _one_error_line(done.stderr) and "no such folder" in done.stderr
    assert not out.exists()


def test_a_failed_shard_is_named_and_nothing_is_written(example_2: Merged, tmp_path: Path) -> None:
    failed = copy_project(EXAMPLE, tmp_path / "failed")
    run = finish(failed, *start_run(failed, "--splits", "2", "--group", "3"))  # no such group
    assert run.returncode != 0 and not (failed / ".tracehybrid" / "results.json").exists()
    out = tmp_path / "merged"
    done = combine(example_2.out.parent / "merge", example_2.shards[0].out, failed, "--out", out)
    line = _one_error_line(done.stderr)
    assert done.returncode == ExitCode.USAGE
    assert "shard 2" in line and "no complete run" in line and "rerun the shard" in line
    assert not out.exists()


def test_a_shard_of_another_commit_is_refused_naming_the_file(
    example_2: Merged, tmp_path: Path
) -> None:
    other = _shard_copy(example_2, 2, tmp_path / "other")
    files = json.loads((other / "results.json").read_text())["files"]
    changed = sorted(files)[0]
    _edit_results(other, {"files": {**files, changed: "0" * 64}})
    done = combine(
        example_2.out.parent / "merge", example_2.shards[0].out, other, "--out", tmp_path / "m"
    )
    line = _one_error_line(done.stderr)
    assert "other source than shard 1" in line and changed in line
    assert not (tmp_path / "m").exists()


def test_a_checkout_of_another_commit_is_refused(example_2: Merged, tmp_path: Path) -> None:
    checkout = copy_project(EXAMPLE, tmp_path / "checkout")
    changed = checkout / "tinyvision" / "losses.py"
    changed.write_text(changed.read_text() + "\n# another commit\n")
    done = combine(checkout, *(s.out for s in example_2.shards), "--out", tmp_path / "m")
    line = _one_error_line(done.stderr)
    assert "losses.py" in line and "checkout of the shards' commit" in line


def test_another_tracehybrid_version_is_refused(example_2: Merged, tmp_path: Path) -> None:
    other = _shard_copy(example_2, 2, tmp_path / "other")
    _edit_results(other, {"tool": {"name": "tracehybrid", "version": "0.0.1"}})
    done = combine(
        example_2.out.parent / "merge", example_2.shards[0].out, other, "--out", tmp_path / "m"
    )
    assert "tracehybrid 0.0.1" in _one_error_line(done.stderr)


def test_one_group_given_twice_is_refused(example_2: Merged, tmp_path: Path) -> None:
    twin = _shard_copy(example_2, 1, tmp_path / "twin")
    done = combine(
        example_2.out.parent / "merge", example_2.shards[0].out, twin, "--out", tmp_path / "m"
    )
    assert "both ran" in _one_error_line(done.stderr)


def test_a_refused_merge_keeps_the_previous_merged_run(example_2: Merged, tmp_path: Path) -> None:
    out = shutil.copytree(example_2.out, tmp_path / "merged")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    done = combine(
        example_2.out.parent / "merge", example_2.shards[0].out, tmp_path / "gone", "--out", out
    )
    assert done.returncode == ExitCode.USAGE
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_store_files_are_still_combined_as_before(example_2: Merged, tmp_path: Path) -> None:
    stores = [s.out / "trace.db" for s in example_2.shards]
    done = combine(example_2.out.parent / "merge", *stores, "--out", tmp_path / "stores")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "stores" / "trace.db").is_file()
    assert not (tmp_path / "stores" / "results.json").exists()
