"""One identity per function: same-named modules in sibling folders, defs sharing a qualname."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import analyze_project, analyze_source


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


def _task(effect: str) -> str:
    return f"""
        import tensorflow as tf
        from helpers import scale

        def run_task(x):
            {effect}
            return scale(x)
        """


HELPERS_PRINTS = """
    import tensorflow as tf

    def scale(x):
        print("scaling")
        return x * 2.0
    """
HELPERS_QUIET = "import tensorflow as tf\n\ndef scale(x):\n    return tf.square(x)\n"


def test_same_named_scripts_in_sibling_folders_stay_apart(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tasks/a/main.py": _task("y = tf.ones([2])"),
            "tasks/a/helpers.py": HELPERS_PRINTS,
            "tasks/b/main.py": _task("z = tf.zeros([2])"),
            "tasks/b/helpers.py": HELPERS_QUIET,
            "tasks/c/main.py": "\n\n\n" + _task("w = tf.ones([3])"),  # a different def line
        },
    )
    project = analyze_project(Config(root=tmp_path, cache=False))
    run_tasks = [(f.path, f.line, f.module) for f in project.functions if f.qualname == "run_task"]
    assert run_tasks == [
        ("tasks/a/main.py", 5, "tasks.a.main"),
        ("tasks/b/main.py", 5, "tasks.b.main"),
        ("tasks/c/main.py", 8, "tasks.c.main"),  # each at its own file's line
    ]
    by_path = {f.path: f for f in project.functions if f.qualname == "run_task"}
    # `from helpers import scale` links each script to its own folder's helpers.
    assert "TH101" in by_path["tasks/a/main.py"].codes  # prints, through tasks/a/helpers.py
    assert "TH101" not in by_path["tasks/b/main.py"].codes


def test_unique_module_names_are_unchanged(tmp_path: Path) -> None:
    write(tmp_path, {"scripts/train.py": HELPERS_QUIET, "pkg/__init__.py": "", "pkg/m.py": ""})
    project = analyze_project(Config(root=tmp_path, cache=False))
    assert [(f.path, f.module) for f in project.functions] == [("scripts/train.py", "train")]


ALTERNATIVES = """
import sys
import tensorflow as tf

if sys.platform == "win32":
    def step(x):
        print("windows")
        return tf.square(x)
else:
    def step(x):
        return tf.square(x)


class Scaled:
    @property
    def factor(self):
        return tf.constant(2.0)

    @factor.setter
    def factor(self, value):
        self._factor = tf.convert_to_tensor(value)
"""


def test_defs_sharing_a_qualname_keep_their_own_lines_and_facts() -> None:
    facts = analyze_source(ALTERNATIVES)
    steps = [f for f in facts.functions if f.qualname == "step"]
    assert [(f.line, "TH101" in f.codes) for f in steps] == [(6, True), (10, False)]
    factors = [f.line for f in facts.functions if f.qualname == "Scaled.factor"]
    assert factors == [16, 20]


STUBS = """
from typing import Protocol, overload
import typing
import tensorflow as tf


@overload
def norm(x: tf.Tensor) -> tf.Tensor: ...
@typing.overload
def norm(x: tf.Variable) -> tf.Tensor: ...
def norm(x):
    return tf.norm(x)


class Layer(Protocol):
    def call(self, x: tf.Tensor) -> tf.Tensor: ...


class Generic(typing.Protocol[tf.Tensor]):
    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.identity(x)


class Real:
    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.identity(x)
"""


def test_overload_stubs_and_protocol_bodies_are_not_candidates() -> None:
    facts = analyze_source(STUBS)
    candidates = [(f.qualname, f.line) for f in facts.functions if f.is_candidate]
    assert candidates == [("norm", 11), ("Real.call", 25)]
    assert [f.line for f in facts.functions if f.qualname == "norm"] == [8, 10, 11]
