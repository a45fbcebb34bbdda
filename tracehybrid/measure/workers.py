"""How many test processes one run of the user's command starts: its `pytest -n` workers."""

from __future__ import annotations

import os

#: pytest-xdist's option spellings; the value follows as the next word or after `=`.
_OPTIONS = ("-n", "--numprocesses")


def pytest_workers(cmd: list[str]) -> int:
    """The xdist workers CMD asks for (`-n 4`, `-n4`, `--numprocesses=4`, `-n auto`): 1 without
    the option or with `-n 0`; `auto` and `logical` count as the machine's cores. An option set
    in the project's pytest `addopts` is not seen here, and counts as 1."""
    value = _option_value(cmd)
    if value is None:
        return 1
    if value in ("auto", "logical"):
        return os.cpu_count() or 1
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def _option_value(cmd: list[str]) -> str | None:
    found = None
    for index, word in enumerate(cmd):
        if word == "--":
            break
        if word in _OPTIONS and index + 1 < len(cmd):
            found = cmd[index + 1]
        elif word.startswith("--numprocesses="):
            found = word.partition("=")[2]
        elif word.startswith("-n") and not word.startswith("--") and len(word) > 2:
            found = word[2:].removeprefix("=")
    return found
