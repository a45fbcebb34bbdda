"""Read results.json once, for every consumer: one-line DataErrors, then typed records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tracehybrid.contract.entries import EntryError, as_dict, as_list, function_result
from tracehybrid.contract.records import (
    FORMAT_VERSION,
    EntryProblem,
    FunctionResult,
    Results,
    RunRecord,
    SuiteRecord,
    UnreadableFile,
)
from tracehybrid.contract.timings import read_timings
from tracehybrid.errors import DataError


class MissingResultsError(DataError):
    """No results file where one was expected: the command says how to make one."""


def read_results(path: Path) -> Results:
    """The checked results at PATH; a one-line DataError naming the file otherwise.

    Only the version and the `functions` list are required here: `apply` reads files that
    carry nothing else. Entries that break the contract are listed in `problems`, and
    `check_complete` holds a document to the whole of format 1 for the report.
    """
    document = _load_json(path)
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise DataError(
            f"{path} has results format_version {version!r}, this tracehybrid reads "
            f"{FORMAT_VERSION}; rerun `tracehybrid run` with this version"
        )
    if not isinstance(document.get("functions"), list):
        raise _not_format(path, "`functions` is not a list")
    try:
        return parse_results(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise _not_format(path, repr(exc)) from exc


def check_complete(results: Results, path: Path | str) -> None:
    """Raise a one-line DataError unless every part the contract requires is readable."""
    if results.problems:
        first = results.problems[0]
        raise _not_format(path, f"functions[{first.index}]: {first.message}")
    for name in ("project_root", "summary"):
        if name not in results.document:
            raise _not_format(path, f"no `{name}`")


def parse_results(document: dict[str, Any]) -> Results:
    """The records of an already parsed document (whose version the caller checked)."""
    functions: list[FunctionResult] = []
    problems: list[EntryProblem] = []
    for index, raw in enumerate(as_list(document.get("functions"))):
        try:
            functions.append(function_result(raw))
        except EntryError as exc:
            approved = isinstance(raw, dict) and raw.get("verdict") == "approved"
            problems.append(EntryProblem(index, str(exc), approved))
    runs = as_dict(document.get("runs"))
    root = document.get("project_root")
    return Results(
        document=document,
        tool_version=str(as_dict(document.get("tool")).get("version", "")),
        project_root=root if isinstance(root, str) else "",
        test_command=[str(part) for part in as_list(document.get("test_command"))],
        eager_run=_run(runs.get("eager")),
        graph_run=_run(runs.get("graph")),
        functions=functions,
        problems=problems,
        summary=as_dict(document.get("summary")),
        files={p: d for p, d in as_dict(document.get("files")).items() if isinstance(d, str)},
        suite=_suite(as_dict(document.get("suite"))),
        unreadable_files=_unreadable(document.get("unreadable_files")),
        timings=read_timings(document.get("timings")),
    )


def _load_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise MissingResultsError(f"cannot read results file {path}: {exc.strerror}") from exc
    except OSError as exc:
        raise DataError(f"cannot read results file {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not a JSON results file: {exc}") from exc
    if not isinstance(document, dict):
        raise DataError(
            f"{path} is not a results file: the JSON is not an object (format_version None)"
        )
    return document


def _not_format(path: Path | str, why: str) -> DataError:
    return DataError(f"{path} does not follow results format {FORMAT_VERSION}: {why}")


def _run(raw: Any) -> RunRecord | None:
    if not isinstance(raw, dict):
        return None
    return RunRecord(
        int(raw["exit_code"]),
        int(raw["tests_passed"]),
        int(raw["tests_failed"]),
        int(raw["tests_skipped"]),
        float(raw["wall_s"]),
    )


def _suite(raw: dict[str, Any]) -> SuiteRecord | None:
    if "eager_wall_s" not in raw or "graph_wall_s" not in raw:
        return None
    ratio = raw.get("ratio")
    return SuiteRecord(
        float(raw["eager_wall_s"]),
        float(raw["graph_wall_s"]),
        float(ratio) if isinstance(ratio, int | float) else None,
    )


def _unreadable(raw: Any) -> list[UnreadableFile]:
    """The `unreadable_files` extra; entries of the wrong shape are left out, never fatal."""
    found = []
    for item in as_list(raw):
        entry = as_dict(item)
        path, line, message = entry.get("path"), entry.get("line", 1), entry.get("message", "")
        if isinstance(path, str) and isinstance(line, int) and isinstance(message, str):
            found.append(UnreadableFile(path, line, message))
    return found
