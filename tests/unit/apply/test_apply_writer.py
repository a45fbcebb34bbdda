"""The file layer: atomic writes that keep mode, encoding and line endings; hash checks; diffs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tracehybrid.apply import Edit, FunctionTarget, apply_edits, write_atomically
from tracehybrid.sourcefile import sha256_hex

SOURCE = b"import tensorflow as tf\n\n\ndef step(x):\n    return x\n"
CONVERT = [Edit(FunctionTarget("step", 4), "convert", "@tf.function")]


def _project(tmp_path: Path, **files: bytes) -> dict[Path, bytes]:
    written = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.py"
        path.write_bytes(data)
        written[path] = data
    return written


def _hashes(files: dict[Path, bytes]) -> dict[Path, str]:
    return {path: sha256_hex(data) for path, data in files.items()}


def test_write_keeps_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "steps.py"
    path.write_bytes(SOURCE)
    path.chmod(0o750)
    write_atomically(path, "x = 1\n", SOURCE)
    assert path.read_bytes() == b"x = 1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["steps.py"]


def test_write_keeps_crlf_cookie_encoding_and_bom(tmp_path: Path) -> None:
    latin = "# -*- coding: latin-1 -*-\r\nname = 'café'\r\n".encode("latin-1")
    path = tmp_path / "latin.py"
    path.write_bytes(latin)
    write_atomically(path, "# -*- coding: latin-1 -*-\nname = 'café'\nx = 1\n", latin)
    assert path.read_bytes() == "# -*- coding: latin-1 -*-\r\nname = 'café'\r\nx = 1\r\n".encode(
        "latin-1"
    )
    bom = b"\xef\xbb\xbfx = 1\n"
    path.write_bytes(bom)
    write_atomically(path, "x = 2\n", bom)
    assert path.read_bytes() == b"\xef\xbb\xbfx = 2\n"


def test_failed_write_leaves_original_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    target.mkdir()  # replacing a directory with a file fails after the temp file exists
    with pytest.raises(OSError, match="directory"):
        write_atomically(target, "x = 1\n", b"")
    assert target.is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_symlink_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(SOURCE)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_atomically(link, "x = 1\n", SOURCE)
    assert link.is_symlink()
    assert real.read_text() == "x = 1\n"


def test_apply_writes_and_second_apply_is_unchanged(tmp_path: Path) -> None:
    files = _project(tmp_path, steps=SOURCE)
    report = apply_edits(
        dict.fromkeys(files, CONVERT), _hashes(files), diff_only=False, force=False
    )
    (path,) = files
    assert [o.status for o in report.files] == ["written"]
    assert b"@tf.function\ndef step" in path.read_bytes()
    assert "+@tf.function\n" in report.diff
    new_hash = {path: sha256_hex(path.read_bytes())}
    again = apply_edits({path: CONVERT}, new_hash, diff_only=False, force=False)
    assert [o.status for o in again.files] == ["unchanged"]


def test_diff_only_writes_nothing(tmp_path: Path) -> None:
    files = _project(tmp_path, steps=SOURCE)
    report = apply_edits(dict.fromkeys(files, CONVERT), _hashes(files), diff_only=True, force=False)
    (path,) = files
    assert path.read_bytes() == SOURCE
    assert report.summary() == "1 would change"
    assert report.diff.startswith(f"--- a/{path.as_posix()}\n+++ b/{path.as_posix()}\n")


def test_changed_file_is_refused_unless_forced(tmp_path: Path) -> None:
    files = _project(tmp_path, steps=SOURCE)
    (path,) = files
    stale = {path: sha256_hex(b"the file as it was during the run")}
    refused = apply_edits({path: CONVERT}, stale, diff_only=False, force=False)
    (outcome,) = refused.files
    assert outcome.status == "refused"
    assert str(path) in outcome.message
    assert "\n" not in outcome.message
    assert path.read_bytes() == SOURCE
    forced = apply_edits({path: CONVERT}, stale, diff_only=False, force=True)
    assert [o.status for o in forced.files] == ["written"]


def test_file_without_recorded_hash_is_refused(tmp_path: Path) -> None:
    files = _project(tmp_path, steps=SOURCE)
    report = apply_edits(dict.fromkeys(files, CONVERT), {}, diff_only=False, force=False)
    assert report.files[0].status == "refused"
    assert "no content hash" in report.files[0].message


def test_unparsable_file_is_skipped_while_others_proceed(tmp_path: Path) -> None:
    files = _project(tmp_path, broken=b"def step(x:\n    return x\n", steps=SOURCE)
    broken, _ = files
    report = apply_edits(
        dict.fromkeys(files, CONVERT), _hashes(files), diff_only=False, force=False
    )
    statuses = {o.path.name: o.status for o in report.files}
    assert statuses == {"broken.py": "skipped", "steps.py": "written"}
    assert len(report.warnings) == 1
    assert "broken.py" in report.warnings[0]
    assert "cannot parse" in report.warnings[0]
    assert broken.read_bytes() == files[broken]
    assert not report.failed


def test_crlf_file_round_trips_through_apply(tmp_path: Path) -> None:
    crlf = SOURCE.replace(b"\n", b"\r\n")
    files = _project(tmp_path, steps=crlf)
    apply_edits(dict.fromkeys(files, CONVERT), _hashes(files), diff_only=False, force=False)
    (path,) = files
    assert path.read_bytes() == crlf.replace(b"def step", b"@tf.function\r\ndef step")


def test_encoding_cookie_file_round_trips_through_apply(tmp_path: Path) -> None:
    latin = "# -*- coding: latin-1 -*-\nname = 'café'\n\n\ndef step(x):\n    return x\n"
    files = _project(tmp_path, latin=latin.encode("latin-1"))
    edits = [Edit(FunctionTarget("step", 5), "convert", "@tf.function")]
    report = apply_edits(dict.fromkeys(files, edits), _hashes(files), diff_only=False, force=False)
    (path,) = files
    assert report.summary() == "1 written"
    assert path.read_bytes().decode("latin-1") == (
        "# -*- coding: latin-1 -*-\nimport tensorflow as tf\n\nname = 'café'\n\n\n"
        "@tf.function\ndef step(x):\n    return x\n"
    )
