"""Types of `self` attributes: from their assignments in any method, and from annotations."""

from __future__ import annotations

import ast
from collections.abc import Callable

from tracehybrid.static import names
from tracehybrid.static.context import BodyContext, ModuleContext
from tracehybrid.static.values import Val, ValKind

# The type of an attribute that is not one object of a known class: a dict or list assigned to
# it, a literal, or two different classes. Its methods are judged by name, as before typing.
NOT_AN_OBJECT = ""
# Values that never make an attribute a known object (a `None` placeholder leaves it open).
PLAIN_KINDS = frozenset(
    {ValKind.CONTAINER, ValKind.LITERAL, ValKind.BOOL, ValKind.NDARRAY, ValKind.PY_ITER}
)
CONTAINER_NAMES = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.set",
        "builtins.tuple",
        "builtins.frozenset",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.bytes",
    }
)
CONTAINER_ROOTS = ("typing.", "collections.", "typing_extensions.")
OPTIONAL_NAMES = frozenset({"typing.Optional", "typing_extensions.Optional"})
UNION_NAMES = frozenset({"typing.Union", "typing_extensions.Union"})
Evaluate = Callable[[ast.expr], Val]


def annotation_names(ctx: ModuleContext) -> Evaluate:
    """Evaluates an annotation's names at module level, recording no global reads."""

    def ev(node: ast.expr) -> Val:
        if isinstance(node, ast.Name):
            return ctx.global_val(node.id)
        if isinstance(node, ast.Attribute):
            base = ev(node.value)
            if base.kind in (ValKind.SYM, ValKind.CLASS):
                return Val(ValKind.SYM, ref=f"{base.ref}.{node.attr}")
        return Val()

    return ev


def note_assignment(body: BodyContext, attr: str, val: Val, annotation: ast.expr | None) -> None:
    """`self.attr = val` (or `self.attr: T = val`) in a method: what the attribute holds."""
    cls = body.scope.owning_function().class_name
    if not cls:
        return
    ev = annotation_names(body.ctx)
    hint = _param_annotation(body, val)
    if annotation is not None:
        type_ = type_of_annotation(annotation, ev)
    else:
        type_ = type_of_value(val, hint, ev)
    declared = annotation is not None or (hint is not None and val.kind is ValKind.UNKNOWN)
    record(body.ctx, cls, attr, type_, declared=declared)


def note_declaration(body: BodyContext, attr: str, annotation: ast.expr) -> None:
    """`moving_mean: Metric` in a class body declares what the instances' attribute holds."""
    cls = f"{body.ctx.module}.{body.scope.qualname}"
    type_ = type_of_annotation(annotation, annotation_names(body.ctx))
    record(body.ctx, cls, attr, type_, declared=True)


def _param_annotation(body: BodyContext, val: Val) -> str | None:
    """The annotation of the parameter `val` is, unchanged; None for any other value."""
    if val.kind is not ValKind.UNKNOWN or not val.origin.startswith("param:"):
        return None
    name = val.origin[6:]
    param = body.params.get(name)
    if param is None or val.taint != frozenset({f"p:{name}"}):
        return None
    return param.annotation


def attr_type(ctx: ModuleContext, cls: str, attr: str) -> str:
    """The class an attribute of `cls` (or of a base class in this module) holds; "" if unknown."""
    found = _find(ctx, cls, attr)
    return found[1] if found is not None else NOT_AN_OBJECT


def is_declared(ctx: ModuleContext, cls: str, attr: str) -> bool:
    """Whether the attribute's class comes from an annotation: it may hold a subclass."""
    found = _find(ctx, cls, attr)
    return found is not None and (found[0], attr) in ctx.declared_attrs


def _find(ctx: ModuleContext, cls: str, attr: str) -> tuple[str, str] | None:
    """(the class that types `attr`, its type), searching `cls` and then its bases."""
    seen: set[str] = set()
    pending = [cls]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        known = ctx.class_attrs.get(current, {})
        if attr in known:
            return current, known[attr]
        pending.extend(ctx.class_bases.get(current, ()))
    return None


def record(
    ctx: ModuleContext, cls: str, attr: str, type_: str | None, *, declared: bool = False
) -> None:
    """Note that `cls`'s `attr` is assigned a value of `type_` (None: nothing known)."""
    if type_ is None:
        return
    known = ctx.class_attrs.setdefault(cls, {})
    if known.get(attr, type_) != type_:
        type_ = NOT_AN_OBJECT  # two different classes, or an object and a dict: not one type
    known[attr] = type_
    if declared:
        ctx.declared_attrs.add((cls, attr))


def type_of_value(val: Val, annotation: str | None, ev: Evaluate) -> str | None:
    """The class `val` is an instance of, NOT_AN_OBJECT for a plain Python value, else None."""
    if val.kind in (ValKind.INSTANCE, ValKind.TFOBJ, ValKind.CALLRES) and val.ref:
        return val.ref
    if val.kind is ValKind.TENSOR and val.ref == names.VARIABLE:
        return names.VARIABLE
    if val.kind in PLAIN_KINDS:
        return NOT_AN_OBJECT
    if annotation is not None:  # a parameter stored on self: its annotation says what it holds
        try:
            parsed = ast.parse(annotation, mode="eval").body
        except SyntaxError:
            return None
        return type_of_annotation(parsed, ev)
    return None


def type_of_annotation(node: ast.expr, ev: Evaluate) -> str | None:
    """The class an annotation names, NOT_AN_OBJECT for a container or scalar, else None."""
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str):
            return None
        try:
            return type_of_annotation(ast.parse(node.value, mode="eval").body, ev)
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # `X | None`
        return _one_of([node.left, node.right], ev)
    if isinstance(node, ast.Subscript):
        return _type_of_generic(node, ev)
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    val = ev(node)
    if val.kind is ValKind.CLASS:
        return val.ref
    if val.kind is not ValKind.SYM:
        return None
    if val.ref in CONTAINER_NAMES or val.ref.startswith(CONTAINER_ROOTS):
        return NOT_AN_OBJECT
    if val.ref.startswith("builtins."):
        return None
    # A name from imports: a class by naming convention (`snt.Module`, `metrics.Metric`).
    return val.ref if val.ref.rsplit(".", 1)[-1][:1].isupper() else None


def _type_of_generic(node: ast.Subscript, ev: Evaluate) -> str | None:
    """`Optional[X]` and `Union[X, None]` are X; `dict[...]`, `List[...]` are containers."""
    generic = ev(node.value).ref
    members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if generic in OPTIONAL_NAMES or generic in UNION_NAMES:
        return _one_of(members, ev)
    if generic in CONTAINER_NAMES or generic.startswith(CONTAINER_ROOTS):
        return NOT_AN_OBJECT
    return None


def _one_of(members: list[ast.expr], ev: Evaluate) -> str | None:
    """`Optional[X]`, `X | None`, `Union[X, None]`: X; a union of several types is unknown."""
    real = [m for m in members if not (isinstance(m, ast.Constant) and m.value is None)]
    return type_of_annotation(real[0], ev) if len(real) == 1 else None


def judged_by_library(cls: str) -> bool:
    """A class of a library whose objects keep their state in tf.Variables (see names)."""
    return (
        names.root_of(cls) in names.STATEFUL_MODULE_ROOTS and cls.rsplit(".", 1)[-1][:1].isupper()
    )
