"""Inline before/after helpers for the apply codemods, in the shape of libcst's CodemodTest."""

from __future__ import annotations

import textwrap

from tracehybrid.apply import Edit, EditKind, FunctionTarget, Skip, Success, transform_source


def line_of(source: str, qualname: str) -> int:
    """The line of `def <last part of qualname>(` in `source` (1-based)."""
    needle = f"def {qualname.rsplit('.', 1)[-1]}("
    for number, line in enumerate(source.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"no {needle!r} in source")


def edit(kind: EditKind, qualname: str, source: str, decorator: str = "@tf.function") -> Edit:
    """An edit of the function `qualname`, located in the dedented `source`."""
    line = line_of(textwrap.dedent(source), qualname)
    return Edit(FunctionTarget(qualname, line), kind, "" if kind == "dehybridize" else decorator)


def assert_codemod(before: str, after: str, edits: list[Edit], *, dedent: bool = True) -> Success:
    """`before` becomes exactly `after`, and applying the same edits again changes nothing."""
    source = textwrap.dedent(before) if dedent else before
    expected = textwrap.dedent(after) if dedent else after
    result = transform_source(source, edits)
    assert isinstance(result, Success), result
    assert result.new_source == expected
    again = transform_source(result.new_source, edits)
    assert isinstance(again, Success), again
    assert again.new_source == result.new_source, "second apply changed the file"
    return result


def assert_skip(before: str, edits: list[Edit], reason_part: str) -> Skip:
    """No edit applies; the reason names what stopped it."""
    result = transform_source(textwrap.dedent(before), edits)
    assert isinstance(result, Skip), result
    assert reason_part in result.reason
    return result
