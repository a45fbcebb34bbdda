"""Progress for long stages: rich bars on a terminal, one line per stage in logs, none if quiet."""

from __future__ import annotations

import sys
from collections import Counter
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from tracehybrid.measure.suite_run import SuiteRun


class StageTask:
    """One stage's counter; `update(done, total)` is safe to call from callbacks."""

    def __init__(self, progress: Progress | None, description: str) -> None:
        self._progress = progress
        self._task = progress.add_task(description, total=None) if progress else None

    def update(self, done: int, total: int) -> None:
        """Report `done` of `total` units."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)


class StageProgress:
    """A context manager owning the progress display for one command."""

    def __init__(self, *, enabled: bool, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
        self._live = enabled and self._console.is_terminal
        self._plain = enabled and not self._live
        self._progress: Progress | None = None

    def __enter__(self) -> StageProgress:
        if self._live:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
        return self

    def stage(self, description: str) -> StageTask:
        """Start a stage; in plain mode (CI logs) print its name once."""
        if self._plain:
            print(f"tracehybrid: {description}...", file=sys.stderr, flush=True)
        return StageTask(self._progress, description)

    def suite_run(self, run: SuiteRun, changed: int) -> None:
        """One finished rerun of the tests: its purpose, outcomes and how many changed."""
        counts = Counter(run.outcomes.values())
        outcome = ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "no tests"
        note = f"; {changed} outcomes changed" if changed else ""
        if run.solo.get("reruns"):
            alone = len(run.solo.get("failures", {}))
            failed = f", {alone} failed alone" if alone else ""
            note += f"; {run.solo['reruns']} solo reruns{failed}"
        if run.not_run:
            total, left_out = len(run.outcomes), len(run.not_run)
            note += (
                f"; {total - left_out} of {total} tests run in graph mode, "
                f"{left_out} call no converted function"
            )
        functions = f"{len(run.targets)} functions"
        line = f"  {run.purpose} run ({functions}): {outcome}{note} in {run.wall_s:.1f} s"
        if self._progress is not None:
            self._progress.console.print(line, highlight=False)
        elif self._plain:
            print(line, file=sys.stderr, flush=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
