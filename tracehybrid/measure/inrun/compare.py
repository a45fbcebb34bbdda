"""Compare an eager result with a graph result: structure, type, dtype, shape, values (tolerant)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mismatch:
    """The first difference found, at `path` inside the returned structure (`` for the top)."""

    path: str
    kind: str  # structure | type | dtype | shape | value
    detail: str

    def to_json(self) -> dict[str, str]:
        """A flat JSON object."""
        return {"path": self.path or "<result>", "kind": self.kind, "detail": self.detail}

    def __str__(self) -> str:
        return f"{self.path or '<result>'}: {self.kind}: {self.detail}"


def _is_array_like(value: Any) -> bool:
    # Tensors, variables and NumPy arrays; not Python scalars (they are compared as values).
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _as_numpy(value: Any) -> Any:
    import numpy as np  # noqa: PLC0415 - lazy: tracehybrid.measure imports without TensorFlow

    if hasattr(value, "_numpy"):
        # An eager tensor: a view of its buffer. `.numpy()` copies it, which on GPflow's
        # Monte Carlo outputs cost more than the comparison itself.
        return np.asarray(value)
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _dtype_name(value: Any) -> str:
    dtype = value.dtype
    return str(getattr(dtype, "name", dtype))


def compare_outputs(
    eager: Any, graph: Any, rtol: float = 1e-5, atol: float = 1e-6
) -> Mismatch | None:
    """None when the graph result equals the eager one within float tolerance."""
    return _compare(eager, graph, "", rtol, atol)


def _compare(eager: Any, graph: Any, path: str, rtol: float, atol: float) -> Mismatch | None:
    if isinstance(eager, Mapping) or isinstance(graph, Mapping):
        return _compare_mappings(eager, graph, path, rtol, atol)
    if isinstance(eager, (list, tuple)) or isinstance(graph, (list, tuple)):
        return _compare_sequences(eager, graph, path, rtol, atol)
    if _is_array_like(eager) != _is_array_like(graph):
        return Mismatch(path, "type", f"eager {type(eager).__name__}, graph {type(graph).__name__}")
    if _is_array_like(eager):
        return _compare_arrays(eager, graph, path, rtol, atol)
    if eager is None or graph is None or isinstance(eager, (str, bytes)):
        same = eager == graph and type(eager) is type(graph)
        return None if same else Mismatch(path, "value", f"eager {eager!r}, graph {graph!r}")
    return _compare_values(eager, graph, path, rtol, atol)


def _compare_mappings(
    eager: Any, graph: Any, path: str, rtol: float, atol: float
) -> Mismatch | None:
    if not (isinstance(eager, Mapping) and isinstance(graph, Mapping)):
        return Mismatch(
            path, "structure", f"eager {type(eager).__name__}, graph {type(graph).__name__}"
        )
    if set(eager) != set(graph):
        keys = sorted(map(repr, set(eager) ^ set(graph)))
        return Mismatch(path, "structure", f"keys differ: {', '.join(keys)}")
    for key in eager:
        found = _compare(eager[key], graph[key], f"{path}[{key!r}]", rtol, atol)
        if found is not None:
            return found
    return None


def _compare_sequences(
    eager: Any, graph: Any, path: str, rtol: float, atol: float
) -> Mismatch | None:
    if type(eager) is not type(graph):
        return Mismatch(
            path, "structure", f"eager {type(eager).__name__}, graph {type(graph).__name__}"
        )
    if len(eager) != len(graph):
        return Mismatch(path, "structure", f"length {len(eager)} eager, {len(graph)} graph")
    for index, (left, right) in enumerate(zip(eager, graph, strict=True)):
        found = _compare(left, right, f"{path}[{index}]", rtol, atol)
        if found is not None:
            return found
    return None


def _compare_arrays(eager: Any, graph: Any, path: str, rtol: float, atol: float) -> Mismatch | None:
    if _dtype_name(eager) != _dtype_name(graph):
        return Mismatch(path, "dtype", f"eager {_dtype_name(eager)}, graph {_dtype_name(graph)}")
    left, right = _as_numpy(eager), _as_numpy(graph)
    if left.shape != right.shape:
        return Mismatch(path, "shape", f"eager {left.shape}, graph {right.shape}")
    return _compare_values(left, right, path, rtol, atol)


def _compare_values(eager: Any, graph: Any, path: str, rtol: float, atol: float) -> Mismatch | None:
    import numpy as np  # noqa: PLC0415

    left, right = np.asarray(eager), np.asarray(graph)
    if _identical_arrays(left, right):
        return None  # most graph outputs are bit-identical: no tolerant pass needed
    if rtol == 0 and atol == 0:  # `outputs_identical`: the answer is already known
        return Mismatch(path, "value", "not bit-identical")
    if left.dtype.kind in "fc" or right.dtype.kind in "fc":
        try:
            equal = bool(np.allclose(left, right, rtol=rtol, atol=atol, equal_nan=True))
        except TypeError:
            equal = False
        if equal:
            return None
        diff = float(np.max(np.abs(left.astype(complex) - right.astype(complex))))
        return Mismatch(path, "value", f"max abs difference {diff:.3g} (rtol {rtol}, atol {atol})")
    if left.shape == right.shape and bool(np.array_equal(left, right)):
        return None
    count = int(np.sum(left != right)) if left.shape == right.shape else left.size
    return Mismatch(path, "value", f"{count} of {left.size} elements differ")


def _identical_arrays(left: Any, right: Any) -> bool:
    """Same shape, and every element equal (NaN equal to NaN), cheaply: an element-wise
    `==` first, NaN-aware only when that finds a difference (np.allclose's `isclose` is several
    times slower on large arrays, and most outputs compared are identical)."""
    import numpy as np  # noqa: PLC0415

    if left.shape != right.shape:
        return False
    try:
        if bool(np.all(left == right)):
            return True
        return left.dtype.kind in "fc" and bool(np.array_equal(left, right, equal_nan=True))
    except (TypeError, ValueError):  # object arrays whose elements do not compare
        return False


def outputs_identical(eager: Any, graph: Any) -> bool:
    """True when the two results are the same structure with bit-for-bit equal values (NaN
    where NaN): a graph output within tolerance but not identical may still show in a test
    that compares it with an eager result exactly."""
    return compare_outputs(eager, graph, 0.0, 0.0) is None


def not_reproduced_note(mismatch: Mismatch, test: str) -> str:
    """The note for a difference seen once: what it was, where, and why it does not reject."""
    where = f" in {test}" if test else ""
    return (
        f"differed from eager once{where} ({mismatch}), but not when both ran again on the "
        "same inputs and state: not reproduced, so not a rejection"
    )
