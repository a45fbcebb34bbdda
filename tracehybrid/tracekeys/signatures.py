"""Argument signatures (pre-key trees): describe and diff them, and synthesise input_signatures."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from tracehybrid.tracekeys.python_scalars import varying_scalar_spec
from tracehybrid.tracekeys.tf_internals import Node

# A spec node mirrors a pre-key node: ("S", dtype, dims) for a TensorSpec, containers as in Node.
type SpecNode = tuple[Any, ...]
_CONTAINERS = ("list", "tuple", "ntuple", "dict")


class WithheldError(Exception):
    """No signature: the reason says which argument prevents one."""


@dataclasses.dataclass(frozen=True)
class SignatureDraft:
    """A synthesised signature for the leading parameters `names`."""

    names: tuple[str, ...]
    specs: tuple[SpecNode, ...]
    #: Of `names`, those the tests passed as Python numbers: under the signature they are tensors.
    python_scalars: tuple[str, ...] = ()

    def texts(self) -> tuple[str, ...]:
        """One `tf.TensorSpec(...)` source text (or nest of them) per parameter."""
        return tuple(spec_text(spec) for spec in self.specs)

    def source(self) -> str:
        """The whole `input_signature=` value as Python source."""
        return "[" + ", ".join(self.texts()) + "]"


def synthesize(
    positional: Sequence[str],
    calls: Sequence[Mapping[str, Node]],
    fixed_axes: Mapping[str, set[int]],
) -> SignatureDraft:
    """Merge every call's tensor arguments into specs; raises WithheldError when impossible.

    `positional` are the parameters a signature may cover, in order. The signature covers the
    leading ones that hold tensors/ndarrays (or nests of them) in every call, or a Python number
    that changes between calls (a scalar spec: see `python_scalars`); the caller checks with
    TensorFlow that the rest keep values the signature accepts (their defaults).
    """
    names: list[str] = []
    specs: list[SpecNode] = []
    scalars: list[str] = []
    for name in positional:
        nodes = [call[name] for call in calls if name in call]
        if len(nodes) != len(calls):
            break
        if all(_tensor_only(n) for n in nodes):
            merged = _merge_all(name, nodes)
            _check_fixed(name, merged, fixed_axes.get(name, set()))
        else:
            scalar = varying_scalar_spec(nodes)
            if scalar is None:
                break
            merged = scalar
            scalars.append(name)
        names.append(name)
        specs.append(merged)
    if not names:
        first = positional[0] if positional else None
        raise WithheldError(
            f"{first}: not a tensor or ndarray in every call" if first else "no parameters"
        )
    return SignatureDraft(tuple(names), tuple(specs), tuple(scalars))


def _tensor_only(node: Node) -> bool:
    tag = node[0]
    if tag == "T":
        return node[2] is not None
    if tag in ("list", "tuple"):
        return all(_tensor_only(child) for child in node[1])
    if tag in ("ntuple", "dict"):
        children = node[2] if tag == "ntuple" else [child for _, child in node[2]]
        return all(_tensor_only(child) for child in children)
    return False


def _merge_all(name: str, nodes: Sequence[Node]) -> SpecNode:
    merged = _as_spec(nodes[0])
    for node in nodes[1:]:
        merged = _merge(name, merged, node)
    return merged


def _as_spec(node: Node) -> SpecNode:
    tag = node[0]
    if tag == "T":
        return ("S", node[1], node[2])
    if tag in ("list", "tuple"):
        return (tag, tuple(_as_spec(c) for c in node[1]))
    if tag == "ntuple":
        return (tag, node[1], tuple(_as_spec(c) for c in node[2]))
    return (tag, node[1], tuple((k, _as_spec(c)) for k, c in node[2]))


def _merge(path: str, spec: SpecNode, node: Node) -> SpecNode:
    tag = spec[0]
    if tag == "S":
        if node[0] != "T" or node[1] != spec[1] or len(node[2]) != len(spec[2]):
            what = "dtype" if node[0] == "T" and node[1] != spec[1] else "rank"
            raise WithheldError(
                f"{path}: {what} differs between calls ({describe(node)} vs {_leaf_text(spec)})"
            )
        dims = tuple(a if a == b else None for a, b in zip(spec[2], node[2], strict=True))
        return ("S", spec[1], dims)
    same_kind = node[0] == tag and (tag in ("list", "tuple") or node[1] is spec[1])
    if not same_kind or len(node[-1]) != len(spec[-1]):
        raise WithheldError(f"{path}: {describe(node)} (structure differs between calls)")
    if tag in ("list", "tuple"):
        pairs = enumerate(zip(spec[1], node[1], strict=True))
        return (tag, tuple(_merge(f"{path}[{i}]", s, n) for i, (s, n) in pairs))
    if tag == "ntuple":
        fields = zip(spec[1]._fields, spec[2], node[2], strict=True)
        return (tag, spec[1], tuple(_merge(f"{path}.{f}", s, n) for f, s, n in fields))
    if [k for k, _ in spec[2]] != [k for k, _ in node[2]]:
        raise WithheldError(f"{path}: dict keys differ between calls")
    items = zip(spec[2], node[2], strict=True)
    return (tag, spec[1], tuple((k, _merge(f"{path}[{k!r}]", s, n)) for (k, s), (_, n) in items))


def _check_fixed(path: str, spec: SpecNode, axes: set[int]) -> None:
    """Axes the body reads statically must not generalise to None."""
    if not axes:
        return
    for leaf_path, leaf in _leaves(path, spec):
        dims = leaf[2]
        for axis in sorted(axes):
            if not -len(dims) <= axis < len(dims):
                raise WithheldError(f"{leaf_path}: fixed axis {axis} outside rank {len(dims)}")
            if dims[axis] is None:
                raise WithheldError(f"{leaf_path}: axis {axis} is read statically but varies")


def _leaves(path: str, spec: SpecNode) -> list[tuple[str, SpecNode]]:
    tag = spec[0]
    if tag == "S":
        return [(path, spec)]
    if tag in ("list", "tuple"):
        children = [(f"{path}[{i}]", c) for i, c in enumerate(spec[1])]
    elif tag == "ntuple":
        children = [(f"{path}.{f}", c) for f, c in zip(spec[1]._fields, spec[2], strict=True)]
    else:
        children = [(f"{path}[{k!r}]", c) for k, c in spec[2]]
    return [leaf for child_path, child in children for leaf in _leaves(child_path, child)]


def spec_text(spec: SpecNode) -> str:
    """Python source for a spec node: `tf.TensorSpec(shape=[None, 3], dtype=tf.float32)`."""
    tag = spec[0]
    if tag == "S":
        dims = ", ".join("None" if d is None else str(d) for d in spec[2])
        return f"tf.TensorSpec(shape=[{dims}], dtype=tf.{spec[1]})"
    if tag == "list":
        return "[" + ", ".join(spec_text(c) for c in spec[1]) + "]"
    if tag == "tuple":
        inner = [spec_text(c) for c in spec[1]]
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
    if tag == "ntuple":
        fields = zip(spec[1]._fields, spec[2], strict=True)
        return f"{spec[1].__name__}(" + ", ".join(f"{f}={spec_text(c)}" for f, c in fields) + ")"
    return "{" + ", ".join(f"{k!r}: {spec_text(c)}" for k, c in spec[2]) + "}"


def _leaf_text(spec: SpecNode) -> str:
    return describe(("T", spec[1], spec[2], "spec"))


def build_specs(spec: SpecNode, tensor_spec: Any, as_dtype: Any) -> Any:
    """Real TensorSpec objects (nested like the arguments), from TensorFlow's constructors."""
    tag = spec[0]
    if tag == "S":
        return tensor_spec(shape=list(spec[2]), dtype=as_dtype(spec[1]))
    if tag in ("list", "tuple"):
        children = [build_specs(c, tensor_spec, as_dtype) for c in spec[1]]
        return children if tag == "list" else tuple(children)
    if tag == "ntuple":
        return spec[1](*(build_specs(c, tensor_spec, as_dtype) for c in spec[2]))
    return {k: build_specs(c, tensor_spec, as_dtype) for k, c in spec[2]}


def spec_source(spec: Any) -> str:
    """Source-like text of a user-given signature entry."""
    shape = getattr(spec, "shape", None)
    dtype = getattr(spec, "dtype", None)
    if type(spec).__name__ == "TensorSpec" and shape is not None and dtype is not None:
        dims = "None" if shape.rank is None else shape.as_list()
        return f"tf.TensorSpec(shape={dims}, dtype=tf.{dtype.name})"
    return repr(spec)


def describe(node: Node) -> str:
    """Short human text for a node: `float32[8]`, `0.01`, `list of 3`, `Foo object`."""
    tag = node[0]
    if tag == "T":
        return _tensor_text(node[1], node[2])
    if tag == "V":
        text = "Variable " + _tensor_text(node[1], node[2])
        return text if node[3] else text + " (non-trainable)"
    if tag == "L":
        return _short_repr(node[1])
    if tag == "O":
        obj = node[1]
        own_eq: Any = type(obj).__eq__
        if own_eq is object.__eq__:
            return f"{type(obj).__name__} object"
        return _short_repr(obj)
    if tag == "X":
        return _short_repr(node[1])
    if tag == "ntuple":
        return f"{node[1].__name__} namedtuple"
    if tag == "dict":
        return f"{node[1].__name__} of {len(node[2])}"
    return f"{tag} of {len(node[1])}"


class Difference(NamedTuple):
    """One differing leaf: its text and how far apart the two values are (for nearest-key)."""

    text: str
    cost: int


def diff_arguments(new: Node, old: Node) -> list[Difference]:
    """Explain how two argument pre-keys differ, one `path: now (was before)` line per leaf."""
    old_params = dict(old)
    new_params = dict(new)
    found: list[Difference] = []
    for name, node in new:
        if name in old_params:
            found.extend(diff_nodes(name, node, old_params[name]))
        else:
            found.append(Difference(f"{name}: {describe(node)} (new value)", 2))
    found.extend(
        Difference(f"{name}: absent (was {describe(node)})", 2)
        for name, node in old
        if name not in new_params
    )
    return found


def diff_nodes(path: str, new: Node, old: Node) -> list[Difference]:
    """Leaf-level differences between two nodes at `path`."""
    if _same_leaf(new, old):
        return []
    tag = new[0]
    if tag != old[0] or tag not in ("list", "tuple", "ntuple", "dict"):
        return [_changed(path, new, old)]
    if tag == "dict":
        return _diff_dicts(path, new, old)
    if tag == "ntuple":
        if new[1] is not old[1]:
            return [_changed(path, new, old)]
        names = new[1]._fields
        pairs = zip(new[2], old[2], strict=True)
        return [
            found
            for f, (n, o) in zip(names, pairs, strict=True)
            for found in diff_nodes(f"{path}.{f}", n, o)
        ]
    if len(new[1]) != len(old[1]):
        return [_changed(path, new, old)]
    items = enumerate(zip(new[1], old[1], strict=True))
    return [found for i, (n, o) in items for found in diff_nodes(f"{path}[{i}]", n, o)]


def _diff_dicts(path: str, new: Node, old: Node) -> list[Difference]:
    if new[1] is not old[1]:
        return [_changed(path, new, old)]
    old_items = dict(old[2])
    new_items = dict(new[2])
    found: list[Difference] = []
    for key, node in new[2]:
        if key in old_items:
            found.extend(diff_nodes(f"{path}[{key!r}]", node, old_items[key]))
        else:
            found.append(Difference(f"{path}[{key!r}]: new key", 1))
    found.extend(
        Difference(f"{path}[{k!r}]: key removed", 1) for k, _ in old[2] if k not in new_items
    )
    return found


def _changed(path: str, new: Node, old: Node) -> Difference:
    """A leaf (or container size) change; same-kind changes are nearer than kind changes."""
    cost = 2
    if new[0] == old[0] == "T" or new[0] == old[0] == "V":
        cost = (new[1] != old[1]) + (new[2] != old[2])
    elif new[0] == old[0]:
        cost = 1
    return Difference(f"{path}: {describe(new)} (was {describe(old)})", cost)


def _same_leaf(new: Node, old: Node) -> bool:
    if new[0] == "T" and old[0] == "T":
        return bool(new[1:3] == old[1:3])  # a tensor and an ndarray of one shape share a key
    try:
        return bool(new == old)
    except Exception:  # a user __eq__ that raises: treat as different
        return False


def _tensor_text(dtype: str, shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return f"{dtype}[*]"
    return f"{dtype}[{','.join('?' if d is None else str(d) for d in shape)}]"


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."
