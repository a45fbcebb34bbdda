"""Build candidate lists by hand for runtime tests: every function and method in a file, via ast."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _write_lines(func: ast.FunctionDef) -> list[int]:
    declared = {n for node in ast.walk(func) if isinstance(node, ast.Global) for n in node.names}
    lines = []
    for node in ast.walk(func):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            is_global = isinstance(target, ast.Name) and target.id in declared
            if is_global or isinstance(target, ast.Attribute | ast.Subscript):
                lines.append(node.lineno)
    return sorted(set(lines))


def _entry(path: Path, func: ast.FunctionDef, qualname: str) -> dict[str, Any]:
    first = min([d.lineno for d in func.decorator_list] + [func.lineno])
    hybrid = any("function" in ast.unparse(d) for d in func.decorator_list)
    return {
        "path": str(path.resolve()),
        "qualname": qualname,
        "line": func.lineno,
        "first_line": first,
        "kind": "hybrid" if hybrid else "eager",
        "write_lines": _write_lines(func),
    }


def candidates_for(path: Path, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every top-level function and method of a file, except names in `exclude` or `_private`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.append(_entry(path, node, node.name))
        elif isinstance(node, ast.ClassDef):
            found += [
                _entry(path, item, f"{node.name}.{item.name}")
                for item in node.body
                if isinstance(item, ast.FunctionDef)
            ]
    return [c for c in found if c["qualname"] not in exclude and not c["qualname"].startswith("_")]


def write_candidates(path: Path, files: list[Path], out_dir: Path) -> Path:
    """Write a candidates JSON document for `files` and return its path."""
    items = [c for f in files for c in candidates_for(f)]
    path.write_text(json.dumps({"candidates": items, "out_dir": str(out_dir)}), encoding="utf-8")
    return path


@contextlib.contextmanager
def project_copy(source: Path, root: Path, module: str) -> Iterator[tuple[Path, Path]]:
    """SOURCE copied to ROOT/project, with candidates for its MODULE file written in ROOT;
    yields (project, candidates file) with the copy as the working directory."""
    project = root / "project"
    shutil.copytree(source, project, ignore=shutil.ignore_patterns("__pycache__"))
    candidates = write_candidates(root / "candidates.json", [project / module], root / "out")
    cwd = Path.cwd()
    os.chdir(project)
    try:
        yield project, candidates
    finally:
        os.chdir(cwd)
