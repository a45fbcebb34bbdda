"""Reads an existing `tf.function(...)`: its arguments by name, their values, its signature."""

from __future__ import annotations

import ast
from collections.abc import Callable

from tracehybrid.static.model import HybridFacts, HybridForm, SpecFacts

# tf.function's signature, in order, so positional arguments get their names.
TF_FUNCTION_PARAMS = (
    "func",
    "input_signature",
    "autograph",
    "jit_compile",
    "reduce_retracing",
    "experimental_implements",
    "experimental_autograph_options",
    "experimental_attributes",
    "experimental_relax_shapes",
    "experimental_compile",
    "experimental_follow_type_hints",
)
SPEC_PARAMS = {
    "TensorSpec": ("shape", "dtype", "name"),
    "RaggedTensorSpec": ("shape", "dtype", "ragged_rank", "row_splits_dtype"),
    "SparseTensorSpec": ("shape", "dtype"),
}
Text = Callable[[ast.AST], str]
Resolve = Callable[[ast.expr], str]  # qualified name of an expression, "" when unknown


def parse_hybrid(
    call: ast.Call | None, form: HybridForm, line: int, text: Text, resolve: Resolve
) -> HybridFacts:
    """HybridFacts for `@tf.function` (call None) or a `tf.function(...)` call."""
    if call is None:
        return HybridFacts(line=line, form=form)
    given: dict[str, ast.expr] = {}
    for name, arg in zip(TF_FUNCTION_PARAMS, call.args, strict=False):
        given[name] = arg
    for keyword in call.keywords:
        given[keyword.arg or "**"] = keyword.value
    signature, unknown = _signature(given.get("input_signature"), text, resolve)
    return HybridFacts(
        line=line,
        form=form,
        arguments={name: text(node) for name, node in given.items()},
        input_signature=signature,
        input_signature_unknown=unknown,
        reduce_retracing=_flag(given, "reduce_retracing", "experimental_relax_shapes"),
        jit_compile=_flag(given, "jit_compile", "experimental_compile"),
        autograph=_flag(given, "autograph"),
        follow_type_hints=_flag(given, "experimental_follow_type_hints"),
    )


def _flag(given: dict[str, ast.expr], *keys: str) -> bool | None:
    """The boolean value of the first of `keys` that is given; None when absent or not literal."""
    for key in keys:
        node = given.get(key)
        if node is not None:
            if isinstance(node, ast.Constant) and isinstance(node.value, bool):
                return node.value
            return None
    return None


def _signature(
    node: ast.expr | None, text: Text, resolve: Resolve
) -> tuple[list[SpecFacts] | None, str | None]:
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None, None
    if not isinstance(node, ast.List | ast.Tuple):
        return None, f"input_signature `{text(node)}` is not a literal list"
    return [_spec(elt, text, resolve) for elt in node.elts], None


def _spec(node: ast.expr, text: Text, resolve: Resolve) -> SpecFacts:
    if not isinstance(node, ast.Call):
        return SpecFacts("unknown", unknown=f"`{text(node)}` is not a spec constructor")
    kind = resolve(node.func).rsplit(".", 1)[-1]
    params = SPEC_PARAMS.get(kind)
    if params is None:
        return SpecFacts(kind or "unknown", unknown=f"`{text(node.func)}` is not a known spec")
    given = dict(zip(params, node.args, strict=False))
    given.update({k.arg: k.value for k in node.keywords if k.arg})
    try:
        shape = _shape(given.get("shape"))
    except ValueError:
        return SpecFacts(kind, unknown=f"shape `{text(given['shape'])}` is not literal")
    dtype = "float32"
    if "dtype" in given:
        dtype = resolve(given["dtype"]).rsplit(".", 1)[-1] or text(given["dtype"])
    name_node = given.get("name")
    name = name_node.value if isinstance(name_node, ast.Constant) else None
    return SpecFacts(kind, shape, dtype, name if isinstance(name, str) else None)


def _shape(node: ast.expr | None) -> tuple[int | None, ...] | None:
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if isinstance(node, ast.Call) and node.args:  # tf.TensorShape([...])
        return _shape(node.args[0])
    if not isinstance(node, ast.List | ast.Tuple):
        raise ValueError("not a literal shape")
    dims: list[int | None] = []
    for elt in node.elts:
        if isinstance(elt, ast.Constant) and (elt.value is None or type(elt.value) is int):
            dims.append(elt.value)
        elif isinstance(elt, ast.UnaryOp) and isinstance(elt.operand, ast.Constant):
            value = elt.operand.value
            if type(value) is not int:
                raise ValueError("not a literal dimension")
            dims.append(-value)
        else:
            raise ValueError("not a literal dimension")
    return tuple(dims)
