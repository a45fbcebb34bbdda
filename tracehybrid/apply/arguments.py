"""Merge keyword arguments into an existing `tf.function` decorator, keeping the others."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from tracehybrid.apply.edits import EditInvalid, EditSkipped

#: Deprecated spellings a new argument replaces (`experimental_relax_shapes`).
SYNONYMS: dict[str, frozenset[str]] = {
    "reduce_retracing": frozenset({"experimental_relax_shapes"}),
    "jit_compile": frozenset({"experimental_compile"}),
}


def keyword_args(call: cst.Call, *, what: str) -> list[cst.Arg]:
    """The arguments of `call`; all must be keywords, as positional order varies by TF version."""
    for arg in call.args:
        if arg.keyword is None:
            raise EditSkipped(f"{what} has positional or ** arguments; not rewritten")
    return list(call.args)


def _replaced_names(keyword: str) -> frozenset[str]:
    return frozenset({keyword}) | SYNONYMS.get(keyword, frozenset())


def _keyword(arg: cst.Arg) -> str:
    assert arg.keyword is not None  # keyword_args() checked it
    return arg.keyword.value


def merge_arguments(call: cst.Call, new_args: Sequence[cst.Arg]) -> cst.Call:
    """`call` with each of `new_args` replacing the same (or a synonymous) keyword, or appended."""
    args = keyword_args(call, what="the existing decorator")
    for new in new_args:
        names = _replaced_names(_keyword(new))
        hits = [i for i, arg in enumerate(args) if _keyword(arg) in names]
        if hits:
            first = hits[0]
            args[first] = args[first].with_changes(keyword=new.keyword, value=new.value)
            args = [arg for i, arg in enumerate(args) if i not in hits[1:]]
        else:
            args = _append(call, args, new)
    if args:
        args[-1] = _strip_default_comma(args[-1], call.args)
    return call.with_changes(args=args)


def _append(call: cst.Call, args: list[cst.Arg], new: cst.Arg) -> list[cst.Arg]:
    """Append `new`, copying the layout when the call ends with a (magic) trailing comma."""
    new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if not args:
        return [new]
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        between = args[-2].comma if len(args) > 1 else None
        if not isinstance(between, cst.Comma):
            between = cst.Comma(whitespace_after=_as_comma_whitespace(call.whitespace_before_args))
        return [*args[:-1], last.with_changes(comma=between), new.with_changes(comma=last.comma)]
    return [
        *args[:-1],
        last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        new,
    ]


def _as_comma_whitespace(
    ws: cst.BaseParenthesizableWhitespace,
) -> cst.BaseParenthesizableWhitespace:
    """The whitespace after `(` reused after a comma: a newline and indent, or else one space."""
    if isinstance(ws, cst.SimpleWhitespace) and not ws.value:
        return cst.SimpleWhitespace(" ")
    return ws


def _strip_default_comma(arg: cst.Arg, original: Sequence[cst.Arg]) -> cst.Arg:
    """A last argument keeps its comma only when the original last argument had one."""
    had_trailing = bool(original) and isinstance(original[-1].comma, cst.Comma)
    return arg if had_trailing else arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)


def new_keyword_args(expr: cst.BaseExpression) -> list[cst.Arg]:
    """The arguments of an edit's decorator text; they must all be keywords."""
    if not isinstance(expr, cst.Call):
        return []
    if any(arg.keyword is None for arg in expr.args):
        raise EditInvalid("decorator arguments in an edit must be keywords")
    return list(expr.args)
