"""Where a project's root is, and RunDir: every file and folder of its output folder, named once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static.cache import CACHE_FOLDER_NAME
from tracehybrid.store.schema import COMBINED_STORE_NAME, PROCESS_STORE_PREFIX

__all__ = ["FILE_ROLES", "MARKERS", "RunDir", "find_project_root"]

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")

# The names inside the output folder. The stores' own names live in store.schema, because the
# tracer writes them without knowing about RunDir; every other name is spelled here only.
RESULTS_NAME = "results.json"
RUN_RECORD_NAME = "run.json"  # the traced command, its exit code and wall time
PROOF_NAME = "proof.json"
CANDIDATES_NAME = "candidates.json"
GRAPH_RUNS_NAME = "graph"  # the graph runs and bisection runs, each in a run-N folder
STATIC_CACHE_NAME = CACHE_FOLDER_NAME  # named where static analysis opens it
HTML_REPORT_NAME = "report.html"
SARIF_REPORT_NAME = "results.sarif"
LOCK_NAME = ".lock"
STAGE_PREFIX = ".run-"  # + pid: where a run in progress writes
TRASH_PREFIX = ".old-"  # + pid: the replaced run's files, removed once the new ones are in

# What a run writes, and so what the next complete run replaces (the static cache is kept).
RUN_PRODUCTS = frozenset(
    {
        CANDIDATES_NAME,
        RUN_RECORD_NAME,
        PROOF_NAME,
        RESULTS_NAME,
        COMBINED_STORE_NAME,
        HTML_REPORT_NAME,
        SARIF_REPORT_NAME,
        GRAPH_RUNS_NAME,
    }
)

# What each name holds, who writes it and who reads it: docs/architecture.md's table is generated
# from this, so the page cannot drift from the folder.
FILE_ROLES = {
    STATIC_CACHE_NAME: "static summaries by file content hash (SQLite); kept across runs",
    CANDIDATES_NAME: "the static candidates; written by `session`, read by the tracer (`runtime`)",
    f"{PROCESS_STORE_PREFIX}<host>.<pid>.<random>": "one trace store per traced process (runtime)",
    COMBINED_STORE_NAME: "the merged trace store with one prediction per candidate (`launcher`, "
    "`tracekeys`); read by `verdict` and `results`",
    RUN_RECORD_NAME: "the traced command, its exit code and wall time; read by `report --rebuild`",
    GRAPH_RUNS_NAME: "one `run-N-<purpose>` folder per graph or bisection run, each with the "
    "pytest process's records merged into `graph.json` (`measure`)",
    PROOF_NAME: "the proof: per function its status, failing tests, outputs, timings (`measure`)",
    RESULTS_NAME: "the verdicts, the contract for outside tools (`contract`); read by `report` "
    "and `apply`",
    HTML_REPORT_NAME: "the self-contained HTML report (`report`)",
    SARIF_REPORT_NAME: "the findings for code-scanning UIs (`report`)",
    LOCK_NAME: "held while a run writes: one run per output folder (`runfolder`)",
    f"{STAGE_PREFIX}<pid>": "a run in progress writes here and publishes only when complete",
    f"{TRASH_PREFIX}<pid>": "the replaced run's files, removed once the new ones are in",
}


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding a project marker; else `start`'s folder."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in MARKERS):
            return candidate
    return folder


@dataclass(frozen=True)
class RunDir:
    """A project's output folder (`.tracehybrid/` unless configured), or a run's stage in it."""

    path: Path

    @classmethod
    def of(cls, config: Config, override: Path | None = None) -> RunDir:
        """The folder `--out`/`--dir` names, else `output-dir` under the project root."""
        return cls(override or config.output_path)

    def resolved(self) -> RunDir:
        return RunDir(self.path.resolve())

    @property
    def results(self) -> Path:
        return self.path / RESULTS_NAME

    @property
    def run_record(self) -> Path:
        return self.path / RUN_RECORD_NAME

    @property
    def proof(self) -> Path:
        return self.path / PROOF_NAME

    @property
    def candidates(self) -> Path:
        return self.path / CANDIDATES_NAME

    @property
    def combined_store(self) -> Path:
        return self.path / COMBINED_STORE_NAME

    @property
    def graph_runs(self) -> Path:
        return self.path / GRAPH_RUNS_NAME

    @property
    def static_cache(self) -> Path:
        return self.path / STATIC_CACHE_NAME

    @property
    def html_report(self) -> Path:
        return self.path / HTML_REPORT_NAME

    @property
    def sarif_report(self) -> Path:
        return self.path / SARIF_REPORT_NAME

    @property
    def lock(self) -> Path:
        return self.path / LOCK_NAME

    def stage(self, pid: int | None = None) -> RunDir:
        """Where the run of process PID (this one by default) writes until it publishes."""
        return RunDir(self.path / f"{STAGE_PREFIX}{os.getpid() if pid is None else pid}")

    def trash(self, pid: int | None = None) -> Path:
        """Where a publishing run moves the files it replaces, removed once it is done."""
        return self.path / f"{TRASH_PREFIX}{os.getpid() if pid is None else pid}"


def is_run_product(name: str) -> bool:
    """A file or folder of the output folder that a run writes, and the next run replaces."""
    return name in RUN_PRODUCTS or name.startswith(PROCESS_STORE_PREFIX)


def is_leftover(name: str) -> bool:
    """The stage or trash folder of a run that was killed before it cleaned up."""
    return name.startswith((STAGE_PREFIX, TRASH_PREFIX))
