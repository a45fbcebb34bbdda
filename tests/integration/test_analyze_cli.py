"""`tracehybrid analyze` end to end: table, JSON, bad input, and no TensorFlow needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracehybrid.cli import main
from tracehybrid.errors import ExitCode

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples"

# Makes `import tensorflow` fail in the child, proving analyze never imports it.
_WITHOUT_TF = "import sys; sys.modules['tensorflow'] = None; from tracehybrid.cli import main; "


def _run_without_tf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = _WITHOUT_TF + f"sys.exit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_json_output_without_tensorflow_installed() -> None:
    out = _run_without_tf("analyze", "--format", "json", "--no-cache", ".", cwd=EXAMPLE)
    assert out.returncode == ExitCode.OK, out.stderr
    data = json.loads(out.stdout)
    names = {fn["qualname"] for fn in data["functions"]}
    assert "train_step" in names
    assert all(not fn["path"].startswith("tests/") for fn in data["functions"])


def test_table_lists_candidates_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--quiet", str(EXAMPLE)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "train_step" in out
    assert "candidates among" in out


def test_missing_path_is_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(tmp_path / "nope")]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("error[no-source]:")
    assert err.count("\n") == 1


def test_folder_without_python_is_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["analyze", "--quiet", str(tmp_path)]) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith("error[no-source]:")


def test_unparsable_and_non_utf8_files_warn_and_the_rest_is_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "good.py").write_text(
        "import tensorflow as tf\n\ndef f(x):\n    return tf.reduce_sum(x * 2.0)\n"
    )
    (pkg / "broken.py").write_text("def f(:\n    pass\n")
    (pkg / "latin.py").write_bytes(b"# caf\xe9\nx = 1\n")
    assert main(["analyze", "--quiet", "--format", "json", str(tmp_path)]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "pkg/broken.py:1" in captured.err
    assert "pkg/latin.py" in captured.err
    assert "Traceback" not in captured.err
    data = json.loads(captured.out)
    assert [fn["qualname"] for fn in data["functions"]] == ["f"]


def test_unknown_config_key_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tracehybrid]\nsauce = ['x']\n")
    (tmp_path / "m.py").write_text("def f():\n    pass\n")
    assert main(["analyze", str(tmp_path)]) == ExitCode.USAGE
    assert "unknown key 'sauce'" in capsys.readouterr().err


def test_exit_findings_flags_blocked_candidates(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "import tensorflow as tf\n\ndef f(x):\n    print(x)\n    return tf.reduce_sum(x)\n"
    )
    assert main(["analyze", "--quiet", str(tmp_path)]) == ExitCode.OK
    assert main(["analyze", "--quiet", "--exit-findings", str(tmp_path)]) == ExitCode.FINDINGS


def test_without_paths_analyze_reads_the_configured_source(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tracehybrid]\nsource = ["lib"]\n')
    for folder, name in (("lib", "kept"), ("scripts", "left_out")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{name}.py").write_text(
            f"import tensorflow as tf\n\ndef {name}(x):\n    return tf.reduce_sum(x)\n"
        )
    for cwd in (tmp_path, tmp_path / "scripts"):  # from a subfolder too: the project's source
        out = _run_without_tf("analyze", "--format", "json", "--no-cache", cwd=cwd)
        assert out.returncode == ExitCode.OK, out.stderr
        assert [fn["qualname"] for fn in json.loads(out.stdout)["functions"]] == ["kept"]
    named = _run_without_tf("analyze", "--format", "json", "--no-cache", "scripts", cwd=tmp_path)
    assert [fn["qualname"] for fn in json.loads(named.stdout)["functions"]] == ["left_out"]
