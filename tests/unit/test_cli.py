"""The command line: verbs, one-line errors, named exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracehybrid import __version__
from tracehybrid.cli import main
from tracehybrid.errors import ExitCode


def test_version_through_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tracehybrid", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"tracehybrid {__version__}"


def test_no_verb_prints_help_and_usage_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == ExitCode.USAGE
    assert "analyze" in capsys.readouterr().out


def test_unknown_verb_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("error[usage]:")
    assert err.count("\n") == 1


def test_explain_by_code_and_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "TH101"]) == ExitCode.OK
    by_code = capsys.readouterr().out
    assert main(["explain", "print-call"]) == ExitCode.OK
    assert capsys.readouterr().out == by_code
    assert "print-call" in by_code
    assert "tf.print" in by_code


def test_explain_list_shows_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--list"]) == ExitCode.OK
    out = capsys.readouterr().out
    for code in ("TH101", "TH161", "TH201", "TH303"):
        assert code in out


def test_explain_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "TH000"]) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith("error[unknown-code]:")


def test_explain_without_code_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == ExitCode.USAGE
    assert "needs a code" in capsys.readouterr().err


def test_internal_error_is_one_line_and_debug_shows_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_: object) -> int:
        raise RuntimeError("kaput")

    monkeypatch.setattr("tracehybrid.commands.explain.do_explain", boom)
    assert main(["explain", "TH101"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("error[internal]: RuntimeError: kaput")
    assert "Traceback" not in err
    assert main(["--debug", "explain", "TH101"]) == ExitCode.INTERNAL
    assert "Traceback" in capsys.readouterr().err


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracehybrid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_verb_shows_the_traceback(tmp_path: Path, where: str) -> None:
    verb = ["analyze", str(tmp_path / "nope")]
    args = ["--debug", *verb] if where == "before" else [*verb, "--debug"]
    done = _cli(*args)
    assert done.returncode == ExitCode.USAGE
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("error[no-source]:")


def test_debug_after_double_dash_belongs_to_the_test_command(tmp_path: Path) -> None:
    out_file = tmp_path / "taken"
    out_file.write_text("")
    done = _cli("run", "--out", str(out_file), "--", "pytest", "--debug")
    assert done.returncode == ExitCode.USAGE
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("verb", ["run", "combine"])
def test_out_naming_a_file_is_one_line_usage_error(tmp_path: Path, verb: str) -> None:
    out_file = tmp_path / "results.txt"
    out_file.write_text("mine\n")
    tail = ["--", "pytest"] if verb == "run" else []
    done = _cli(verb, "--out", str(out_file), *tail, cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error[usage]: argument --out:")
    assert "is a file" in done.stderr
    assert out_file.read_text() == "mine\n"
