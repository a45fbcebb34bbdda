"""The code registry: stable, unique, documented, and mapped to contract categories."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tracehybrid import codes, docsgen
from tracehybrid.errors import UnknownCodeError


def test_codes_and_names_are_unique_and_well_formed() -> None:
    all_codes = codes.all_codes()
    assert len({c.code for c in all_codes}) == len(all_codes)
    assert len({c.name for c in all_codes}) == len(all_codes)
    for c in all_codes:
        assert re.fullmatch(r"TH[1-3]\d\d", c.code), c.code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", c.name), c.name
        assert c.summary.endswith("."), c.code
        assert c.before.strip() and c.after.strip() and c.why.strip(), c.code


def test_stage_matches_code_range() -> None:
    first_digit = {"static": "1", "runtime": "2", "measurement": "3"}
    for c in codes.all_codes():
        assert c.code[2] == first_digit[c.stage], c.code


def test_every_category_is_one_of_the_contract(shared_contract: Path) -> None:
    schema = json.loads((shared_contract / "results.schema.json").read_text())
    contract_categories = schema["$defs"]["reason"]["properties"]["category"]["enum"]
    assert list(codes.CATEGORIES) == contract_categories
    assert {c.category for c in codes.all_codes()} <= set(contract_categories)


def test_every_contract_category_has_at_least_one_code() -> None:
    assert {c.category for c in codes.all_codes()} == set(codes.CATEGORIES)


@pytest.mark.parametrize("key", ["TH101", "th101", "print-call", " Print-Call "])
def test_lookup_by_code_or_name(key: str) -> None:
    assert codes.get(key).code == "TH101"


def test_unknown_code_is_a_one_line_error() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.get("TH999")
    assert "\n" not in info.value.one_line()
    assert info.value.one_line().startswith("error[unknown-code]:")


def test_docs_codes_md_is_current() -> None:
    current = docsgen.DOC_PATH.read_text(encoding="utf-8")
    assert current == docsgen.render_all(), "docs/codes.md is stale: run `make docs`"
    for c in codes.all_codes():
        assert f"## {c.code} `{c.name}`" in current


def test_shipped_schema_equals_the_contract(shared_contract: Path) -> None:
    shipped = Path(codes.__file__).parent / "data" / "results.schema.json"
    contract = shared_contract / "results.schema.json"
    assert json.loads(shipped.read_text()) == json.loads(contract.read_text())


def test_docs_dbschema_md_is_current_and_holds_every_table() -> None:
    current = docsgen.DBSCHEMA_PATH.read_text(encoding="utf-8")
    assert current == docsgen.render_dbschema(), "docs/dbschema.md is stale: run `make docs`"
    for table in ("meta", "candidate", "test", "signature", "effect", "prediction"):
        assert f"CREATE TABLE IF NOT EXISTS {table} " in current, table
    assert "2: exact cross-process predictions" in current
