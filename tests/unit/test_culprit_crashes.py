"""Crash texts of a culprit come from the runs where it was the graph that broke the test.

A test that calls two broken functions fails, with every target a graph, at the first of them;
bisection then blames both. Each must keep its own failure, not the other's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracehybrid.measure.rounds import Prover, isolate
from tracehybrid.measure.suite_run import SuiteRun
from tracehybrid.measure.targets import Target

TEST = "test_ops.py::test_both"
OTHER = "test_ops.py::test_first_only"
# What each function raises as a graph, and the tests it breaks; the first listed fails first.
BREAKS = {
    "first": ("AttributeError: 'SymbolicTensor' object has no attribute 'numpy'", [TEST, OTHER]),
    "second": ("OperatorNotAllowedInGraphError: using a tf.Tensor as a Python bool", [TEST]),
}


class ScriptedProver(Prover):
    """Runs nothing: a test fails with the error of the first broken graph it calls."""

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,  # noqa: ARG002
        tests: frozenset[str] | None = None,  # noqa: ARG002 - this script runs every test
    ) -> SuiteRun:
        run = SuiteRun(purpose, list(targets), 1, 0.1, self.out_dir)
        run.outcomes = dict.fromkeys(self.baseline, "passed")
        for target in targets:
            crash, broken = BREAKS[target.qualname]
            for nodeid in broken:
                if run.outcomes[nodeid] == "passed":
                    run.outcomes[nodeid], run.crashes[nodeid] = "failed", crash
        self.runs.append(run)
        return run


def target(name: str, line: int) -> Target:
    return Target("/project/ops.py", name, line, line)


def test_each_culprit_keeps_its_own_crash(tmp_path: Path) -> None:
    prover = ScriptedProver(["pytest"], {TEST: "passed", OTHER: "passed"}, tmp_path)
    active = [target("first", 3), target("second", 7)]
    everything = prover.run(active, "graph", measure=True)
    assert everything.crashes[TEST] == BREAKS["first"][0]  # the second's failure is hidden
    rejections = {r.target.qualname: r for r in isolate(prover, active, everything)}
    assert rejections["first"].crashes == {TEST: BREAKS["first"][0], OTHER: BREAKS["first"][0]}
    assert rejections["second"].crashes == {TEST: BREAKS["second"][0]}
    assert rejections["second"].tests == [TEST]
