"""The user's source tree, through real CLI subprocesses: coding declarations, files that cannot
be read, and a read-only checkout (made read-only with `chattr +i`, which holds even for root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracehybrid.errors import ExitCode

TRACEHYBRID = [sys.executable, "-m", "tracehybrid"]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
LATIN = "# -*- coding: latin-1 -*-\nimport tensorflow as tf\nNAME = 'café'\n\n\ndef scale(x):\n"
LATIN += "    return tf.square(x)\n"


def _cli(cwd: Path, *args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache or cwd.parent / "user-cache"))
    return subprocess.run(
        [*TRACEHYBRID, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a latin-1 module, an undecodable one, and one trivial test."""
    root = tmp_path / "proj"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 't'\n")
    (root / "latin.py").write_bytes(LATIN.encode("latin-1"))
    (root / "bad.py").write_bytes(b"x = '\xe9'\n")  # no coding line: not UTF-8
    (root / "tests" / "test_it.py").write_text("def test_it():\n    assert True\n")
    return root


def test_coding_declaration_is_honoured_by_analyze(project: Path) -> None:
    done = _cli(project, "analyze", "--format", "json")
    assert done.returncode == 0, done.stderr
    functions = json.loads(done.stdout)["functions"]
    assert [(f["path"], f["qualname"], f["is_candidate"]) for f in functions] == [
        ("latin.py", "scale", True)
    ]
    assert "latin.py" not in done.stderr
    assert done.stderr.strip() == (
        "warning[unparsable]: bad.py:1: cannot decode: not UTF-8, and no PEP 263 "
        "`# -*- coding: ... -*-` line names its encoding"
    )


def test_run_warns_about_files_it_could_not_read(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli(project, "run", "--no-graph", "--quiet", "--out", str(out), "--", *PYTEST)
    assert done.returncode == 0, done.stderr
    assert "warning[unparsable]: bad.py:1: cannot decode: not UTF-8" in done.stderr
    results = json.loads((out / "results.json").read_text())
    assert [f["qualname"] for f in results["functions"]] == ["scale"]


def _chattr(flag: str, root: Path) -> bool:
    paths = [str(p) for p in [root, *root.rglob("*")]]
    return (
        subprocess.run(["chattr", flag, *paths], capture_output=True, check=False).returncode == 0
    )


@pytest.fixture
def read_only(project: Path, tmp_path: Path) -> Iterator[Path]:
    """`project` after one run, then immutable: no process, root included, can write in it."""
    first = _cli(project, "run", "--no-graph", "--quiet", "--", *PYTEST)
    assert first.returncode == 0, first.stderr
    if shutil.which("chattr") is None or not _chattr("+i", project):
        _chattr("-i", project)
        pytest.skip("chattr +i is not available here, and nothing else stops root from writing")
    try:
        probe = project / "probe"
        with pytest.raises(PermissionError):
            probe.write_text("")
        yield project
    finally:
        _chattr("-i", project)


def test_read_only_checkout_analyze_and_report(read_only: Path, tmp_path: Path) -> None:
    cache = tmp_path / "user-cache"
    analyzed = _cli(read_only, "analyze", "--quiet", cache=cache)
    assert analyzed.returncode == 0, analyzed.stderr
    assert "PermissionError" not in analyzed.stderr
    assert list((cache / "tracehybrid").iterdir())  # the cache went to the user's cache folder
    report = _cli(read_only, "report", "--format", "text", "--quiet", cache=cache)
    assert report.returncode == 0, report.stderr  # the read-only store is read
    assert "not a tracehybrid trace store" not in report.stderr
    assert "1 candidates" in report.stdout


def test_read_only_checkout_run_writes_where_out_says(read_only: Path, tmp_path: Path) -> None:
    refused = _cli(read_only, "run", "--no-graph", "--", *PYTEST)
    assert refused.returncode == ExitCode.USAGE
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("error[usage]:")
    assert "give --out DIR" in refused.stderr
    out = tmp_path / "out"
    done = _cli(read_only, "run", "--no-graph", "--quiet", "--out", str(out), "--", *PYTEST)
    assert done.returncode == 0, done.stderr
    assert (out / "cache" / "static.sqlite").is_file()  # the analysis cache follows --out
    assert (out / "results.json").is_file()


TASK_A = "import tensorflow as tf\n\n\ndef run_task(x):\n    return tf.reduce_sum(x)\n"
TASK_B = (
    "import tensorflow as tf\n\n\n\ndef run_task(x):\n    print('b')\n    return tf.reduce_sum(x)\n"
)
LOAD_TASKS = """\
import importlib.util
from pathlib import Path

import tensorflow as tf


def _load(task):
    path = Path(__file__).resolve().parents[1] / "tasks" / task / "main.py"
    spec = importlib.util.spec_from_file_location(f"main_{task}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tasks():
    for task in "ab":
        assert float(_load(task).run_task(tf.ones([4]))) == 4.0
"""


@pytest.mark.slow
@pytest.mark.tensorflow
def test_same_named_scripts_are_separate_functions_in_the_results(tmp_path: Path) -> None:
    root = tmp_path / "tasks-project"
    for rel, text in {
        "pyproject.toml": "[project]\nname = 't'\n",
        "tasks/a/main.py": TASK_A,
        "tasks/b/main.py": TASK_B,
        "tests/test_tasks.py": LOAD_TASKS,
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    done = _cli(root, "run", "--no-graph", "--quiet", "--", *PYTEST, "tests")
    assert done.returncode == 0, done.stderr
    results = json.loads((root / ".tracehybrid" / "results.json").read_text())
    entries = [
        (f["path"], f["line"], f["runtime"]["calls"], [r["code"] for r in f["reasons"]])
        for f in results["functions"]
    ]
    assert [entry[:3] for entry in entries] == [
        ("tasks/a/main.py", 4, 1),
        ("tasks/b/main.py", 5, 1),
    ]
    assert "TH101" not in entries[0][3] and "TH101" in entries[1][3]  # b prints; a does not
