"""Cheap proofs that two cache keys cannot meet, so a replay skips TensorFlow's full comparison.

TensorFlow compares two FunctionTypes parameter by parameter, in order, and a parameter holding a
large structure (a list of 300 gradients) costs as much as all the others together. Yet a lookup
fails, and reduce_retracing's generalisation leaves a key unchanged, as soon as any one parameter
pair is incompatible. `KeyScreen` checks the light parameters first, with TensorFlow's own
per-parameter methods, and answers "cannot" only when one of them already fails: the replay then
skips TensorFlow's call, whose answer would be the same. When the screen cannot tell, TensorFlow
decides as before. dm-sonnet's `_apply_optimizer` spent 46 s of its suite's traced run here.
"""

from __future__ import annotations

from typing import Any

# TensorFlow's structural TraceTypes (trace_type/default_types.py) and where their children are.
_CHILDREN = {
    "Tuple": "components",
    "List": "components_tuple",
    "NamedTuple": "attributes",
    "Attrs": "named_attributes",
    "Dict": "mapping",
}


def weight(trace_type: Any) -> int:
    """Nodes of a TraceType's structure (Tuple, List, NamedTuple, Attrs, Dict); 1 for a leaf."""
    total, stack = 0, [trace_type]
    while stack:
        node = stack.pop()
        total += 1
        name = _CHILDREN.get(type(node).__name__)
        child = getattr(node, name, None) if name is not None else None
        if isinstance(child, dict):
            stack.extend(child.values())
        elif isinstance(child, tuple):
            stack.extend(child)
        elif child is not None:
            stack.append(child)
    return total


class KeyScreen:
    """Per replay: each key's parameters, and its light ones (all but the heaviest), lightest
    first; both are worked out once per key, not once per comparison."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, list[Any], list[int]]] = {}  # id(key) -> key, ...

    def _parameters(self, key: Any) -> tuple[list[Any], list[int]]:
        known = self._known.get(id(key))
        if known is not None and known[0] is key:
            return known[1], known[2]
        params = list(key.parameters.values())
        weights = [weight(p.type_constraint) for p in params]
        order = sorted(range(len(params)), key=weights.__getitem__)
        light = order[:-1] if len(order) > 1 else []
        self._known[id(key)] = (key, params, light)  # the key is held, so its id is not reused
        return params, light

    def cannot_match(self, request: Any, entry: Any) -> bool:
        """True when `request.is_supertype_of(entry)` (a cache lookup's test) is surely False."""
        (mine, light), (theirs, _) = self._parameters(request), self._parameters(entry)
        if len(mine) != len(theirs):
            return True  # TensorFlow's first check returns False for this
        try:
            return any(not mine[i].is_subtype_of(theirs[i]) for i in light)
        except TypeError:  # a partially specified type: let TensorFlow decide
            return False

    def cannot_merge(self, target: Any, entry: Any) -> bool:
        """True when `target.most_specific_common_subtype([entry])` (one step of
        reduce_retracing's generalisation) is surely None."""
        (mine, light), (theirs, _) = self._parameters(target), self._parameters(entry)
        if len(mine) != len(theirs):
            return False  # TensorFlow raises or pairs a prefix here: let it
        try:
            return any(mine[i].most_specific_common_supertype([theirs[i]]) is None for i in light)
        except TypeError:
            return False
