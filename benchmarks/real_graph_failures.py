"""Brute force for every TH301 of the last `make bench-real`: does the real decorator break it too?

A TH301 `graph-failure` says that, as a graph, a function changed a test's outcome. The graph run
puts a stand-in where `apply` would write `@tf.function`; this check writes the real decorator
directly above the def, alone, in a copy of the project, and runs the tests the run named. A TH301
the real decorator does not reproduce is a false rejection of the stand-in.

Reads the projects that `benchmarks/real_projects.py` left in its cache (run that first) and uses
its virtual environment. Takes about a minute per project (one short pytest per TH301).

    python benchmarks/real_graph_failures.py [--project gpflow|sonnet]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("TRACEHYBRID_BENCH_CACHE", Path.home() / ".cache/tracehybrid-bench"))
PYTHON = CACHE / "venv" / "bin" / "python"
#: Extra environment per project, as real_projects.py runs it.
ENVIRONMENT = {"gpflow": {}, "sonnet": {"TF_USE_LEGACY_KERAS": "1"}}
PYTEST = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:warnings"]


def failing_tests(project: Path) -> dict[tuple[str, int], list[str]]:
    """(qualname, def line) -> the tests the proof says it changed."""
    proof = json.loads((project / ".tracehybrid" / "proof.json").read_text(encoding="utf-8"))
    found = {}
    for item in proof["targets"].values():
        target = item["target"]
        found[(target["qualname"], target["line"])] = [t["test"] for t in item["failing_tests"]]
    return found


def decorate(path: Path, line: int) -> None:
    """Write `@tf.function` directly above the def on LINE, as `apply` places it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    definition = lines[line - 1]
    indent = definition[: len(definition) - len(definition.lstrip())]
    lines.insert(line - 1, f"{indent}@tf.function\n")
    text = "".join(lines)
    if "import tensorflow as tf" not in text:
        text = "import tensorflow as tf\n" + text
    path.write_text(text, encoding="utf-8")


def reproduces(
    project: Path, function: dict[str, Any], tests: list[str], env: dict[str, str]
) -> str:
    """The last line of the tests' run with the real decorator on FUNCTION alone."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / project.name
        ignore = shutil.ignore_patterns(".tracehybrid", "__pycache__")
        shutil.copytree(project, copy, ignore=ignore)
        decorate(copy / function["path"], function["line"])
        run_env = {**os.environ, "PYTHONPATH": str(copy), "TF_CPP_MIN_LOG_LEVEL": "3", **env}
        done = subprocess.run(
            [str(PYTHON), *PYTEST, *tests], cwd=copy, env=run_env, capture_output=True,
            text=True, check=False,
        )  # fmt: skip
        last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        return ("REPRODUCES: " if done.returncode != 0 else "does NOT reproduce: ") + last


def check(name: str) -> tuple[int, int]:
    """(TH301s, reproduced) for one project, printing a line per TH301."""
    project = CACHE / "work" / name
    results = json.loads((project / ".tracehybrid" / "results.json").read_text(encoding="utf-8"))
    tests = failing_tests(project)
    total = reproduced = 0
    for function in results["functions"]:
        if not any(reason["code"] == "TH301" for reason in function["reasons"]):
            continue
        named = tests.get((function["qualname"], function["line"]), [])
        verdict = reproduces(project, function, named, ENVIRONMENT[name])
        total += 1
        reproduced += verdict.startswith("REPRODUCES")
        print(f"  {function['qualname']} ({len(named)} tests): {verdict}", flush=True)
    return total, reproduced


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", choices=sorted(ENVIRONMENT), action="append")
    names = parser.parse_args().project or sorted(ENVIRONMENT)
    if not PYTHON.exists():
        print(f"no harness environment in {CACHE}: run `make bench-real` first", file=sys.stderr)
        return 2
    for name in names:
        if not (CACHE / "work" / name / ".tracehybrid" / "results.json").exists():
            print(f"{name}: no tracehybrid run in the cache: run `make bench-real` first")
            continue
        print(f"{name}:", flush=True)
        total, reproduced = check(name)
        print(f"{name}: {reproduced} of {total} TH301 reproduced by the real decorator alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
