"""Call-graph edges recorded at call sites: project calls, and functions passed as values."""

from __future__ import annotations

import ast

from tracehybrid.static.context import BodyContext, ModuleContext, dotted
from tracehybrid.static.summary import TENSOR, ArgDesc, ArgKind, CallRec, CallTarget
from tracehybrid.static.values import Val, ValKind

OBJECT_KINDS = frozenset(
    {
        ValKind.INSTANCE,
        ValKind.OBJECT,
        ValKind.DATASET,
        ValKind.FUNC,
        ValKind.CLASS,
        ValKind.CONTAINER,
        ValKind.LAMBDA,
    }
)


def record_call(
    body: BodyContext,
    target: CallTarget,
    node: ast.Call,
    args: list[Val],
    kwargs: dict[str, Val],
    receiver: str,
) -> Val:
    """A call the linker resolves once the project is known; its result stays symbolic."""
    positional: list[ArgDesc] = []
    starred = "**" in kwargs
    for val, arg in zip(args, node.args, strict=True):
        if isinstance(arg, ast.Starred):
            starred = True
            break
        positional.append(describe_arg(body.ctx, val, arg))
    record = CallRec(
        line=node.lineno,
        target=target,
        text=dotted(node.func),
        args=positional,
        kwargs={
            k.arg: describe_arg(body.ctx, kwargs[k.arg], k.value) for k in node.keywords if k.arg
        },
        receiver=receiver,
        starred=starred,
    )
    calls = body.fs.calls
    calls.append(record)
    record_callbacks(body, node, args, kwargs)
    index = len(calls) - 1
    return Val(ValKind.CALLRES, frozenset({f"c:{index}"}), ref=target.result_ref, origin="unknown")


def describe_arg(ctx: ModuleContext, val: Val, node: ast.expr) -> ArgDesc:
    """What a call site passes, as the linker weighs it: a Python value, a tensor, or unknown."""
    kind: ArgKind
    if val.kind is ValKind.BOOL or (val.kind is ValKind.CONTAINER and val.ref == "bool"):
        kind = "bool"
    elif val.is_python_literal:
        kind = "literal"
    elif val.kind is ValKind.NONE:
        kind = "none"
    elif val.kind is ValKind.NDARRAY:
        return ArgDesc(TENSOR, "tensor", val.origin, ctx.text(node)[:40])
    elif val.taint:
        kind = "mixed" if val.ref == "haslit" else "tensor"
    elif val.ref == "haslit":
        kind = "literal"
    elif val.kind in OBJECT_KINDS:
        kind = "object"
    else:
        kind = "unknown"
    return ArgDesc(val.taint, kind, val.origin, ctx.text(node)[:40])


def record_callbacks(
    body: BodyContext, node: ast.Call, args: list[Val], kwargs: dict[str, Val]
) -> None:
    """Project functions passed as values are called by the callee: edges of the call graph."""
    for val in (*args, *kwargs.values()):
        if val.kind is ValKind.FUNC:
            short = val.ref.rsplit(".", 1)[-1]
            body.fs.calls.append(
                CallRec(node.lineno, CallTarget.function(val.ref), short, [], {}, "", True, True)
            )
