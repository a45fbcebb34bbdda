"""The patch preview results.json records: apply's own codemod, its import included, as a diff."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.apply.edits import FunctionTarget
from tracehybrid.apply.preview import preview_diff

WITHOUT_IMPORT = "import numpy as np\n\n\ndef step(x):\n    return np.tanh(x)\n"
DECORATED = "import tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    return tf.tanh(x)\n"


def _module(root: Path, text: str) -> str:
    (root / "pkg").mkdir()
    (root / "pkg" / "ops.py").write_text(text, encoding="utf-8")
    return "pkg/ops.py"


def test_the_preview_shows_the_import_apply_adds(tmp_path: Path) -> None:
    path = _module(tmp_path, WITHOUT_IMPORT)
    diff = preview_diff(
        tmp_path, path, FunctionTarget("step", 4), "convert_to_hybrid", "@tf.function"
    )
    assert diff is not None
    assert diff.startswith("--- a/pkg/ops.py\n+++ b/pkg/ops.py\n")  # relative to the root
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and line[1:2] != "+"]
    assert added == ["import tensorflow as tf", "@tf.function"]


def test_no_preview_when_apply_would_write_nothing(tmp_path: Path) -> None:
    path = _module(tmp_path, DECORATED)
    target = FunctionTarget("step", 5)
    assert preview_diff(tmp_path, path, target, "convert_to_hybrid", "@tf.function") is None
    assert preview_diff(tmp_path, "pkg/missing.py", target, "dehybridize", "") is None


def test_a_dehybridize_preview_removes_the_decorator(tmp_path: Path) -> None:
    path = _module(tmp_path, DECORATED)
    diff = preview_diff(tmp_path, path, FunctionTarget("step", 5), "dehybridize", "")
    assert diff is not None
    assert "-@tf.function\n" in diff
