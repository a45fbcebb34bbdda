"""tracehybrid on two real third-party suites: GPflow 2.11.2 (quick subset) and dm-sonnet 2.0.2.

Sets both projects up as /work/shared/real-projects.md describes, in a cache folder outside the
repository (TRACEHYBRID_BENCH_CACHE, default ~/.cache/tracehybrid-bench), reused when present: a
Python 3.12 venv with tensorflow-cpu 2.21.0, tf-keras, tensorflow-probability and the listed
extras, plus tracehybrid installed editable from this repository (so it always measures the current
code); the GPflow sdist and the dm-sonnet wheel unpacked, never pip-installed (PYTHONPATH=.).

Then, for each project, on a fresh copy of its tree, one run of each:
1. the plain test command (after one untimed warm-up run), with --junitxml;
2. `tracehybrid run -- <the same command>`: wall time, its ratio to plain, the traced run alone
   against plain (run.json's wall time: the tracer's own overhead), the graph runs from
   proof.json, and the approved/rejected counts from results.json;
3. a copy of the tree with `tracehybrid apply --unsafe-fixes`, and the same tests again (only
   when something was applied: an unchanged tree would measure noise).
Test outcomes are compared per test with the plain run's junit file. Prints a table at the end
and writes the figures to <cache>/last-run.json.

Each figure is one run on a shared machine: expect noise of 10-20% on a loaded 2-core box.
A measured command that runs past --max-minutes (60) or holds more than --max-memory-gb (half of
the machine's memory) is stopped with all its processes, and the table says so.
The first setup downloads about 700 MB (80 s here, with a warm pip cache; allow 5 minutes).
A measuring run of both projects takes 12-16 minutes on a loaded 2-core machine: GPflow 8-12
(7-10 of them `tracehybrid run`, mostly its graph-mode and bisection runs), dm-sonnet 4.

Run: .venv/bin/python benchmarks/real_projects.py [--project gpflow|sonnet] [--setup-only]
    [--max-minutes M] [--max-memory-gb G]    (or `make bench-real`)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("TRACEHYBRID_BENCH_CACHE", "~/.cache/tracehybrid-bench")).expanduser()
STARTED = time.perf_counter()

# The environment of real-projects.md. The constraints file is taken right after the first
# install, so nothing installed later can move TensorFlow or numpy.
FIRST_INSTALL = ["tensorflow-cpu==2.21.0", "pytest"]
NO_DEPS_INSTALL = ["tf-keras==2.21.0"]  # Keras 2 for TF_USE_LEGACY_KERAS=1; its only dep is TF
CONSTRAINED_INSTALL = [
    "tensorflow-probability==0.25.0",
    *("dm-tree", "decorator", "cloudpickle", "tabulate", "check-shapes", "deprecated"),
    *("multipledispatch", "scipy", "absl-py", "wrapt"),
]
PYTEST = ["python", "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:warnings", "-q"]
IGNORED = shutil.ignore_patterns(".tracehybrid")


@dataclass(frozen=True)
class Project:
    """One real project: where its source comes from and the test subset real-projects.md runs."""

    name: str
    folder: str  # the unpacked source under <cache>/src
    tests: tuple[str, ...]
    env: dict[str, str]

    @property
    def command(self) -> list[str]:
        """The test command, as real-projects.md writes it (run with PYTHONPATH=.)."""
        return [*PYTEST, *self.tests]


GPFLOW = Project(
    "gpflow",
    "gpflow-2.11.2",
    (
        "tests/gpflow/likelihoods",
        "tests/gpflow/test_functions.py",
        "tests/gpflow/test_kullback_leiblers.py",
        "tests/gpflow/test_logdensities.py",
    ),
    {"TF_CPP_MIN_LOG_LEVEL": "3"},
)
SONNET = Project(
    "sonnet",
    "dm-sonnet-2.0.2",
    tuple(
        f"sonnet/src/{name}_test.py"
        for name in (
            *("linear", "bias", "batch_norm", "group_norm", "nets/mlp", "axis_norm"),
            *("moving_averages", "optimizers/sgd", "optimizers/momentum"),
        )
    ),
    {"TF_USE_LEGACY_KERAS": "1"},
)
PROJECTS = {p.name: p for p in (GPFLOW, SONNET)}

# GPflow's sdist lacks tests/conftest.py. Upstream's (GPflow/GPflow, tests/conftest.py) turns
# check_shapes fully on for every test and fails a test when AutoGraph could not convert a
# function; this is the same behaviour, written for this harness.
GPFLOW_CONFTEST = '''\
"""Written by tracehybrid's benchmarks/real_projects.py: upstream GPflow's test configuration."""

from collections.abc import Iterator

import pytest
from check_shapes import config as shapes


@pytest.fixture(autouse=True)
def fail_on_autograph_fallback(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    yield
    for phase in ("setup", "call", "teardown"):
        for record in caplog.get_records(phase):
            message = str(record.msg)
            assert not message.startswith("AutoGraph could not transform"), record.getMessage()


@pytest.fixture(autouse=True)
def shape_checks_on() -> Iterator[None]:
    saved = (
        shapes.get_enable_check_shapes(),
        shapes.get_rewrite_docstrings(),
        shapes.get_enable_function_call_precompute(),
    )
    shapes.set_enable_check_shapes(shapes.ShapeCheckingState.ENABLED)
    shapes.set_rewrite_docstrings(shapes.DocstringFormat.SPHINX)
    shapes.set_enable_function_call_precompute(True)
    yield
    enable, docstrings, precompute = saved
    shapes.set_enable_function_call_precompute(precompute)
    shapes.set_rewrite_docstrings(docstrings)
    shapes.set_enable_check_shapes(enable)
'''


def say(message: str) -> None:
    """A progress line with the seconds since the harness started."""
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", flush=True)


def run_logged(
    command: list[str], log: Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, float]:
    """Run COMMAND with its output in LOG; its exit code and wall seconds."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    return done.returncode, time.perf_counter() - start


def must_run(command: list[str], log: Path, cwd: Path | None = None) -> None:
    """A setup step: exits with the tail of its log when it fails."""
    code, _ = run_logged(command, log, cwd)
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.exit(f"setup step failed (exit {code}): {' '.join(command)}\n{tail}")


# --- setup -----------------------------------------------------------------------------------


def find_python312() -> str:
    """Python 3.12 through tools/find-python.sh (a pyenv shim needs PYENV_VERSION to offer it)."""
    env = {**os.environ, "PYENV_VERSION": os.environ.get("PYENV_VERSION", "3.12.1")}
    found = subprocess.run(
        [str(REPO / "tools" / "find-python.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    python = found.stdout.strip()
    version = subprocess.run(
        [python or "false", "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
        capture_output=True,
        check=False,
        text=True,
    )
    if found.returncode != 0 or version.stdout.strip() != "True":
        sys.exit(f"real projects need Python 3.12 (found {python!r}): {found.stderr.strip()}")
    return python


def ensure_venv(venv: Path) -> None:
    """The pinned environment of real-projects.md, built once (a marker says it is complete)."""
    marker = venv / ".bench-ready"
    if marker.is_file():
        return
    shutil.rmtree(venv, ignore_errors=True)  # a half-built venv from an interrupted setup
    say(f"setup: creating the Python 3.12 venv {venv} (tensorflow-cpu 2.21.0; minutes)")
    must_run([find_python312(), "-m", "venv", str(venv)], CACHE / "logs" / "venv.log")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    must_run([*pip, *FIRST_INSTALL], CACHE / "logs" / "pip-tensorflow.log")
    constraints = venv / "constraints.txt"
    frozen = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "freeze"],
        capture_output=True,
        text=True,
        check=False,
    )
    constraints.write_text(frozen.stdout, encoding="utf-8")
    say("setup: installing tf-keras, tensorflow-probability and the extras under constraints")
    must_run([*pip, "--no-deps", *NO_DEPS_INSTALL], CACHE / "logs" / "pip-tf-keras.log")
    must_run(
        [*pip, "-c", str(constraints), *CONSTRAINED_INSTALL], CACHE / "logs" / "pip-extras.log"
    )
    marker.write_text("\n".join(FIRST_INSTALL + NO_DEPS_INSTALL + CONSTRAINED_INSTALL) + "\n")


def ensure_tracehybrid(venv: Path) -> None:
    """tracehybrid installed editable from this repository; reinstalled when pyproject changes.

    Editable, so every run measures the working tree as it is now.
    """
    marker = venv / ".bench-tracehybrid"
    fingerprint = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    if marker.is_file() and marker.read_text(encoding="utf-8") == f"{REPO}\n{fingerprint}":
        return
    say(f"setup: installing tracehybrid (editable) from {REPO}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    constraints = str(venv / "constraints.txt")
    must_run([*pip, "-c", constraints, "-e", str(REPO)], CACHE / "logs" / "pip-tracehybrid.log")
    marker.write_text(f"{REPO}\n{fingerprint}", encoding="utf-8")


def download(venv: Path, spec: list[str], saved_as: str) -> Path:
    """`pip download --no-deps SPEC` into <cache>/downloads; the file SAVED_AS (a glob)."""
    folder = CACHE / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    command = [str(venv / "bin" / "python"), "-m", "pip", "download", "--no-deps", "-d"]
    must_run([*command, str(folder), *spec], CACHE / "logs" / f"download-{spec[-1]}.log")
    saved = sorted(folder.glob(saved_as))
    if len(saved) != 1:
        sys.exit(f"pip download {spec[-1]}: expected one {saved_as} in {folder}, found {saved}")
    return saved[0]


def ensure_gpflow(venv: Path) -> Path:
    """GPflow's sdist unpacked, with the tests/__init__.py and conftest.py it lacks."""
    root = CACHE / "src" / GPFLOW.folder
    if (root / ".bench-ready").is_file():
        return root
    say("setup: downloading and unpacking the GPflow 2.11.2 sdist")
    shutil.rmtree(root, ignore_errors=True)
    sdist = download(venv, ["--no-binary", ":all:", "gpflow==2.11.2"], "gpflow-2.11.2.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(root.parent, filter="data")
    # Without tests/__init__.py the folder tests/gpflow shadows the real package.
    (root / "tests" / "__init__.py").touch()
    (root / "tests" / "conftest.py").write_text(GPFLOW_CONFTEST, encoding="utf-8")
    (root / ".bench-ready").touch()
    return root


def ensure_sonnet(venv: Path) -> Path:
    """dm-sonnet's wheel unzipped (its tests ship inside the package)."""
    root = CACHE / "src" / SONNET.folder
    if (root / ".bench-ready").is_file():
        return root
    say("setup: downloading and unzipping the dm-sonnet 2.0.2 wheel")
    shutil.rmtree(root, ignore_errors=True)
    wheel = download(venv, ["dm-sonnet==2.0.2"], "dm_sonnet-2.0.2-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(root)
    (root / ".bench-ready").touch()
    return root


def set_up(names: list[str]) -> tuple[Path, dict[str, Path]]:
    """The venv and each named project's pristine source, built where missing."""
    venv = CACHE / "venv"
    ensure_venv(venv)
    ensure_tracehybrid(venv)
    makers = {"gpflow": ensure_gpflow, "sonnet": ensure_sonnet}
    sources = {name: makers[name](venv) for name in names}
    say(f"setup: ready in {CACHE}")
    return venv, sources


# --- outcomes ----------------------------------------------------------------------------------

# One outcome per test, under the names junit files can express (xfail is written as skipped).
NORMALISED = {"xfailed": "skipped", "xpassed": "passed"}
SEVERITY = ["passed", "skipped", "failed", "error"]


def junit_key(nodeid: str) -> str:
    """The `classname::name` a junit file writes for NODEID (pytest's mangle_test_address)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return f"{'.'.join(names[:-1])}::{names[-1]}"


def junit_outcomes(path: Path) -> dict[str, str]:
    """Test key -> outcome from a junit file; the worst when a test has two entries (teardown)."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        tags = {child.tag for child in case}
        outcome = next((o for o in ("error", "failure", "skipped") if o in tags), "passed").replace(
            "failure", "failed"
        )
        key = f"{case.get('classname', '')}::{case.get('name', '')}"
        previous = outcomes.get(key, "passed")
        outcomes[key] = max(previous, outcome, key=SEVERITY.index)
    return outcomes


def tracedb_outcomes(path: Path) -> dict[str, str]:
    """Test key -> outcome of the traced run, from the `test` table of its trace.db."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT nodeid, outcome FROM test WHERE nodeid != ''").fetchall()
    return {junit_key(nodeid): NORMALISED.get(o or "unknown", o or "unknown") for nodeid, o in rows}


@dataclass
class Comparison:
    """Per-test outcomes of one run against the plain run's."""

    source: str  # where this run's outcomes were read
    tests: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # "key: plain -> this"
    missing: int = 0  # in the plain run, not in this one
    extra: int = 0  # in this run, not in the plain one

    @property
    def identical(self) -> bool:
        """Every test of the plain run, with the same outcome, and no other."""
        return not (self.changed or self.missing or self.extra)

    def verdict(self) -> str:
        """One phrase: identical, or what differs."""
        if self.tests == 0:
            return f"no outcomes ({self.source})"
        if self.identical:
            return "identical"
        parts = [f"{len(self.changed)} changed"] if self.changed else []
        parts += [f"{self.missing} missing"] if self.missing else []
        parts += [f"{self.extra} extra"] if self.extra else []
        return "DIFFERENT: " + ", ".join(parts)


def compare(plain: dict[str, str], other: dict[str, str], source: str) -> Comparison:
    """OTHER's outcomes against PLAIN's, test by test."""
    counts: dict[str, int] = {}
    for outcome in other.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    changed = [
        f"{k}: {plain[k]} -> {other[k]}" for k in plain if k in other and plain[k] != other[k]
    ]
    return Comparison(
        source,
        len(other),
        counts,
        changed,
        missing=len(plain.keys() - other.keys()),
        extra=len(other.keys() - plain.keys()),
    )


def outcomes_or_empty(path: Path, reader: Any) -> dict[str, str]:
    """READER(PATH), or nothing when the run did not write the file."""
    try:
        return dict(reader(path))
    except (OSError, ET.ParseError, sqlite3.Error) as exc:
        say(f"  could not read outcomes from {path}: {exc}")
        return {}


# --- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bench:
    """Where one project's measured commands run, and the limits that stop a runaway one."""

    project: Project
    venv: Path
    minutes: float  # a measured command is stopped after this long
    memory_gb: float  # ... or when its processes together hold more memory than this

    @property
    def logs(self) -> Path:
        """The project's logs and junit files (outside its tree, so no copy carries them)."""
        return CACHE / "results" / self.project.name

    @property
    def tracehybrid(self) -> str:
        """The bench venv's tracehybrid (editable: the repository's code)."""
        return str(self.venv / "bin" / "tracehybrid")

    @property
    def env(self) -> dict[str, str]:
        """The bench venv first on PATH, the project on PYTHONPATH (relative: the tree is cwd)."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env.update(self.project.env)
        env.update(PYTHONPATH=".", VIRTUAL_ENV=str(self.venv))
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env


@dataclass
class TestRun:
    """One run of a project's tests: wall seconds, exit code, outcomes against the plain run."""

    wall_s: float
    exit_code: int
    outcomes: Comparison
    stopped: str = ""  # why the harness stopped it, when it did


@dataclass
class TracehybridRun:
    """`tracehybrid run -- <tests>`: its wall time and what its output folder records."""

    wall_s: float
    exit_code: int
    stopped: str  # why the harness stopped it, when it did
    traced_s: float | None  # run.json: the traced run of the tests alone
    graph_runs: list[dict[str, Any]]  # proof.json: one entry per graph-mode run
    graph_phase_s: float | None  # first graph run's start to the last one's end
    suite: dict[str, Any]  # results.json `suite`: eager (traced) against graph wall time
    timings: dict[str, Any]  # results.json `timings`: the run's own phase times
    approvals: dict[str, Any]
    traced_outcomes: Comparison  # the traced run's own, from trace.db
    junit_outcomes: Comparison  # the user's junit file as `tracehybrid run` left it


@dataclass
class ProjectFigures:
    """Everything measured on one project."""

    name: str
    command: str
    plain: TestRun
    tracehybrid: TracehybridRun
    apply_summary: str
    applied: TestRun | None  # None when there was nothing to apply


def group_memory_gb(group: int) -> float:
    """Resident memory of every process in process group GROUP, in GB (from /proc)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # fields: state, ppid, pgrp, ... rss at index 21
            total += int(fields[21]) * page
    return total / 1e9


def run_watched(bench: Bench, command: list[str], log: Path, cwd: Path) -> tuple[int, float, str]:
    """Like run_logged, but stops the command's whole process group past the bench's limits.

    A graph-mode run can grow without bound on a real suite; on a shared machine that would
    take other people's processes down with it. Returns the exit code, wall seconds and why it
    was stopped ("" when it was not).
    """
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=bench.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so every child can be stopped
        )
        stopped = ""
        while process.poll() is None and not stopped:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            stopped = over_limit(bench, process.pid, time.perf_counter() - start)
        if stopped and process.poll() is None:
            say(f"  stopping it: {stopped}")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, time.perf_counter() - start, stopped


def over_limit(bench: Bench, group: int, elapsed: float) -> str:
    """Why the command in GROUP must stop now, or ""."""
    if elapsed > bench.minutes * 60:
        return f"still running after {bench.minutes:g} min"
    memory = group_memory_gb(group)
    if memory > bench.memory_gb:
        return f"{memory:.1f} GB resident after {elapsed / 60:.1f} min (limit {bench.memory_gb:g})"
    return ""


def fresh_copy(source: Path, target: Path) -> Path:
    """TARGET as a copy of SOURCE without tracehybrid's output folder."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=IGNORED, symlinks=True)
    return target


def read_json(path: Path) -> dict[str, Any]:
    """PATH's JSON object, or {} when the run did not write it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def run_tests(
    bench: Bench, tree: Path, label: str, plain: dict[str, str]
) -> tuple[TestRun, dict[str, str]]:
    """The project's tests in TREE with a junit file; timed, and compared with PLAIN."""
    junit = bench.logs / f"{label}.xml"
    command = [*bench.project.command, f"--junitxml={junit}"]
    code, wall, stopped = run_watched(bench, command, bench.logs / f"{label}.log", tree)
    outcomes = outcomes_or_empty(junit, junit_outcomes)
    comparison = compare(plain or outcomes, outcomes, f"{label}.xml")
    say(f"  {label}: exit {code} in {wall:.1f} s, {counted(comparison.counts)}")
    return TestRun(wall, code, comparison, stopped), outcomes


def counted(counts: dict[str, int]) -> str:
    """`285 passed, 3 skipped`."""
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no tests"


def approval_counts(results: dict[str, Any]) -> dict[str, Any]:
    """results.json's summary, approvals per refactoring, and the commonest rejection codes."""
    functions = [f for f in results.get("functions", []) if isinstance(f, dict)]
    approved: dict[str, int] = {}
    codes: dict[str, int] = {}
    for function in functions:
        if function.get("verdict") == "approved":
            kind = str(function.get("refactoring"))
            approved[kind] = approved.get(kind, 0) + 1
        elif function.get("verdict") == "rejected":
            for code in {str(r.get("code")) for r in function.get("reasons", [])}:
                codes[code] = codes.get(code, 0) + 1
    commonest = dict(sorted(codes.items(), key=lambda item: -item[1])[:6])
    summary = results.get("summary", {})
    return {"summary": summary, "by_refactoring": approved, "rejection_codes": commonest}


def run_tracehybrid(bench: Bench, tree: Path, plain: dict[str, str]) -> TracehybridRun:
    """`tracehybrid run -- <tests> --junitxml=...` in TREE, and what its output folder records."""
    junit = bench.logs / "tracehybrid-run.xml"
    command = [bench.tracehybrid, "run", "--", *bench.project.command, f"--junitxml={junit}"]
    log = bench.logs / "tracehybrid-run.log"
    say(f"  its output goes to {log}")
    code, wall, stopped = run_watched(bench, command, log, tree)
    say(f"  tracehybrid run: exit {code} in {wall:.1f} s")
    out = tree / ".tracehybrid"
    run_record, proof = read_json(out / "run.json"), read_json(out / "proof.json")
    traced = outcomes_or_empty(out / "trace.db", tracedb_outcomes)
    return TracehybridRun(
        wall,
        code,
        stopped,
        run_record.get("wall_s"),
        [graph_run_figures(r) for r in proof.get("runs", []) if isinstance(r, dict)],
        graph_phase_s(out),
        read_json(out / "results.json").get("suite", {}),
        read_json(out / "results.json").get("timings", {}),
        approval_counts(read_json(out / "results.json")),
        compare(plain, traced, ".tracehybrid/trace.db (the traced run)"),
        compare(plain, outcomes_or_empty(junit, junit_outcomes), "its --junitxml file, as left"),
    )


def graph_phase_s(out: Path) -> float | None:
    """Wall seconds from the first graph-mode run's start to the last one's end.

    proof.json records each run's duration but not when it ran, and bisection runs two at once,
    so the durations do not add up to the phase. Each run's folder does: its targets.json is
    written as it starts, and its records and output as it ends.
    """
    folders = [f for f in (out / "graph").glob("run-*") if (f / "targets.json").is_file()]
    if not folders:
        return None
    starts = [(f / "targets.json").stat().st_mtime for f in folders]
    ends = [p.stat().st_mtime for f in folders for p in f.rglob("*") if p.is_file()]
    return max(ends) - min(starts)


def graph_run_figures(run: dict[str, Any]) -> dict[str, Any]:
    """The timing fields proof.json records for one graph-mode run (wall_s excludes solos)."""
    keys = ("purpose", "wall_s", "measure_s", "solo_reruns", "solo_s", "tests_failed")
    figures = {key: run.get(key) for key in keys}
    figures["targets"] = len(run.get("targets", []))
    return figures


def apply_in_copy(bench: Bench, tree: Path, applied: Path) -> str | None:
    """A copy of TREE with `tracehybrid apply --unsafe-fixes`; apply's summary line, or None
    when the run left no results.json to apply.

    The copy's results.json names the copy as its project_root, so no version of apply can
    write into the traced tree instead (early ones preferred the recorded root when it existed).
    """
    results = read_json(tree / ".tracehybrid" / "results.json")
    if not results:
        return None
    fresh_copy(tree, applied)
    results["project_root"] = str(applied)
    (applied / ".tracehybrid").mkdir()
    (applied / ".tracehybrid" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    log = bench.logs / "apply.log"
    code, _ = run_logged([bench.tracehybrid, "apply", "--unsafe-fixes"], log, applied, bench.env)
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    summary = next((line for line in reversed(lines) if line.startswith("Applied")), None)
    return f"{summary or (lines[-1] if lines else 'no output')} (exit {code})"


def measure_project(bench: Bench, source: Path) -> ProjectFigures:
    """Plain, `tracehybrid run`, and with every approval applied, on fresh copies of SOURCE."""
    name = bench.project.name
    tree = fresh_copy(source, CACHE / "work" / name)
    shutil.rmtree(bench.logs, ignore_errors=True)
    bench.logs.mkdir(parents=True)
    say(f"{name}: warm-up run of the tests (untimed: file cache and bytecode)")
    run_watched(bench, bench.project.command, bench.logs / "warm-up.log", tree)
    say(f"{name}: plain run: {' '.join(bench.project.command)}")
    plain, plain_outcomes = run_tests(bench, tree, "plain", {})
    say(f"{name}: tracehybrid run -- <the same command> (the longest step)")
    traced = run_tracehybrid(bench, tree, plain_outcomes)
    say(f"{name}: tracehybrid apply --unsafe-fixes in a copy of the tree")
    applied_tree = CACHE / "work" / f"{name}-applied"
    summary = apply_in_copy(bench, tree, applied_tree)
    say(f"  {summary or 'nothing to apply: the run wrote no results.json'}")
    # With nothing applied, the tree is the plain one: rerunning it would only measure noise.
    applied = None
    if summary is not None and re.match(r"Applied [1-9]", summary):
        say(f"{name}: the tests with every approval applied")
        applied, _ = run_tests(bench, applied_tree, "applied", plain_outcomes)
    shown = " ".join(f"{k}={v}" for k, v in bench.project.env.items())
    command = f"{shown} PYTHONPATH=. {' '.join(bench.project.command)}"
    return ProjectFigures(name, command, plain, traced, summary or "", applied)


# --- report ------------------------------------------------------------------------------------


def ratio(value: float | None, base: float) -> str:
    """`2.41x`, or `n/a`."""
    return f"{value / base:.2f}x" if value is not None and base > 0 else "n/a"


def timed_cell(wall_s: float, base: float, stopped: str) -> str:
    """`412.0 s (13.4x)`, or `stopped at 1169.4 s` when the harness stopped the command."""
    return f"stopped at {wall_s:.1f} s" if stopped else f"{wall_s:.1f} s ({ratio(wall_s, base)})"


def table_row(f: ProjectFigures) -> str:
    """One project's line of the summary table."""
    t, base = f.tracehybrid, f.plain.wall_s
    summary = t.approvals["summary"]
    approved = f"{summary['approved']} of {summary['candidates']}" if summary else "n/a"
    applied = f.applied
    after = (
        "nothing applied" if applied is None else timed_cell(applied.wall_s, base, applied.stopped)
    )
    outcomes = f"{t.traced_outcomes.verdict()} / {applied.outcomes.verdict() if applied else 'n/a'}"
    cells = [
        f"{f.name} ({f.plain.outcomes.tests} tests)",
        f"{base:.1f} s",
        timed_cell(t.wall_s, base, t.stopped),
        ratio(t.traced_s, base),
        approved,
        after,
        outcomes,
    ]
    return "| " + " | ".join(cells) + " |"


def print_table(figures: list[ProjectFigures]) -> None:
    """The side-by-side table, as real-projects.md lays it out."""
    header = [
        "project",
        "plain",
        "`tracehybrid run`",
        "tracer alone",
        "approved",
        "after `apply`",
        "outcomes vs plain (traced run / after apply)",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for f in figures:
        print(table_row(f))


def print_phases(t: TracehybridRun, base: float) -> None:
    """The phases of `tracehybrid run` that its output folder records, and the remainder."""
    stopped = f", STOPPED by the harness: {t.stopped}" if t.stopped else ""
    print(f"  tracehybrid run: exit {t.exit_code}, {t.wall_s:.1f} s{stopped}; per phase:")
    traced = f"{t.traced_s:.1f} s ({ratio(t.traced_s, base)} plain)" if t.traced_s else "n/a"
    print(f"    traced run of the tests (run.json wall_s): {traced}")
    if t.suite:
        print(f"    results.json suite: {json.dumps(t.suite)}")
    for index, run in enumerate(t.graph_runs, 1):
        print(
            f"    {run['purpose']} run {index} ({run['targets']} functions as graphs): "
            f"{run['wall_s'] or 0.0:.1f} s (measuring {run['measure_s'] or 0.0:.1f} s), "
            f"{run['solo_reruns']} in-process reruns {run['solo_s'] or 0.0:.1f} s, "
            f"{run['tests_failed']} tests failed"
        )
    if t.timings:
        print_timings(t.timings, t.wall_s)
        return
    if t.graph_phase_s is None:
        print("    graph runs: none recorded")
        return
    rest = t.wall_s - (t.traced_s or 0.0) - t.graph_phase_s
    print(f"    graph phase, first run's start to last run's end: {t.graph_phase_s:.1f} s")
    print(
        f"    the rest (static analysis, combining stores, reconcile, reports): {rest:.1f} s "
        "(not recorded per phase: the total less the traced run and the graph phase)"
    )


def print_timings(timings: dict[str, Any], wall_s: float) -> None:
    """results.json's `timings`: each phase, the in-process reruns by kind, the measurement;
    the rest is start-up and exit outside the run's own clock (the harness's wall time less it)."""
    for phase, seconds in timings.get("phases", {}).items():
        print(f"    phase {phase}: {seconds:.1f} s ({seconds / max(wall_s, 1e-9):.0%})")
    for kind, tally in timings.get("reruns", {}).items():
        print(f"    in-process reruns, {kind}: {tally['count']} in {tally['seconds']:.1f} s")
    print(f"    measurement (timing wrappers): {timings.get('measure_s', 0.0):.1f} s")
    outside = wall_s - float(timings.get("wall_s", 0.0))
    print(f"    outside the run's phases (interpreter start, imports, exit): {outside:.1f} s")


def print_details(f: ProjectFigures) -> None:
    """What stands behind one project's row: phases, approvals, outcome sources."""
    t, base = f.tracehybrid, f.plain.wall_s
    print(f"\n{f.name}: {f.command}")
    print(f"  plain: {counted(f.plain.outcomes.counts)}, exit {f.plain.exit_code}, {base:.1f} s")
    print_phases(t, base)
    print_approvals(t.approvals)
    # The graph runs and their in-process reruns write into the user's --junitxml file too
    # (issue 11), so the traced run's own outcomes are read from trace.db.
    print("  outcomes against the plain run's junit file:")
    comparisons = [t.traced_outcomes, t.junit_outcomes]
    comparisons += [f.applied.outcomes] if f.applied else []
    for comparison in comparisons:
        print(f"    {comparison.source}: {comparison.verdict()} ({comparison.tests} tests)")
        for line in comparison.changed[:5]:
            print(f"      {line}")
    print(f"  apply --unsafe-fixes: {f.apply_summary or 'not run: no results.json'}")
    print_headline(f)


HEADLINE_TOLERANCE = 0.10  # the measured suite figure against the suite after `apply`


def print_headline(f: ProjectFigures) -> None:
    """The suite figure results.json claims (eager run, final run) against the harness's plain
    run and the suite after `apply`: each within 10% is the target."""
    suite = f.tracehybrid.suite
    if not suite or not suite.get("measured"):
        print("  headline: no measured suite figure in results.json")
        return
    eager, graph = float(suite["eager_wall_s"]), float(suite["graph_wall_s"])
    after = f.applied.wall_s if f.applied is not None else f.plain.wall_s
    for label, claimed, real in (("plain", eager, f.plain.wall_s), ("after apply", graph, after)):
        off = claimed / real - 1 if real > 0 else float("nan")
        mark = "ok" if abs(off) <= HEADLINE_TOLERANCE else "OFF"
        print(f"  headline {label}: claimed {claimed:.1f} s, real {real:.1f} s: {off:+.0%} {mark}")


def print_approvals(approvals: dict[str, Any]) -> None:
    """results.json's summary as written, approvals per refactoring, commonest rejection codes."""
    if not approvals["summary"]:
        print("  results.json: not written")
        return
    by_kind = ", ".join(f"{k} {n}" for k, n in approvals["by_refactoring"].items())
    codes = ", ".join(f"{k} {n}" for k, n in approvals["rejection_codes"].items())
    print(f"  results.json summary: {json.dumps(approvals['summary'])}")
    print(f"    approved: {by_kind or 'none'}; commonest rejection codes: {codes or 'none'}")


def repo_version() -> str:
    """The repository's commit, `-dirty` when the working tree has changes (they are measured)."""
    described = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return described.stdout.strip() or "unknown"


def write_figures(figures: list[ProjectFigures], elapsed: float, version: str) -> Path:
    """The figures as JSON in the cache folder, for comparison with later runs."""
    document = {
        "tracehybrid_commit": version,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "elapsed_s": round(elapsed, 1),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "projects": {f.name: asdict(f) for f in figures},
    }
    path = CACHE / "last-run.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: which projects, setup only, and the limits on one measured command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", choices=sorted(PROJECTS), help="only this one")
    parser.add_argument("--setup-only", action="store_true", help="set up the cache and stop")
    parser.add_argument(
        "--max-minutes", type=float, default=60, help="stop a measured command after this long"
    )
    parser.add_argument(
        "--max-memory-gb",
        type=float,
        default=round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2e9, 1),
        help="stop a measured command holding more memory (default: half of this machine's)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [args.project] if args.project else list(PROJECTS)
    version = repo_version()  # at the start: the editable install measures the tree as it is
    say(f"real projects {', '.join(names)}: tracehybrid {version}, cache {CACHE}")
    venv, sources = set_up(names)
    if args.setup_only:
        return 0
    benches = [Bench(PROJECTS[n], venv, args.max_minutes, args.max_memory_gb) for n in names]
    figures = [measure_project(bench, sources[bench.project.name]) for bench in benches]
    elapsed = time.perf_counter() - STARTED
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nreal projects, tracehybrid {version}: one run of each command, {os.cpu_count()} CPUs")
    print(f"(load average now {load}: timings on a shared machine are noisy)\n")
    print_table(figures)
    for f in figures:
        print_details(f)
    written = write_figures(figures, elapsed, version)
    print(f"\nfigures written to {written}; took {elapsed / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
