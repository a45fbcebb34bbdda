"""The prover: runs the test command with targets as graphs, in numbered run folders."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracehybrid.measure.final_run import FINAL
from tracehybrid.measure.suite_run import (
    Baseline,
    Callers,
    SuiteRun,
    changed_tests,
    run_suite,
    tests_calling,
)
from tracehybrid.measure.targets import MeasureSettings, Target


@dataclass
class Prover:
    """Runs the command in numbered directories under OUT_DIR and keeps the run log."""

    cmd: list[str]
    baseline: dict[str, str]
    out_dir: Path
    jobs: int = 1
    settings: MeasureSettings = field(default_factory=MeasureSettings)
    cwd: Path | None = None
    ignore: set[str] = field(default_factory=set)  # flaky tests: their changes prove nothing
    runs: list[SuiteRun] = field(default_factory=list)
    on_run: Callable[[SuiteRun, int], None] | None = None  # progress: each finished run
    bisection_s: float = 0.0  # wall time spent bisecting (its runs may overlap: not their sum)
    # Per target, the tests that called it in the traced run: a run needs only the callers of
    # its targets (`tests_calling`). None: every run runs every test.
    callers: Callers | None = None
    _numbers: Any = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(
        self,
        targets: Sequence[Target],
        purpose: str,
        measure: bool,
        tests: frozenset[str] | None = None,
    ) -> SuiteRun:
        """One run of the command with TARGETS as graphs (the final run: the whole suite).
        TESTS narrows it to those tests (by default, those that called one of TARGETS in the
        traced run); the others keep their baseline outcomes."""
        with self._lock:
            number = next(self._numbers)
        settings = self.settings if measure else MeasureSettings(enabled=False)
        directory = self.out_dir / f"run-{number:03d}-{purpose}"
        # Unmeasured runs only report outcomes: the culprits are the bisection's to find.
        if tests is None and purpose != FINAL and self.callers is not None:
            tests = tests_calling(targets, self.callers)
        known = self.callers or {}
        callers = {t.key: known[t.key] for t in targets if t.key in known}
        baseline = Baseline(self.baseline, frozenset(self.ignore), measure, tests, callers)
        done = run_suite(self.cmd, list(targets), directory, settings, purpose, self.cwd, baseline)
        with self._lock:
            self.runs.append(done)
            changed = len(self.changed(done))
        if self.on_run is not None:
            self.on_run(done, changed)
        return done

    def changed(self, run: SuiteRun) -> dict[str, tuple[str, str]]:
        """Tests whose outcome in RUN differs from the baseline (flaky tests ignored)."""
        return changed_tests(self.baseline, run.outcomes, self.ignore)

    def changed_by(self, subset: Sequence[Target]) -> set[str]:
        """The tests that change when only SUBSET runs as graphs (measurement off)."""
        return set(self.changed(self.run(subset, "bisect", measure=False)))
