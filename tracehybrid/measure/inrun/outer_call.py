"""Time a target as its callers reach it: through the decorators written above it.

`apply` writes `@tf.function` directly above the `def`, below the decorators already there
(GPflow's `@check_shapes`, a logging or caching wrapper), and the graph run swaps the target in
that same place. Those outer decorators still run in Python on every call, eager or graph: timing
the bare function and its graph leaves their cost out of both sides, and a small function whose
decorator costs more than its body then claims a speedup the user never sees (GPflow's
`logdensities.beta`: 1.38x claimed, 0.93x by brute force). So the timed calls go through the
module-level object the tests call, with the target switched to its eager or graph form
(`rerunner.FORMS`, as a solo rerun switches it), when that decorator is a pure checker
(`check_shapes`); any other may have side effects that the repeats would multiply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracehybrid.measure.inrun import tfbridge
from tracehybrid.measure.inrun.lookalike import load_by_name
from tracehybrid.measure.inrun.rerunner import forms

if TYPE_CHECKING:
    from tracehybrid.measure.inrun.measuring_wrapper import Measurer

EAGER: frozenset[str] = frozenset()  # FORMS.new for the eager side: every target as it was
#: What `check_shapes` sets on the wrapper it returns: the decorators timed through.
PURE_CHECKER = "__check_shapes__"


def outer_form(measurer: Measurer, eager: Any) -> Any | None:
    """The object the module names for a module-level target that sits under other decorators
    (the callable the tests call); None when the target is that object itself, or is a method,
    a nested function or a dehybridization (whose eager side is the test's own call)."""
    target = measurer.record.target
    if target.dehybridize or "." in target.qualname:
        return None
    try:
        outer = load_by_name(eager.__module__, target.qualname)
    except Exception:  # a module that cannot be named again: time the function itself
        return None
    if getattr(outer, "measurer", None) is measurer or not callable(outer):
        return None
    # Only a pure checker: any other decorator may count calls, cache or log, and repeated timed
    # calls through it would change what the test sees (a call counter off by the repeats).
    if getattr(outer, PURE_CHECKER, None) is None:
        return None
    return outer


def through(outer: Any, args: Any, kwargs: Any, new: frozenset[str]) -> Callable[[], None]:
    """One call of OUTER with the targets in NEW in their new form (the others as they were),
    forced."""

    def call() -> None:
        with forms(new):
            tfbridge.force(outer(*args, **kwargs))

    return call


def reaches_once(outer: Any, measurer: Measurer, args: Any, kwargs: Any) -> bool:
    """Whether one call of OUTER runs the target exactly once (in its new form); a decorator
    that calls it several times, or not at all, is timed without it."""
    before = measurer.reached
    try:
        through(outer, args, kwargs, frozenset({measurer.key}))()
    except Exception:
        return False
    return measurer.reached == before + 1
