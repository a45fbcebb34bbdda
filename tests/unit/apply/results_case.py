"""A small project on disk with a hand-written results.json, for `tracehybrid apply` tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.sourcefile import sha256_hex

STEPS = '''\
"""Training steps."""

import tensorflow as tf


def train_step(x):
    return tf.reduce_sum(x * 2.0)


def log_step(x):
    print("step")
    return x


@tf.function
def blur(x):
    return x + 1.0


@tf.function
def kernel(size):
    return tf.ones([size])
'''

LOSSES = """\
import numpy as np


def focal_loss(y, p):
    return np.mean(y * p)
"""


def function(
    path: str,
    qualname: str,
    line: int,
    refactoring: str | None,
    *,
    decorator: str = "@tf.function",
    applicability: str = "safe",
    verdict: str = "approved",
    codes: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One contract Function entry with just the fields `apply` reads."""
    patch = (
        None if refactoring is None else {"decorator": decorator, "applicability": applicability}
    )
    reasons = [
        {
            "code": c,
            "category": "retracing",
            "message": "m",
            "evidence": "runtime",
            "location": None,
        }
        for c in codes
    ]
    return {
        "path": path,
        "qualname": qualname,
        "line": line,
        "kind": "eager" if refactoring == "convert_to_hybrid" else "hybrid",
        "refactoring": refactoring,
        "verdict": verdict,
        "reasons": reasons,
        "static": {},
        "runtime": {"calls": 1, "tests": [], "distinct_trace_keys": 1},
        "speedup": None,
        "patch": patch,
    }


def default_functions() -> list[dict[str, Any]]:
    """Every kind of entry: safe, unsafe and display-only fixes, a rejection, no refactoring."""
    return [
        function("pkg/steps.py", "train_step", 6, "convert_to_hybrid"),
        function("pkg/steps.py", "log_step", 10, "convert_to_hybrid", verdict="rejected"),
        function(
            "pkg/steps.py",
            "blur",
            15,
            "optimize_hybrid",
            decorator="@tf.function(reduce_retracing=True)",
            codes=("TH301",),
        ),
        function(
            "pkg/steps.py",
            "kernel",
            20,
            "dehybridize",
            decorator="",
            applicability="unsafe",
            codes=("TH302",),
        ),
        function(
            "pkg/losses.py",
            "focal_loss",
            4,
            "convert_to_hybrid",
            applicability="display_only",
        ),
    ]


@dataclass
class Project:
    """A project root holding `pkg/steps.py`, `pkg/losses.py` and `.tracehybrid/results.json`."""

    root: Path

    @property
    def steps(self) -> Path:
        return self.root / "pkg" / "steps.py"

    @property
    def losses(self) -> Path:
        return self.root / "pkg" / "losses.py"

    @property
    def results(self) -> Path:
        return self.root / ".tracehybrid" / "results.json"

    def snapshot(self) -> dict[str, bytes]:
        """Every file's bytes, to show that nothing was written."""
        return {p.name: p.read_bytes() for p in (self.steps, self.losses)}

    def write_results(self, functions: list[dict[str, Any]], **extra: Any) -> None:
        files = {
            path.relative_to(self.root).as_posix(): sha256_hex(path.read_bytes())
            for path in (self.steps, self.losses)
        }
        document = {
            "format_version": 1,
            "tool": {"name": "tracehybrid", "version": "0"},
            "project_root": str(self.root),
            "test_command": ["pytest"],
            "runs": {"eager": None, "graph": None},
            "functions": functions,
            "summary": {},
            "files": files,
        }
        document.update(extra)
        self.results.parent.mkdir(exist_ok=True)
        self.results.write_text(json.dumps(document), encoding="utf-8")


def make_project(root: Path, functions: list[dict[str, Any]] | None = None) -> Project:
    """Write the sources and a results.json whose hashes match them."""
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    project = Project(root)
    project.steps.write_text(STEPS, encoding="utf-8")
    project.losses.write_text(LOSSES, encoding="utf-8")
    project.write_results(default_functions() if functions is None else functions)
    return project
