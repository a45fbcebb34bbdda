"""Candidate matching by file: the per-directory realpath agrees with os.path.realpath."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tracehybrid.runtime.candidates import CandidateSet, CandidateSpec
from tracehybrid.runtime.matching import CandidateMatcher


def _matcher(tmp_path: Path, *specs: CandidateSpec) -> CandidateMatcher:
    return CandidateMatcher(CandidateSet(list(specs), tmp_path / "out"))


def test_realpath_agrees_through_symlinked_files_and_directories(tmp_path: Path) -> None:
    real = tmp_path / "real" / "pkg"
    real.mkdir(parents=True)
    (real / "mod.py").write_text("x = 1\n")
    (tmp_path / "dirlink").symlink_to(tmp_path / "real")
    (real / "filelink.py").symlink_to(real / "mod.py")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    paths = [
        str(tmp_path / "dirlink" / "pkg" / "mod.py"),
        str(real / "filelink.py"),
        str(tmp_path / "dirlink" / "pkg" / ".." / "pkg" / "filelink.py"),
        str(tmp_path / "real" / "pkg" / "missing.py"),
        str(tmp_path / "loop" / "mod.py"),
        str(tmp_path) + "//real/pkg/mod.py",
        "/mod.py",
        "relative/mod.py",
        "<frozen posixpath>",
        "<string>",
    ]
    matcher = _matcher(tmp_path)
    for _ in range(2):  # the second round answers from the directory cache
        assert [matcher.realpath(p) for p in paths] == [os.path.realpath(p) for p in paths]


def test_realpath_agrees_on_every_imported_module() -> None:
    files = sorted(
        {str(f) for m in list(sys.modules.values()) if (f := getattr(m, "__file__", None))}
    )
    matcher = CandidateMatcher(CandidateSet([], Path("out")))
    assert [matcher.realpath(f) for f in files] == [os.path.realpath(f) for f in files]


def test_a_candidate_is_found_through_a_symlinked_directory(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    source = real / "mod.py"
    source.write_text("def f(x):\n    return x\n")
    (tmp_path / "link").symlink_to(real)
    spec = CandidateSpec(str(source), "f", 1, 1)
    matcher = _matcher(tmp_path, spec)
    via_link = compile(source.read_text(), str(tmp_path / "link" / "mod.py"), "exec")
    code = next(c for c in via_link.co_consts if hasattr(c, "co_qualname"))
    assert matcher.spec_for(code) == spec
    other = compile("def f(x):\n    return x\n", str(tmp_path / "other.py"), "exec")
    assert matcher.spec_for(next(c for c in other.co_consts if hasattr(c, "co_qualname"))) is None
