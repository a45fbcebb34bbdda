"""Which tests a graph run runs: only those that can change outcome, never a guess.

The controller writes the tests that called a target in the traced run (`SELECTION_FILE`); the
graph plugin keeps those, and every test that shares state with one of them, and deselects the
rest after the user's own selection. What it did goes back in `APPLIED_FILE`: the tests it left
out keep their traced-run outcome. Whenever the ids cannot all be matched, nothing is deselected
and the whole suite runs, as without a selection.

Under `pytest -n N` each xdist worker collects the whole suite and selects the same way (the same
file, the same collection: xdist checks that every worker collected the same items), so the
workers share out the selected tests only; each writes the same `APPLIED_FILE`, atomically.
"""

from __future__ import annotations

import json
import os
import unittest
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

SELECTION_FILE = "selection.json"  # in the run folder: {"tests": [nodeid, ...]}
APPLIED_FILE = "selection-applied.json"  # {"ran": [...], "left_out": [...]} or {"fallback": why}

#: pytest's own wider-scoped fixtures, which hold no project state: sharing them ties no tests.
_STATELESS_FIXTURES = frozenset(
    {"tmp_path_factory", "tmpdir_factory", "pytestconfig", "cache", "record_testsuite_property"}
)


def write_selection(out_dir: Path, tests: Iterable[str] | None) -> None:
    """Ask the graph run in OUT_DIR to run only TESTS (None: every test, as the user's command)."""
    for name in (SELECTION_FILE, APPLIED_FILE):
        (out_dir / name).unlink(missing_ok=True)
    if tests is not None:
        document = {"tests": sorted(tests)}
        (out_dir / SELECTION_FILE).write_text(json.dumps(document, indent=1), encoding="utf-8")


def read_left_out(out_dir: Path) -> list[str]:
    """The tests the graph run in OUT_DIR deselected; none when it ran everything."""
    try:
        applied = json.loads((out_dir / APPLIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(nodeid) for nodeid in applied.get("left_out", [])]


def apply_selection(config: pytest.Config, items: list[pytest.Item], out_dir: Path) -> None:
    """Deselect the ITEMS that cannot matter, when OUT_DIR holds a selection that fits them."""
    try:
        wanted = set(json.loads((out_dir / SELECTION_FILE).read_text(encoding="utf-8"))["tests"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # no selection: the whole suite runs
    fallback = _why_not(items, wanted)
    if fallback:
        _write_applied(out_dir, {"fallback": fallback})
        return
    kept = _closure(items, wanted)
    left_out = [item for item in items if item.nodeid not in kept]
    ran = [item.nodeid for item in items if item.nodeid in kept]
    # Written before deselecting: a test left out must never read as one that vanished.
    _write_applied(out_dir, {"ran": ran, "left_out": [item.nodeid for item in left_out]})
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item.nodeid in kept]


def _why_not(items: list[pytest.Item], wanted: set[str]) -> str:
    """Why the selection cannot be trusted here; empty when it can."""
    missing = wanted - {item.nodeid for item in items}
    if missing:
        return f"{len(missing)} traced test ids not collected here, e.g. {sorted(missing)[0]}"
    return ""


def _closure(items: list[pytest.Item], wanted: set[str]) -> set[str]:
    """WANTED, and every item sharing state with a kept one: a unittest class (setUpClass) or a
    project fixture wider than one test, whose value a graph may have computed for another test."""
    ties = {item.nodeid: _shared_state(item) for item in items}
    kept, tied = set(wanted), set()
    for nodeid in wanted:
        tied |= ties[nodeid]
    grew = True
    while grew:
        joining = {n for n, keys in ties.items() if n not in kept and keys & tied}
        grew = bool(joining)
        kept |= joining
        for nodeid in joining:
            tied |= ties[nodeid]
    return kept


def _shared_state(item: pytest.Item) -> set[Any]:
    """What ITEM shares with other tests: its unittest class, its wider-scoped fixtures."""
    shared: set[Any] = set()
    cls = getattr(item, "cls", None)
    if isinstance(cls, type) and issubclass(cls, unittest.TestCase):
        shared.add(("unittest", cls))
    info = getattr(item, "_fixtureinfo", None)
    for name, definitions in getattr(info, "name2fixturedefs", {}).items():
        if not definitions or name in _STATELESS_FIXTURES:
            continue
        definition = definitions[-1]  # the one that applies to this item
        if getattr(definition, "scope", "function") != "function":
            shared.add(("fixture", id(definition)))
    return shared


def _write_applied(out_dir: Path, document: dict[str, Any]) -> None:
    # Atomically: xdist workers write it side by side (the same document), and the controller
    # reads it after they end; no reader may see half of one.
    path = out_dir / APPLIED_FILE
    partial = path.with_name(f".{APPLIED_FILE}.{os.getpid()}")
    partial.write_text(json.dumps(document, indent=1), encoding="utf-8")
    partial.replace(path)
