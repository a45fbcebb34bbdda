"""One process's graph run: the import hook, the patching of targets, and the record file."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

from tracehybrid.measure.inrun.graph_warnings import WarningTap
from tracehybrid.measure.inrun.import_hook import PatchingFinder, module_file
from tracehybrid.measure.inrun.measuring_wrapper import MeasuredFunction
from tracehybrid.measure.inrun.record import ProcessRecord
from tracehybrid.measure.inrun.target_swap import NotWrapped, replace_aliases, replace_target
from tracehybrid.measure.targets import TARGETS_ENV, Target, TargetsFile

_ACTIVE: GraphRun | None = None


class GraphRun:
    """Patches every target when its module is imported and records the process's facts."""

    def __init__(self, document: TargetsFile) -> None:
        self.document = document
        self.record = ProcessRecord(document.targets, document.out_dir)
        self.by_file: dict[str, list[Target]] = defaultdict(list)
        for target in document.targets:
            self.by_file[os.path.realpath(target.path)].append(target)
        self.finder = PatchingFinder(self.by_file, self.patch_module)
        self.patched: set[int] = set()
        self.finished = False
        self.warnings = WarningTap(self._charge_warning, lambda: self.record.current_test)

    def start(self) -> None:
        """Hook future imports and patch target modules that are already imported."""
        self.finder.install()
        self.warnings.install()
        self.patch_imported(late=True)

    def patch_imported(self, late: bool) -> None:
        """Patch target modules imported without the hook (before it, or by a custom loader)."""
        for module in list(sys.modules.values()):
            if id(module) not in self.patched and module_file(module) in self.by_file:
                self.patch_module(module, late=late)

    def patch_module(self, module: ModuleType, late: bool = False) -> None:
        """Replace each target defined in MODULE; a failure is recorded, never raised."""
        self.patched.add(id(module))
        for target in self.by_file.get(module_file(module) or "", []):
            record = self.record.targets[target.key]
            try:
                old, new = replace_target(module, target, self._make, self._factory_missed)
            except NotWrapped as exc:
                record.wrap, record.wrap_error = "not_wrapped", str(exc)
                continue
            except Exception as exc:
                record.wrap, record.wrap_error = "not_wrapped", f"{type(exc).__name__}: {exc}"
                self.record.problem(f"wrapping {target.qualname}: {type(exc).__name__}: {exc}")
                continue
            if record.wrap == "pending":
                record.wrap = "wrapped"
            if late and new is not old:
                replace_aliases(old, new, skip=module)

    def _make(self, found: Any, target: Target) -> MeasuredFunction:
        return MeasuredFunction(found, target, self.record, self.document.measure)

    def _factory_missed(self, target: Target) -> None:
        record = self.record.targets[target.key]
        outer = target.qualname.partition(".<locals>.")[0]
        record.wrap = "not_wrapped"
        record.wrap_error = (
            f"`{outer}` did not return `{target.qualname}`: a nested function can be wrapped "
            "only where its enclosing function returns it"
        )

    def finish(self) -> Path | None:
        """Write this process's record file (idempotent)."""
        if self.finished:
            return None
        self.finished = True
        self.finder.uninstall()
        self.warnings.uninstall()
        return self.record.write()

    def _charge_warning(self, test: str, key: str, message: str) -> None:
        """A graph warning: the running target's own, or every graph target of the test's."""
        if not test:
            return  # import time, or an in-process rerun after the tests: no test to blame
        if key:
            charged = [self.record.targets[key]] if key in self.record.targets else []
        else:
            charged = [
                r
                for r in self.record.targets.values()
                if not r.target.dehybridize and (r.tests.get(test) or r.graph_tests.get(test))
            ]
        for record in charged:
            record.add(record.warnings, {"test": test, "message": message, "own": bool(key)})


def start_graph_run(targets_file: Path | None = None) -> GraphRun | None:
    """Start the rerun of this process from the targets file (argument or environment)."""
    global _ACTIVE  # noqa: PLW0603 - one graph run per process, like the runtime's collector
    if _ACTIVE is not None:
        return _ACTIVE
    path = targets_file or (Path(os.environ[TARGETS_ENV]) if os.environ.get(TARGETS_ENV) else None)
    if path is None:
        return None
    _ACTIVE = GraphRun(TargetsFile.read(path))
    _ACTIVE.start()
    return _ACTIVE


def active_graph_run() -> GraphRun | None:
    """The rerun of this process, if started."""
    return _ACTIVE
