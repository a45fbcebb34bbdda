"""Hooks on two TensorFlow functions, so calls that never run a candidate's own code still count.

- `Function.__call__` (polymorphic_function.py): a call of an existing `@tf.function` candidate,
  with its real arguments; its Python body only runs when TensorFlow traces.
- AutoGraph's `converted_call` (autograph/impl/api.py): a candidate called inside a tf.function or
  Keras `fit` runs as a converted copy, so its own PY_START never
  fires; this is the only evidence of it.
Both are recognised by file suffix and qualname, never by importing TensorFlow.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import CodeType, FrameType, MethodType
from typing import TYPE_CHECKING, Any

from tracehybrid.runtime.state import AUTOGRAPH, TRACE, CandidateState

if TYPE_CHECKING:
    from tracehybrid.runtime.sysmon import Tracer

Handler = Callable[[CodeType, FrameType], None]
_SEP = os.sep
FUNCTION_CALL = (
    f"eager{_SEP}polymorphic_function{_SEP}polymorphic_function.py",
    "Function.__call__",
)
CONVERTED_CALL = (f"autograph{_SEP}impl{_SEP}api.py", "converted_call")


def python_code(target: Any) -> CodeType | None:
    """The code object of a function, a bound method, or a tf.function's Python function."""
    if isinstance(target, MethodType):
        target = target.__func__
    inner = getattr(target, "_python_function", None)  # a tf.function object
    if inner is not None:
        target = inner
    while hasattr(target, "__wrapped__") and not hasattr(target, "__code__"):
        target = target.__wrapped__
    code = getattr(target, "__code__", None)
    return code if isinstance(code, CodeType) else None


def _candidate_of(tracer: Tracer, function: Any) -> CandidateState | None:
    """The candidate state behind a function object, remembering the object for the predictor."""
    py_code = python_code(function)
    state = tracer.state_for_code(py_code) if py_code is not None else None
    if state is not None and py_code is not None and state.function is None:
        # A bound method's signature lacks `self`, which the recorded calls include.
        state.function = function.__func__ if isinstance(function, MethodType) else function
        state.bind_code(py_code, getattr(function, "__module__", None))
    return state


def _function_call_handler(tracer: Tracer) -> Handler:
    def on_function_call(code: CodeType, frame: FrameType) -> None:
        local = frame.f_locals
        function = local.get("self")
        state = _candidate_of(tracer, function)
        if state is None or state.spec.kind != "hybrid":
            tracer.push(code, None, 0, "")
            return
        tracer.enter_call(
            code, state, tuple(local.get("args") or ()), dict(local.get("kwds") or {})
        )

    return on_function_call


def _converted_call_handler(tracer: Tracer) -> Handler:
    def on_converted_call(code: CodeType, frame: FrameType) -> None:
        local = frame.f_locals
        state = _candidate_of(tracer, local.get("f"))
        if state is None:
            tracer.push(code, None, 0, "")
            return
        mode = TRACE if state.spec.kind == "hybrid" else AUTOGRAPH
        args = tuple(local.get("args") or ())
        if isinstance(local.get("f"), MethodType):  # `self.method(x)` in a graph: record self too,
            args = (local["f"].__self__, *args)  # as the method's own eager calls are recorded
        tracer.enter_call(code, state, args, dict(local.get("kwargs") or {}), mode)

    return on_converted_call


def handler_for(code: CodeType, tracer: Tracer) -> Handler | None:
    """A hook handler when `code` is one of the TensorFlow functions above, else None."""
    for (suffix, qualname), factory in (
        (FUNCTION_CALL, _function_call_handler),
        (CONVERTED_CALL, _converted_call_handler),
    ):
        if code.co_qualname == qualname and code.co_filename.endswith(suffix):
            return factory(tracer)
    return None
