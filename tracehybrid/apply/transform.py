"""`transform_source`: parse once, apply every edit for one file, fix its imports; never raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

import libcst as cst
from libcst.metadata import MetadataWrapper

from tracehybrid.apply.decorators import DecoratorCodemod
from tracehybrid.apply.edits import (
    Edit,
    EditInvalid,
    EditKind,
    EditSkipped,
    Failure,
    Skip,
    Success,
    TransformResult,
)
from tracehybrid.apply.imports import (
    CANONICAL_IMPORT,
    add_canonical_import,
    remove_released_imports,
)
from tracehybrid.apply.locate import FactsCollector, FunctionSite, ModuleFacts

_KINDS = frozenset(get_args(EditKind))


@dataclass(frozen=True)
class ParsedModule:
    """One module parsed and its facts collected, ready for any number of `transform_parsed`
    calls: libcst trees are immutable, so one parse serves every edit (the report's previews)."""

    wrapper: MetadataWrapper
    facts: ModuleFacts


def parse_for_edits(source: str) -> ParsedModule | Failure:
    """SOURCE parsed once, or the Failure `transform_source` would give for it."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        return Failure(f"cannot parse: {error.message} (line {error.raw_line})", unparsable=True)
    try:
        # Nothing else holds this freshly parsed module, so the wrapper's defensive deep copy
        # (a tenth of a preview's cost on GPflow) protects nothing.
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        collector = FactsCollector()
        wrapper.visit(collector)
    except Exception as error:  # never raises, as libcst's transform_module
        return Failure(f"internal error: {type(error).__name__}: {error}")
    return ParsedModule(wrapper, collector.facts)


def transform_source(source: str, edits: Sequence[Edit]) -> TransformResult:
    """Apply `edits` to one module's text.

    Returns :class:`Success` (possibly with no change: edits are idempotent), :class:`Skip` when no
    edit could be applied, or :class:`Failure` for unparsable source or a malformed edit.
    """
    parsed = parse_for_edits(source)
    return parsed if isinstance(parsed, Failure) else transform_parsed(parsed, edits)


def transform_parsed(parsed: ParsedModule, edits: Sequence[Edit]) -> TransformResult:
    """Apply `edits` to an already parsed module (which stays as it was); never raises."""
    try:
        return _transform(parsed.wrapper, parsed.facts, edits)
    except EditInvalid as invalid:
        return Failure(str(invalid))
    except Exception as error:  # never raises, as libcst's transform_module
        return Failure(f"internal error: {type(error).__name__}: {error}")


def _transform(
    wrapper: MetadataWrapper, facts: ModuleFacts, edits: Sequence[Edit]
) -> TransformResult:
    plan: dict[int, tuple[FunctionSite, list[Edit]]] = {}
    skipped: list[str] = []
    for edit in edits:
        if edit.kind not in _KINDS:
            raise EditInvalid(f"unknown edit kind {edit.kind!r}")
        try:
            site = facts.find(edit.target)
        except EditSkipped as skip:
            skipped.append(str(skip))
            continue
        plan.setdefault(id(site.node), (site, []))[1].append(edit)
    codemod = DecoratorCodemod(facts, plan)
    new_module = wrapper.visit(codemod)
    outcome = codemod.outcome
    changed = list(outcome.changed)
    fixes = len(changed)  # the codemod notes one line per edit that changed its function
    skipped.extend(outcome.skipped)
    if outcome.released:
        new_module, removed = remove_released_imports(new_module, outcome.released)
        changed.extend(removed)
    if outcome.needs_canonical_import:
        new_module = add_canonical_import(new_module)
        changed.append(f"added `{CANONICAL_IMPORT}`")
    if edits and len(skipped) == len(edits):
        return Skip("; ".join(skipped))
    return Success(new_module.code, changed, skipped, fixes)
