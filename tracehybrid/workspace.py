"""Where a project's root is, and paths relative to it."""

from __future__ import annotations

from pathlib import Path

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding a project marker; else `start`'s folder."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in MARKERS):
            return candidate
    return folder
