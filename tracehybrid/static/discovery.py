"""Finds the project's Python files and the dotted module name each one is imported as."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.errors import NoSourceError
from tracehybrid.static.identity import NO_PREFIX, LocalImports, unique_modules


@dataclass(frozen=True)
class SourceFile:
    """One file to analyse: absolute path, path relative to the root, module name."""

    path: Path
    relpath: str
    #: The dotted name that identifies the module in the project: its import name, made unique
    #: with its folder's path when two folders hold modules of one name (`tasks.a.main`).
    module: str
    is_package: bool
    #: The folder that must be on sys.path to import it (above its top package), relative.
    import_root: str = "."
    local: LocalImports = NO_PREFIX


def exclude_pattern(globs: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for all exclude globs, matched against `/relative/path`."""
    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs))


def discover(config: Config, paths: Sequence[Path] | None = None) -> list[SourceFile]:
    """The Python files under `paths` (default: config.source, else the root), sorted by path."""
    root = config.root.resolve()
    if paths is None:
        paths = [_source_path(root, s) for s in config.source] or [root]
    excluded = exclude_pattern(config.all_excludes())
    found: dict[Path, None] = {}
    for given in paths:
        path = (root / given).resolve() if not Path(given).is_absolute() else Path(given).resolve()
        if path.is_file():
            found[path] = None  # an explicitly named file is analysed even when excluded
        elif path.is_dir():
            for file in _walk(path, root, excluded):
                found[file] = None
        else:
            raise NoSourceError(f"{given}: no such file or folder")
    packages: dict[Path, bool] = {}
    files = [_source_file(p, root, packages) for p in found]
    return sorted(unique_modules(files), key=lambda f: f.relpath)


def _source_path(root: Path, source: str) -> Path:
    candidate = root / source
    if not candidate.exists() and "/" not in source and "." in source:
        dotted = root / source.replace(".", "/")
        if dotted.exists() or dotted.with_suffix(".py").exists():
            return dotted if dotted.exists() else dotted.with_suffix(".py")
    return candidate


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _walk(top: Path, root: Path, excluded: re.Pattern[str] | None) -> list[Path]:
    result: list[Path] = []
    for folder, dirs, files in os.walk(top):
        rel = _relative(Path(folder), root)
        prefix = "" if rel == "." else f"/{rel}"
        if excluded is not None:
            dirs[:] = [d for d in dirs if not excluded.match(f"{prefix}/{d}/_")]
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py") and not (excluded and excluded.match(f"{prefix}/{name}")):
                result.append(Path(folder) / name)
    return result


def _source_file(path: Path, root: Path, packages: dict[Path, bool]) -> SourceFile:
    """The module name from the enclosing packages (folders with `__init__.py`)."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while _is_package(folder, packages):
        parts.append(folder.name)
        if folder == folder.parent:
            break
        folder = folder.parent
    module = ".".join(reversed(parts)) or path.parent.name
    is_package = path.name == "__init__.py"
    return SourceFile(path, _relative(path, root), module, is_package, _relative(folder, root))


def _is_package(folder: Path, packages: dict[Path, bool]) -> bool:
    known = packages.get(folder)
    if known is None:
        known = packages[folder] = (folder / "__init__.py").is_file()
    return known
