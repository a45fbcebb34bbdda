"""No module of the package reaches another through importlib, where import-linter cannot see it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tracehybrid"
_IMPORTERS = {"import_module", "__import__"}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _names_package(node: ast.expr) -> bool:
    """A literal or f-string module name that starts inside tracehybrid."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split(".")[0] == "tracehybrid"
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        return isinstance(head, ast.Constant) and str(head.value).startswith("tracehybrid")
    return False


def hidden_imports(source: str) -> list[int]:
    """Lines where `source` imports a tracehybrid module by name at run time."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and _called_name(node) in _IMPORTERS
        and node.args
        and _names_package(node.args[0])
    ]


def test_the_scan_finds_each_spelling() -> None:
    source = (
        "import importlib\n"
        "from importlib import import_module\n"
        "importlib.import_module('tracehybrid.runtime.tracekeys')\n"
        "import_module(f'tracehybrid.{name}')\n"
        "__import__('tracehybrid')\n"
        "importlib.import_module('tensorflow')\n"
        "importlib.import_module(user_module)\n"
    )
    assert hidden_imports(source) == [3, 4, 5]


def test_no_module_reaches_another_through_importlib() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50  # the scan really walked the package
    found = {
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in files
        for line in hidden_imports(path.read_text(encoding="utf-8"))
    }
    assert found == set()
