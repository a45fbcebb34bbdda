"""docs/architecture.md's generated tables follow the layers contract and RunDir's names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracehybrid import archdoc
from tracehybrid.docsgen import ARCHITECTURE_PATH
from tracehybrid.workspace import FILE_ROLES, RESULTS_NAME

_PAGE = (
    "# hand-written\n"
    "<!-- begin generated: layers -->\nstale\n<!-- end generated: layers -->\n"
    "kept as written\n"
    "<!-- begin generated: run-dir -->\n<!-- end generated: run-dir -->\n"
)


def test_every_layer_of_the_contract_is_a_row_with_its_docstring() -> None:
    layers = archdoc.package_layers()
    modules = [module for layer in layers for module in layer]
    assert modules[0] == "tracehybrid.__main__" and modules[-1] == "tracehybrid.errors"
    table = archdoc.render_layers()
    for module in modules:
        assert f"`{module.replace('.', '/')}` | {archdoc.summary_line(module)}" in table
    assert archdoc.summary_line("tracehybrid.verdict").startswith("Verdicts in one place")


def test_fill_rewrites_only_the_generated_sections() -> None:
    filled = archdoc.fill(_PAGE)
    assert "stale" not in filled
    assert filled.startswith("# hand-written\n") and "kept as written\n" in filled
    assert f"| `{RESULTS_NAME}` | {FILE_ROLES[RESULTS_NAME]} |" in filled
    assert archdoc.fill(filled) == filled  # a second fill changes nothing: `--check` is stable


def test_a_page_missing_a_section_is_refused() -> None:
    with pytest.raises(LookupError, match="1 of the 2 sections"):
        archdoc.fill(_PAGE.split("kept as written", maxsplit=1)[0])


def test_a_contract_without_layers_is_refused(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.importlinter]\ncontracts = [{type = "forbidden"}]\n')
    with pytest.raises(LookupError, match="no layers contract"):
        archdoc.package_layers(pyproject)


def test_the_checked_in_page_is_current() -> None:
    page = ARCHITECTURE_PATH.read_text(encoding="utf-8")
    assert archdoc.fill(page) == page, "run `make docs`"
