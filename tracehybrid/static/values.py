"""Abstract values: what a name or expression may hold, as far as one file tells."""

from __future__ import annotations

from enum import StrEnum

from tracehybrid.static.summary import NO_TAINT, TENSOR, Taint


class ValKind(StrEnum):
    """What an abstract value is.

    A `StrEnum` rather than a plain `Enum`: members hash as strings, in C, and kind-set
    membership is on the evaluator's hottest path.
    """

    UNKNOWN = "unknown"
    LITERAL = "literal"
    BOOL = "bool"
    NONE = "none"
    CONTAINER = "container"
    OBJECT = "object"  # a Python object of no interest: a file, a dict(), globals()
    TENSOR = "tensor"
    SHAPE = "shape"
    NDARRAY = "ndarray"
    SYM = "sym"  # a qualified name from imports: module, function, class
    FUNC = "func"  # a function of this module, `ref` its qualified name
    CLASS = "class"
    INSTANCE = "instance"  # `ref` its class
    TFOBJ = "tfobj"
    DATASET = "dataset"
    DATASET_ITER = "dataset_iter"
    PY_ITER = "py_iter"
    TFRANGE = "tfrange"
    PYRANGE = "pyrange"
    CALLRES = "callres"  # the result of a project call, `ref` what the call names
    SUPER = "super"
    LAMBDA = "lambda"
    LOGGER = "logger"


class Val:
    """An abstract value.

    `origin` roots the value for mutation checks: local, param:NAME, self, global:NAME,
    closure:SCOPE:NAME or unknown.
    """

    __slots__ = ("dtype", "elem", "kind", "origin", "ref", "taint")

    def __init__(
        self,
        kind: ValKind = ValKind.UNKNOWN,
        taint: Taint = NO_TAINT,
        *,
        ref: str = "",
        origin: str = "unknown",
        elem: Taint = NO_TAINT,
        dtype: str = "",
    ) -> None:
        self.kind = kind
        self.taint = taint
        self.ref = ref
        self.origin = origin
        self.elem = elem
        self.dtype = dtype

    def with_origin(self, origin: str) -> Val:
        return Val(
            self.kind, self.taint, ref=self.ref, origin=origin, elem=self.elem, dtype=self.dtype
        )

    def outside(self, origin: str) -> Val:
        """This value seen from a nested scope: symbolic taints do not cross scopes."""
        keep = frozenset(t for t in self.taint if t == "T")
        elem = frozenset(t for t in self.elem if t == "T")
        return Val(self.kind, keep, ref=self.ref, origin=origin, elem=elem, dtype=self.dtype)

    @property
    def is_python_literal(self) -> bool:
        return self.kind is ValKind.LITERAL or (
            self.kind is ValKind.CONTAINER and self.ref == "lit"
        )

    def __repr__(self) -> str:
        return f"Val({self.kind}, {set(self.taint)}, ref={self.ref!r}, origin={self.origin!r})"


UNKNOWN = Val()
NON_TENSOR_KINDS = frozenset(
    {
        ValKind.LITERAL,
        ValKind.BOOL,
        ValKind.NONE,
        ValKind.SHAPE,
        ValKind.NDARRAY,
        ValKind.SYM,
        ValKind.FUNC,
        ValKind.CLASS,
        ValKind.DATASET,
        ValKind.DATASET_ITER,
        ValKind.PY_ITER,
        ValKind.PYRANGE,
        ValKind.OBJECT,
        ValKind.SUPER,
    }
)


def is_tensorish(val: Val) -> bool:
    return (
        bool(val.taint) and val.kind not in NON_TENSOR_KINDS and val.kind is not ValKind.CONTAINER
    )


def element_of(val: Val) -> Val:
    """The value of one element when iterating or unpacking `val`."""
    kind = val.kind
    if kind in (ValKind.TFRANGE, ValKind.DATASET, ValKind.DATASET_ITER):
        return Val(ValKind.TENSOR, TENSOR, origin="local")
    if kind is ValKind.PYRANGE:
        return Val(ValKind.LITERAL, ref="int", origin="local")
    if kind in (ValKind.CONTAINER, ValKind.PY_ITER):
        if val.ref == "lit":
            return Val(ValKind.LITERAL, origin=val.origin)
        if val.ref == "bool":
            return Val(ValKind.BOOL, origin=val.origin)
        return Val(ValKind.TENSOR if val.elem else ValKind.UNKNOWN, val.elem, origin=val.origin)
    if val.taint and kind not in NON_TENSOR_KINDS:
        return Val(ValKind.TENSOR, val.taint, origin=val.origin)
    return Val(origin=val.origin)


def merge(a: Val, b: Val) -> Val:
    """The value of a name that holds `a` on one path and `b` on another."""
    if a.kind is b.kind and a.ref == b.ref:
        kind, ref = a.kind, a.ref
    elif a.kind is b.kind is ValKind.TENSOR:  # a variable on one path: still a tensor
        kind, ref = ValKind.TENSOR, ""
    elif a.kind is ValKind.UNKNOWN:
        kind, ref = b.kind, b.ref
    elif b.kind is ValKind.UNKNOWN:
        kind, ref = a.kind, a.ref
    else:
        kind, ref = ValKind.UNKNOWN, ""
    origin = a.origin if a.origin == b.origin else "unknown"
    return Val(kind, a.taint | b.taint, ref=ref, origin=origin, elem=a.elem | b.elem, dtype=a.dtype)
