"""Targets of measure_project located with `ast` (as static analysis does), and shared constants."""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracehybrid.measure.proof import ProofResult
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.measure.targets import MeasureSettings, Target

#: qualname -> decorator for every function of measure_project that the tests rerun.
PROJECT_TARGETS: dict[str, tuple[str, str]] = {
    "many_ops": ("mproj/ops.py", "@tf.function"),
    "first_value": ("mproj/ops.py", "@tf.function"),
    "label": ("mproj/ops.py", "@tf.function"),
    "scaled": ("mproj/ops.py", "@tf.function"),
    "noisy": ("mproj/ops.py", "@tf.function"),
    "normalize": ("mproj/ops.py", "@tf.function"),
    "count_positive": ("mproj/ops.py", ""),
    "retraced": ("mproj/ops.py", "@tf.function(reduce_retracing=True)"),
    "make_affine.<locals>.affine": ("mproj/ops.py", "@tf.function"),
    "summed_twice.<locals>.double": ("mproj/ops.py", "@tf.function"),
    "Scale.call": ("mproj/layers.py", "@tf.function"),
    "Geometry.norm": ("mproj/layers.py", "@tf.function"),
    "Accumulator.add": ("mproj/layers.py", "@tf.function"),
    "third": ("mproj/ops.py", "@tf.function"),
    "with_third": ("mproj/ops.py", "@tf.function"),
    "tally": ("mproj/ops.py", "@tf.function"),
    "counted_add": ("mproj/ops.py", "@tf.function"),
    "as_batch": ("mproj/ops.py", "@tf.function"),
    "padded": ("mproj/ops.py", "@tf.function"),
    "inner_vector_sum": (
        "mproj/ops.py",
        "@tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])",
    ),
    "outer_total": ("mproj/ops.py", "@tf.function"),
}
# Found in the graph run's own process.
FAILING = {"first_value", "label", "as_batch", "inner_vector_sum"}
# Raised as a graph only while inner_vector_sum was one (the culprit's exception, not its own).
ENCLOSING = "outer_total"
# Never called in the first graph run's main loop: as_batch's failing fixture came first.
STARVED = "padded"
# Found by bisection: tally is called only at import time.
BISECTED = {"tally"}
# counted_add's lost effect is masked by its measurement (eager reruns) in the first graph round;
# the next round does not measure it again (timed already), so its own process pins it there.
FOUND_LATER = {"counted_add"}


def _defs(tree: ast.AST, prefix: str = "") -> dict[str, ast.FunctionDef]:
    found: dict[str, ast.FunctionDef] = {}
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef):
            name = f"{prefix}{node.name}"
            found[name] = node
            found.update(_defs(node, f"{name}.<locals>."))
        elif isinstance(node, ast.ClassDef):
            found.update(_defs(node, f"{prefix}{node.name}."))
    return found


def locate(root: Path, relpath: str, qualname: str, decorator: str) -> Target:
    """A Target for QUALNAME in ROOT/RELPATH, with `first_line` as CPython computes it."""
    path = root / relpath
    node = _defs(ast.parse(path.read_text(encoding="utf-8")))[qualname]
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return Target(os.path.realpath(path), qualname, node.lineno, first, decorator)


def project_targets(root: Path, names: set[str] | None = None) -> list[Target]:
    """Targets of measure_project copied to ROOT (all, or those in NAMES)."""
    return [
        locate(root, relpath, qualname, decorator)
        for qualname, (relpath, decorator) in PROJECT_TARGETS.items()
        if names is None or qualname in names
    ]


PROJECT = Path(__file__).resolve().parent.parent / "projects" / "measure_project"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]
#: Small budgets: the sessions prove behaviour, benchmarks/ measure speed.
QUICK = MeasureSettings(
    repeats=3, min_repeat_s=0.0005, max_calls_per_repeat=10, budget_s=0.3, solo_budget=5.0
)


@dataclass
class Proved:
    root: Path
    baseline: SuiteRun
    proof: ProofResult

    def facts(self, qualname: str) -> dict[str, Any]:
        return next(p for p in self.proof.targets.values() if p.target.qualname == qualname).facts
