"""`tracehybrid apply` on real files with hand-written results.json: safety, selection, hashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from results_case import (
    LOSSES,
    STEPS,
    Project,
    default_functions,
    function,
    make_project,
)

from tracehybrid.cli import main
from tracehybrid.errors import ExitCode

Capture = pytest.CaptureFixture[str]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The sample project, with the working directory at its root."""
    made = make_project(tmp_path / "proj")
    monkeypatch.chdir(made.root)
    return made


def test_default_applies_safe_fixes_only(project: Project, capsys: Capture) -> None:
    assert main(["apply"]) == ExitCode.OK
    steps = project.steps.read_text(encoding="utf-8")
    assert "@tf.function\ndef train_step(x):" in steps
    assert "@tf.function(reduce_retracing=True)\ndef blur(x):" in steps
    assert "@tf.function\ndef kernel(size):" in steps  # unsafe: held back
    assert "def log_step(x):\n" in steps and "@tf.function\ndef log_step" not in steps  # rejected
    assert project.losses.read_text(encoding="utf-8") == LOSSES  # display-only: never
    out, err = capsys.readouterr()
    assert out == ""  # the diff only with --diff
    assert "pkg/steps.py: train_step: added @tf.function" in err
    summary = err.splitlines()[-1]
    assert summary.startswith("Applied 2 fixes in 1 file;")
    assert "1 unsafe fix held back (enable with `--unsafe-fixes`)" in summary
    assert "1 display-only fix (in the report, never applied)" in summary


def test_unsafe_fixes_opt_in_but_display_only_never(project: Project, capsys: Capture) -> None:
    assert main(["apply", "--unsafe-fixes"]) == ExitCode.OK
    steps = project.steps.read_text(encoding="utf-8")
    assert "def kernel(size):" in steps and "@tf.function\ndef kernel" not in steps
    assert "import tensorflow as tf" in steps  # still used by the others
    assert project.losses.read_text(encoding="utf-8") == LOSSES
    summary = capsys.readouterr().err.splitlines()[-1]
    assert summary.startswith("Applied 3 fixes in 1 file;")
    assert "held back" not in summary


def test_second_apply_changes_nothing(project: Project, capsys: Capture) -> None:
    assert main(["apply", "--unsafe-fixes"]) == ExitCode.OK
    after_first = project.snapshot()
    capsys.readouterr()
    assert main(["apply", "--unsafe-fixes", "--force"]) == ExitCode.OK
    assert project.snapshot() == after_first
    summary = capsys.readouterr().err.splitlines()[-1]
    assert summary.startswith("Nothing to apply: every fix is already in the source;")


@pytest.mark.parametrize(
    ("flags", "applied"),
    [
        (["--select", "TH301"], {"blur"}),
        (["--select", "TH3", "--unsafe-fixes"], {"blur", "kernel"}),  # a code prefix
        (["--select", "train_step,pkg/steps.py::blur"], {"train_step", "blur"}),
        (["--ignore", "train_step"], {"blur"}),
        (["--select", "TH3", "--ignore", "pkg/steps.py::blur", "--unsafe-fixes"], {"kernel"}),
        (["--ignore", "TH301", "--ignore", "train_step"], set()),
    ],
)
def test_select_and_ignore(project: Project, flags: list[str], applied: set[str]) -> None:
    assert main(["apply", *flags]) == ExitCode.OK
    steps = project.steps.read_text(encoding="utf-8")
    changed = {
        name
        for name, before, after in [
            ("train_step", "\ndef train_step", "@tf.function\ndef train_step"),
            ("blur", "@tf.function\ndef blur", "(reduce_retracing=True)\ndef blur"),
            ("kernel", "@tf.function\ndef kernel", "\n\n\ndef kernel"),
        ]
        if after in steps and (name != "kernel" or before not in steps)
    }
    assert changed == applied


def test_diff_prints_patch_and_writes_nothing(project: Project, capsys: Capture) -> None:
    before = project.snapshot()
    assert main(["apply", "--diff", "--unsafe-fixes"]) == ExitCode.OK
    assert project.snapshot() == before
    out, err = capsys.readouterr()
    assert out.startswith("--- a/pkg/steps.py\n+++ b/pkg/steps.py\n")
    assert "+@tf.function\n def train_step(x):" in out
    assert "-@tf.function\n+@tf.function(reduce_retracing=True)\n def blur(x):" in out
    assert "-@tf.function\n def kernel(size):" in out
    assert err.splitlines()[-1].startswith("Would apply 3 fixes in 1 file;")


def test_changed_file_is_refused_and_force_overrides(project: Project, capsys: Capture) -> None:
    edited = STEPS.replace('"""Training steps."""', '"""Training steps, edited."""')
    project.steps.write_text(edited, encoding="utf-8")
    assert main(["apply"]) == ExitCode.FINDINGS
    assert project.steps.read_text(encoding="utf-8") == edited
    err = capsys.readouterr().err
    refusals = [line for line in err.splitlines() if line.startswith("refused:")]
    assert refusals == [
        "refused: pkg/steps.py: changed since the run (sha256 differs); rerun it or use --force"
    ]
    assert "1 file refused" in err.splitlines()[-1]
    assert main(["apply", "--force"]) == ExitCode.OK
    assert "@tf.function\ndef train_step" in project.steps.read_text(encoding="utf-8")


def test_missing_hashes_are_refused_with_the_reason(project: Project, capsys: Capture) -> None:
    project.write_results(default_functions(), files={})
    before = project.snapshot()
    assert main(["apply"]) == ExitCode.FINDINGS
    assert project.snapshot() == before
    err = capsys.readouterr().err
    assert "records no file hashes (`files`)" in err
    assert "refused: pkg/steps.py: no content hash recorded by the run" in err
    assert main(["apply", "--force"]) == ExitCode.OK


def test_unparsable_file_is_a_one_line_warning(project: Project, capsys: Capture) -> None:
    functions = [*default_functions(), function("pkg/broken.py", "f", 1, "convert_to_hybrid")]
    broken = project.root / "pkg" / "broken.py"
    broken.write_text("def f(:\n    pass\n", encoding="utf-8")
    project.write_results(functions)
    assert main(["apply", "--force"]) == ExitCode.OK
    warnings = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")
    ]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: skipped pkg/broken.py: cannot parse")
    assert "@tf.function\ndef train_step" in project.steps.read_text(encoding="utf-8")


def test_explicit_results_and_root_from_another_folder(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    args = ["apply", "--diff", "--results", str(project.results), "--root", str(project.root)]
    assert main(args) == ExitCode.OK
    out = capsys.readouterr().out
    assert "--- a/pkg/steps.py\n+++ b/pkg/steps.py\n" in out  # relative to the root, always


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no results file at"),
        ("{not json", "is not a JSON results file"),
        ("[1, 2]", "is not a results file"),
        ('{"format_version": 2, "functions": []}', "format_version 2"),
        ('{"format_version": 1, "functions": {}}', "`functions` is not a list"),
    ],
)
def test_bad_results_file_is_one_line_data_error(
    project: Project, capsys: Capture, content: str | None, message: str
) -> None:
    if content is None:
        project.results.unlink()
    else:
        project.results.write_text(content, encoding="utf-8")
    assert main(["apply"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error[data]:")
    assert str(project.results) in err
    assert message in err


def test_unreadable_entry_is_warned_and_others_applied(project: Project, capsys: Capture) -> None:
    bad = function("pkg/steps.py", "blur", 15, "optimize_hybrid")
    bad["patch"] = {"decorator": "@tf.function", "applicability": "maybe"}
    project.write_results([default_functions()[0], bad])
    assert main(["apply"]) == ExitCode.OK
    err = capsys.readouterr().err
    assert "warning: results functions[1]: unreadable fix" in err
    assert "@tf.function\ndef train_step" in project.steps.read_text(encoding="utf-8")


def test_no_approved_fixes(project: Project, capsys: Capture) -> None:
    project.write_results([function("pkg/steps.py", "log_step", 10, None, verdict="approved")])
    assert main(["apply"]) == ExitCode.OK
    assert capsys.readouterr().err.splitlines()[-1] == "No fixes to apply."
    assert json.loads(project.results.read_text(encoding="utf-8"))["format_version"] == 1


def test_paths_outside_the_project_are_never_written(project: Project, capsys: Capture) -> None:
    outside = project.root.parent / "outside.py"
    outside.write_text("def f(x):\n    return x\n", encoding="utf-8")
    project.write_results([function("../outside.py", "f", 1, "convert_to_hybrid")])
    assert main(["apply", "--force"]) == ExitCode.OK
    assert outside.read_text(encoding="utf-8") == "def f(x):\n    return x\n"
    assert "warning: skipped ../outside.py: outside the project root" in capsys.readouterr().err


def test_moved_project_uses_the_root_around_the_cwd(project: Project, capsys: Capture) -> None:
    project.write_results(default_functions(), project_root="/no/such/checkout")
    assert main(["apply"]) == ExitCode.OK
    assert "@tf.function\ndef train_step" in project.steps.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    expected = "warning: the run recorded project_root '/no/such/checkout'; applying to "
    assert expected + str(project.root.resolve()) in err


def test_applying_a_subset_warns_that_only_the_whole_set_was_proven(
    project: Project, capsys: Capture
) -> None:
    functions = [*default_functions(), function("pkg/steps.py", "other", 9, "convert_to_hybrid")]
    project.write_results(functions)
    assert main(["apply", "--diff", "--select", "train_step"]) == ExitCode.OK
    err = capsys.readouterr().err
    assert "--select/--ignore leave out" in err
    assert "a subset was not proven" in err
