"""A `sys.meta_path` finder that lets a callback patch chosen modules right after they execute."""

from __future__ import annotations

import importlib.abc
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

OnLoaded = Callable[[ModuleType], None]
_HOOKED = "__tracehybrid_hooked__"


def module_file(module: ModuleType) -> str | None:
    """The real path of a module's source file, or None (built-ins, namespace packages)."""
    path = getattr(module, "__file__", None)
    return os.path.realpath(path) if isinstance(path, str) else None


def _module_names(files: Iterable[str]) -> set[str]:
    # The last dotted component an import of each file can have: `pkg/ops.py` -> ops,
    # `pkg/__init__.py` -> pkg. A cheap pre-filter before asking the other finders.
    names = set()
    for name in files:
        path = Path(name)
        names.add(path.parent.name if path.stem == "__init__" else path.stem)
    return names


class PatchingFinder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: asks the finders after it, and hooks the loader of target files."""

    def __init__(self, files: Iterable[str], on_loaded: OnLoaded) -> None:
        self.files = frozenset(os.path.realpath(f) for f in files)
        self.names = _module_names(self.files)
        self.on_loaded = on_loaded
        self._busy = threading.local()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """The spec the other finders give, with a hooked loader, for target files only."""
        if fullname.rpartition(".")[2] not in self.names or getattr(self._busy, "on", False):
            return None
        self._busy.on = True
        try:
            spec = self._find_elsewhere(fullname, path, target)
        finally:
            self._busy.on = False
        if spec is None or spec.loader is None or not isinstance(spec.origin, str):
            return None
        if os.path.realpath(spec.origin) not in self.files:
            return None
        return spec if self._hook(spec.loader) else None

    def _find_elsewhere(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None
    ) -> ModuleSpec | None:
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                return spec
        return None

    def _hook(self, loader: Any) -> bool:
        """Patch the loader instance's exec_module; the callback checks the module's file."""
        original = loader.exec_module
        if getattr(original, _HOOKED, False):
            return True
        on_loaded, files = self.on_loaded, self.files

        def exec_module(module: ModuleType) -> None:
            original(module)
            if module_file(module) in files:
                on_loaded(module)

        setattr(exec_module, _HOOKED, True)
        try:
            loader.exec_module = exec_module
        except (AttributeError, TypeError):  # a loader with __slots__: patch after collection
            return False
        return True

    def install(self) -> None:
        """Go first, so the project's imports (conftest included) come through here."""
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        """Stop hooking new imports (hooked loaders stay: their modules are already patched)."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)
