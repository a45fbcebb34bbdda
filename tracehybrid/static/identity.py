"""One identity per module: same-named modules in sibling folders are told apart by their path.

Static analysis names every function `module.qualname`. Scripts in folders without `__init__.py`
(`tasks/a/main.py`, `tasks/b/main.py`) are each imported as plain `main`, so those names collide
and one file's functions would stand for all of them. A clash is settled per *import root* (the
folder that goes on sys.path to import the module): every module under a clashing root is named
with that root's path in front (`tasks.a.main`), and absolute imports inside it of names that
live in the same root (`import helpers`) resolve to the prefixed names, so calls between its own
modules still link.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # discovery imports this module
    from tracehybrid.static.discovery import SourceFile


@dataclass(frozen=True)
class LocalImports:
    """How a module under a renamed import root sees absolute imports of its neighbours."""

    prefix: str = ""  # "tasks.a": the import root's path, dotted; "" when not renamed
    tops: frozenset[str] = frozenset()  # top-level module names importable from that root

    def absolute(self, module: str) -> str:
        """`helpers.load` -> `tasks.a.helpers.load` when `helpers` lives in this import root."""
        if self.prefix and module.split(".", 1)[0] in self.tops:
            return f"{self.prefix}.{module}"
        return module

    def key(self) -> str:
        """A stable text for cache keys: a module's summary depends on it."""
        return f"{self.prefix}:{','.join(sorted(self.tops))}"


#: A module outside any renamed import root: imports mean what they say.
NO_PREFIX = LocalImports()


def unique_modules(files: Sequence[SourceFile]) -> list[SourceFile]:
    """`files` with module names made unique: clashing import roots get a path prefix."""
    by_module: dict[str, list[SourceFile]] = defaultdict(list)
    for file in files:
        by_module[file.module].append(file)
    clashing = {f.import_root for same in by_module.values() if len(same) > 1 for f in same}
    clashing.discard(".")  # the project root's own modules keep their import names
    if not clashing:
        return list(files)
    tops: dict[str, set[str]] = defaultdict(set)
    for file in files:
        tops[file.import_root].add(file.module.split(".", 1)[0])
    renamed = [
        _prefixed(f, LocalImports(_dotted(f.import_root), frozenset(tops[f.import_root])))
        if f.import_root in clashing
        else f
        for f in files
    ]
    return _numbered_leftovers(renamed)


def _prefixed(file: SourceFile, local: LocalImports) -> SourceFile:
    return dataclasses.replace(file, module=f"{local.prefix}.{file.module}", local=local)


def _dotted(relative_folder: str) -> str:
    return relative_folder.strip("/").replace("/", ".")


def _numbered_leftovers(files: list[SourceFile]) -> list[SourceFile]:
    """Names that still clash after prefixing (`a/b.py` beside a package `a/b/`) get a number:
    an unresolvable but distinct name is better than two files merged into one."""
    seen: dict[str, int] = defaultdict(int)
    result = []
    for file in sorted(files, key=lambda f: f.relpath):
        seen[file.module] += 1
        count = seen[file.module]
        result.append(
            dataclasses.replace(file, module=f"{file.module}#{count}") if count > 1 else file
        )
    return result
