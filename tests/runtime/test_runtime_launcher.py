"""run_traced on plain Python commands: exit code and output pass through, subprocesses followed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from runtime_candidates import candidates_for

from tracehybrid.errors import TestCommandError
from tracehybrid.launcher import KEEP_STORES_ENV, combine, run_traced
from tracehybrid.store.combine import process_stores
from tracehybrid.store.describe import describe_store
from tracehybrid.store.reader import read_facts

LIB = """
def double(n):
    return n * 2
"""
MAIN = """
import subprocess, sys
import lib
print("main says", lib.double(21))
subprocess.run([sys.executable, "child.py"], check=True)
sys.exit(7)
"""
CHILD = """
import lib
lib.double(5)
lib.double(6)
"""


@pytest.fixture
def script_project(tmp_path: Path) -> Path:
    for name, text in (("lib.py", LIB), ("main.py", MAIN), ("child.py", CHILD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    items = candidates_for(tmp_path / "lib.py")
    (tmp_path / "cands.json").write_text(json.dumps(items), encoding="utf-8")
    return tmp_path


def test_a_script_and_its_python_subprocess_are_traced(
    script_project: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(script_project)
    out = script_project / "out"
    code = run_traced([sys.executable, "main.py"], script_project / "cands.json", out)
    assert code == 7
    assert "main says 42" in capfd.readouterr().out
    assert len(process_stores(out)) == 2  # main.py and child.py each wrote their own store
    facts = read_facts(combine(out))
    (double,) = facts.values()
    assert double.calls == {"eager": 3}
    assert double.signatures == ["n: int=21", "n: int=5", "n: int=6"]
    assert "lib.py" in describe_store(out / "trace.db")
    assert process_stores(out) == []  # combined into trace.db, then removed
    assert sorted(p.name for p in out.iterdir()) == ["trace.db"]


@pytest.mark.parametrize("keep", ["argument", "environment"])
def test_stores_are_kept_when_asked(
    keep: str, script_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(script_project)
    out = script_project / "out"
    run_traced([sys.executable, "main.py"], script_project / "cands.json", out)
    if keep == "environment":
        monkeypatch.setenv(KEEP_STORES_ENV, "1")
        combine(out)
    else:
        combine(out, keep_stores=True)
    assert len(process_stores(out)) == 2
    assert (out / "trace.db").is_file()


def test_a_missing_command_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(TestCommandError) as caught:
        run_traced(["no-such-command-xyz", "-q"], tmp_path / "c.json", tmp_path)
    assert caught.value.one_line() == (
        "error[test-command]: no-such-command-xyz: command not found"
    )


def test_a_usage_error_exit_code_passes_through(script_project: Path) -> None:
    code = run_traced(
        [sys.executable, "-m", "pytest", "--no-such-option"],
        script_project / "cands.json",
        script_project / "out",
    )
    assert code == 4  # pytest's USAGE_ERROR, unchanged
