"""`tracehybrid apply` as a subprocess: which project it writes, its patches, a second apply."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from results_case import LOSSES, STEPS, Project, function, make_project

from tracehybrid.errors import ExitCode
from tracehybrid.sourcefile import sha256_hex

TRACEHYBRID = [sys.executable, "-m", "tracehybrid"]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRACEHYBRID, "apply", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "proj")


def test_apply_in_a_copy_rewrites_the_copy_not_the_original(
    project: Project, tmp_path: Path
) -> None:
    copy = Project(tmp_path / "copy")
    shutil.copytree(project.root, copy.root)  # results.json still names the original
    done = _cli(copy.root)
    assert done.returncode == 0, done.stderr
    assert project.steps.read_text(encoding="utf-8") == STEPS
    assert "@tf.function\ndef train_step" in copy.steps.read_text(encoding="utf-8")
    assert f"applying to {copy.root.resolve()}" in done.stderr


def test_results_of_another_project_are_refused_in_one_line(
    project: Project, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    (other / "pkg").mkdir(parents=True)
    (other / "pyproject.toml").write_text("[project]\nname = 'o'\n", encoding="utf-8")
    unrelated = "def train_step(x):\n    return x\n"
    (other / "pkg" / "steps.py").write_text(unrelated, encoding="utf-8")
    done = _cli(other, "--results", str(project.results))
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error[data]:")
    assert "pkg/steps.py differs" in done.stderr
    assert (other / "pkg" / "steps.py").read_text(encoding="utf-8") == unrelated
    assert project.steps.read_text(encoding="utf-8") == STEPS


def test_root_option_names_the_project_to_rewrite(project: Project, tmp_path: Path) -> None:
    done = _cli(tmp_path, "--root", str(project.root))
    assert done.returncode == 0, done.stderr
    assert "@tf.function\ndef train_step" in project.steps.read_text(encoding="utf-8")
    missing = _cli(tmp_path, "--root", str(tmp_path / "nowhere"))
    assert missing.returncode == ExitCode.USAGE
    assert missing.stderr.startswith("error[usage]: --root")


@pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("patch") is None, reason="needs git and patch"
)
@pytest.mark.parametrize("cwd", [".", "pkg"])
def test_diff_is_a_patch_git_apply_and_patch_accept(project: Project, cwd: str) -> None:
    for command in (["init", "-q"], ["add", "-A"]):
        assert _git(project.root, *command).returncode == 0
    done = _cli(project.root / cwd, "--diff", "--unsafe-fixes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("--- a/pkg/steps.py\n+++ b/pkg/steps.py\n")
    patch_file = project.root.parent / "fixes.patch"
    patch_file.write_text(done.stdout, encoding="utf-8")
    checked = _git(project.root, "apply", "--check", str(patch_file))
    assert checked.returncode == 0, checked.stderr
    dry = subprocess.run(
        ["patch", "-p1", "--dry-run", "-i", str(patch_file)],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert project.losses.read_text(encoding="utf-8") == LOSSES


def test_second_apply_sees_its_own_fixes_and_exits_zero(project: Project) -> None:
    first = _cli(project.root, "--unsafe-fixes")
    assert first.returncode == 0, first.stderr
    applied = project.snapshot()
    second = _cli(project.root, "--unsafe-fixes")  # the hashes now differ from the run's
    assert second.returncode == 0, second.stderr
    assert second.stderr.splitlines() == [
        "Nothing to apply: every fix is already in the source; "
        "1 display-only fix (in the report, never applied)."
    ]
    assert project.snapshot() == applied


def test_a_changed_file_still_missing_a_fix_is_refused(project: Project) -> None:
    assert _cli(project.root).returncode == 0  # the safe fixes only
    second = _cli(project.root, "--unsafe-fixes")  # one more fix, in a file changed since the run
    assert second.returncode == 1
    assert "refused: pkg/steps.py: changed since the run" in second.stderr


ALTERNATIVES = """\
import sys

import tensorflow as tf

if sys.platform == "win32":

    def step(x):
        return tf.square(x)
else:

    def step(x):
        return tf.square(x)
"""


def test_apply_decorates_the_def_at_the_recorded_line_among_same_qualnames(
    tmp_path: Path,
) -> None:
    root = tmp_path / "alt"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'alt'\n", encoding="utf-8")
    module = root / "ops.py"
    module.write_text(ALTERNATIVES, encoding="utf-8")
    results = root / ".tracehybrid" / "results.json"
    results.parent.mkdir()
    document = {
        "format_version": 1,
        "project_root": str(root),
        "functions": [function("ops.py", "step", 7, "convert_to_hybrid")],  # the first def
        "files": {"ops.py": sha256_hex(module.read_bytes())},
    }
    results.write_text(json.dumps(document), encoding="utf-8")
    done = _cli(root)
    assert done.returncode == 0, done.stderr
    lines = module.read_text(encoding="utf-8").splitlines()
    assert lines[5:8] == ["", "    @tf.function", "    def step(x):"]
    assert lines[10:12] == ["", "    def step(x):"]  # the else branch is left alone
