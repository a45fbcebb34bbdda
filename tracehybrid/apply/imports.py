"""Add `import tensorflow as tf` where the file's style puts it; drop TF imports left unused."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ImportAssignment, MetadataWrapper, ScopeProvider

from tracehybrid.apply.tfnames import binding_kind, bound_names

CANONICAL_IMPORT = "import tensorflow as tf"
_NEW_MODULE = "tensorflow"

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
ImportKey = Callable[[cst.SimpleStatementLine], str]


def _imported_module(stmt: cst.BaseStatement) -> str | None:
    """The first module an import-only line imports ("." prefix when relative), else None."""
    if not isinstance(stmt, cst.SimpleStatementLine) or not stmt.body:
        return None
    first = stmt.body[0]
    if not all(isinstance(small, cst.Import | cst.ImportFrom) for small in stmt.body):
        return None
    if isinstance(first, cst.Import):
        return first.names[0].evaluated_name
    assert isinstance(first, cst.ImportFrom)
    dots = "." * len(first.relative)
    return dots + (get_full_name_for_node(first.module) or "" if first.module else "")


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_blank(line: cst.EmptyLine) -> bool:
    return line.comment is None


def _category(module: str) -> str:
    if module.startswith("."):
        return "local"
    return "stdlib" if module.split(".", maxsplit=1)[0] in sys.stdlib_module_names else "third"


def _by_kind(stmt: cst.SimpleStatementLine) -> str:
    """isort's default order: `import x` lines before `from x import y` lines."""
    kind = "1" if isinstance(stmt.body[0], cst.ImportFrom) else "0"
    return kind + _by_module(stmt)


def _by_module(stmt: cst.SimpleStatementLine) -> str:
    """isort's `force_sort_within_sections` order: by module only."""
    return (_imported_module(stmt) or "").lower()


def add_canonical_import(module: cst.Module) -> cst.Module:
    """`module` with `import tensorflow as tf` in its import block (sorted position if sorted)."""
    body: list[Statement] = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    while start < len(body) and _imported_module(body[start]) == "__future__":
        start += 1
    end = start
    while end < len(body) and _imported_module(body[end]) is not None:
        end += 1
    new = cst.parse_statement(f"{CANONICAL_IMPORT}\n")
    assert isinstance(new, cst.SimpleStatementLine)
    if start == end:
        return module.with_changes(body=_insert_alone(body, start, new))
    return module.with_changes(body=_insert_in_block(body, start, end, new))


def _insert_alone(
    body: list[Statement], index: int, new: cst.SimpleStatementLine
) -> list[Statement]:
    """No import block yet: the import goes between the preamble and the next statement."""
    if index == len(body):
        return [*body, new]
    following = body[index]
    lines = list(following.leading_lines)
    blanks = 0
    while blanks < len(lines) and _is_blank(lines[blanks]):
        blanks += 1
    spacing = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
    separator = [cst.EmptyLine() for _ in range(spacing)]
    body[index] = following.with_changes(leading_lines=[*separator, *lines[blanks:]])
    above = [cst.EmptyLine()] if blanks else []  # one blank line separates sections, as isort
    body.insert(index, new.with_changes(leading_lines=above))
    return body


def _groups(body: Sequence[Statement], start: int, end: int) -> list[list[int]]:
    """Indices of the import block split at blank lines, as isort separates sections."""
    groups: list[list[int]] = []
    for index in range(start, end):
        if not groups or any(_is_blank(line) for line in body[index].leading_lines):
            groups.append([])
        groups[-1].append(index)
    return groups


def _insert_in_block(
    body: list[Statement], start: int, end: int, new: cst.SimpleStatementLine
) -> list[Statement]:
    groups = _groups(body, start, end)
    categories = [{_category(_imported_module(body[i]) or "") for i in group} for group in groups]
    third = [g for g, cats in zip(groups, categories, strict=True) if "third" in cats]
    if third:
        return _insert_in_group(body, third[0], new)
    before_local = [g for g, cats in zip(groups, categories, strict=True) if "local" not in cats]
    if before_local:  # a new section after the standard library's
        after = before_local[-1][-1] + 1
        body.insert(after, new.with_changes(leading_lines=[cst.EmptyLine()]))
        return body
    first = body[start]
    body[start] = first.with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(start, new.with_changes(leading_lines=first.leading_lines))
    return body


def _insert_in_group(
    body: list[Statement], group: list[int], new: cst.SimpleStatementLine
) -> list[Statement]:
    lines = [cst.ensure_type(body[i], cst.SimpleStatementLine) for i in group]
    position = group[-1] + 1
    keys: tuple[ImportKey, ...] = (_by_kind, _by_module)
    for key in keys:
        ordered = [key(line) for line in lines]
        if ordered == sorted(ordered):
            later = [i for i, k in zip(group, ordered, strict=True) if k > key(new)]
            position = later[0] if later else group[-1] + 1
            break
    if position == group[0]:
        first = body[position]
        body[position] = first.with_changes(leading_lines=[])
        body.insert(position, new.with_changes(leading_lines=first.leading_lines))
    else:
        body.insert(position, new)
    return body


def remove_released_imports(module: cst.Module, released: set[str]) -> tuple[cst.Module, list[str]]:
    """Drop module-level TensorFlow imports of `released` names that nothing uses any more."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scope = wrapper.resolve(ScopeProvider)[module]
    assert scope is not None
    unused: dict[int, set[str]] = {}
    for name in sorted(released):
        assignments = scope.assignments[name]
        tf_imports = [
            a.node
            for a in assignments
            if isinstance(a, ImportAssignment)
            and isinstance(a.node, cst.Import | cst.ImportFrom)
            and binding_kind(a.node, name) is not None
        ]
        all_tf = bool(tf_imports) and len(tf_imports) == len(assignments)
        if all_tf and not any(a.references for a in assignments):
            for node in tf_imports:
                unused.setdefault(id(node), set()).add(name)
    if not unused:
        return module, []
    return _without_imports(module, unused)


def _without_imports(
    module: cst.Module, unused: dict[int, set[str]]
) -> tuple[cst.Module, list[str]]:
    body: list[Statement] = []
    carried: list[cst.EmptyLine] = []
    removed: list[str] = []
    for stmt in module.body:
        kept = _drop_names(stmt, unused, removed)
        if kept is None:
            carried.extend(stmt.leading_lines)
            continue
        if carried or (not body and stmt is not module.body[0]):
            kept = kept.with_changes(
                leading_lines=_merge_lines(carried, kept.leading_lines, top=not body)
            )
            carried = []
        body.append(kept)
    return module.with_changes(body=body), removed


def _merge_lines(
    carried: Sequence[cst.EmptyLine], own: Sequence[cst.EmptyLine], *, top: bool
) -> list[cst.EmptyLine]:
    """Comments of a removed line move down; blank lines are not doubled, nor left at the top."""
    merged = (
        list(own) if all(map(_is_blank, carried)) and any(map(_is_blank, own)) else [*carried, *own]
    )
    while top and merged and _is_blank(merged[0]):
        merged.pop(0)
    return merged


def _drop_names(
    stmt: Statement, unused: dict[int, set[str]], removed: list[str]
) -> Statement | None:
    """`stmt` without the unused import names; None when nothing of it is left."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return stmt
    smalls: list[cst.BaseSmallStatement] = []
    for small in stmt.body:
        names = unused.get(id(small))
        if names is None or not isinstance(small, cst.Import | cst.ImportFrom):
            smalls.append(small)
            continue
        removed.extend(f"removed unused import of `{name}`" for name in sorted(names))
        kept = _without_aliases(small, names)
        if kept is not None:
            smalls.append(kept)
    if len(smalls) == len(stmt.body) and all(
        a is b for a, b in zip(smalls, stmt.body, strict=True)
    ):
        return stmt
    if not smalls:
        return None
    smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(body=smalls)


def _without_aliases(
    node: cst.Import | cst.ImportFrom, names: set[str]
) -> cst.Import | cst.ImportFrom | None:
    assert not isinstance(node.names, cst.ImportStar)  # bound_names() is empty for `*`
    bound = bound_names(node)
    aliases = [a for a, name in zip(node.names, bound, strict=True) if name not in names]
    if not aliases:
        return None
    if not (isinstance(node, cst.ImportFrom) and node.rpar is not None):
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=aliases)
