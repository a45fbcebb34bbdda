"""Abstract values and scopes: what a name or expression may hold, as far as one file tells."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracehybrid.static.summary import NO_TAINT, Taint


class Val:
    """An abstract value.

    `kind` is one of: unknown, literal, bool, none, container, object, tensor, shape, ndarray,
    sym (a qualified name from imports: module, function, class), func (a function of this
    module, `ref` its qualified name), class, instance (`ref` its class), tfobj, dataset,
    dataset_iter, py_iter, tfrange, pyrange, callres (`ref` the call target), super.
    `origin` roots the value for mutation checks: local, param:NAME, self, global:NAME,
    closure:SCOPE:NAME or unknown.
    """

    __slots__ = ("dtype", "elem", "kind", "origin", "ref", "taint")

    def __init__(
        self,
        kind: str = "unknown",
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
        return self.kind == "literal" or (self.kind == "container" and self.ref == "lit")

    def __repr__(self) -> str:
        return f"Val({self.kind}, {set(self.taint)}, ref={self.ref!r}, origin={self.origin!r})"


UNKNOWN = Val()
LITERAL_KINDS = frozenset({"literal", "bool", "none"})
NON_TENSOR_KINDS = frozenset(
    {
        "literal",
        "bool",
        "none",
        "shape",
        "ndarray",
        "sym",
        "func",
        "class",
        "dataset",
        "dataset_iter",
        "py_iter",
        "pyrange",
        "object",
        "super",
    }
)


def merge(a: Val, b: Val) -> Val:
    """The value of a name that holds `a` on one path and `b` on another."""
    if a.kind == b.kind and a.ref == b.ref:
        kind, ref = a.kind, a.ref
    elif a.kind == "unknown":
        kind, ref = b.kind, b.ref
    elif b.kind == "unknown":
        kind, ref = a.kind, a.ref
    else:
        kind, ref = "unknown", ""
    origin = a.origin if a.origin == b.origin else "unknown"
    return Val(kind, a.taint | b.taint, ref=ref, origin=origin, elem=a.elem | b.elem, dtype=a.dtype)


@dataclass
class Scope:
    """A function (or lambda/comprehension, module, class) body's names."""

    kind: str  # module, class, function, inner (lambda / comprehension)
    qualname: str
    parent: Scope | None
    local_names: set[str] = field(default_factory=set)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    env: dict[str, Val] = field(default_factory=dict)
    class_name: str = ""  # qualified class for methods

    def owning_function(self) -> Scope:
        scope = self
        while scope.kind == "inner" and scope.parent is not None:
            scope = scope.parent
        return scope
