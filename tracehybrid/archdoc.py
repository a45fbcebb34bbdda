"""The generated parts of docs/architecture.md: the layers and the output folder's files."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from tracehybrid.workspace import FILE_ROLES

PACKAGE = Path(__file__).resolve().parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"
_SECTION = re.compile(
    r"(<!-- begin generated: (?P<name>[a-z-]+) -->\n).*?(<!-- end generated: (?P=name) -->)",
    re.DOTALL,
)


def package_layers(pyproject: Path = PYPROJECT) -> list[list[str]]:
    """The whole package's `layers` contract, top to bottom; each layer's independent siblings."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["type"] == "layers" and not contract.get("containers"):
            return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]
    raise LookupError(f"{pyproject} has no layers contract for the whole package")


def summary_line(module: str) -> str:
    """The first line of a module's or package's docstring, read from source (nothing imported)."""
    relative = Path(*module.split(".")[1:])
    source = PACKAGE / relative / "__init__.py"
    if not source.exists():
        source = PACKAGE / relative.with_suffix(".py")
    docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
    return docstring.splitlines()[0] if docstring else ""


def render_layers(pyproject: Path = PYPROJECT) -> str:
    """A table of the layers, top to bottom, with what each module is for."""
    rows = ["| layer | module | what it is for |", "| --- | --- | --- |"]
    for number, layer in enumerate(package_layers(pyproject), start=1):
        for module in layer:
            path = module.replace(".", "/")
            rows.append(f"| {number} | `{path}` | {summary_line(module).replace('|', '\\|')} |")
    return "\n".join(rows) + "\n"


def render_run_dir() -> str:
    """A table of the output folder's files, as workspace.RunDir names them."""
    rows = ["| name | what it holds, who writes it, who reads it |", "| --- | --- |"]
    rows += [f"| `{name}` | {role} |" for name, role in FILE_ROLES.items()]
    return "\n".join(rows) + "\n"


def fill(page: str, pyproject: Path = PYPROJECT) -> str:
    """PAGE with each generated section rewritten; hand-written text is left as it is."""
    sections = {"layers": render_layers(pyproject), "run-dir": render_run_dir()}

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in sections:
            raise LookupError(f"docs/architecture.md names an unknown generated section {name!r}")
        return match.group(1) + sections[name] + match.group(3)

    filled, count = _SECTION.subn(replace, page)
    if count != len(sections):
        raise LookupError(f"docs/architecture.md has {count} of the {len(sections)} sections")
    return filled
