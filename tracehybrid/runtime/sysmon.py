"""The sys.monitoring tool: global PY_START, DISABLE for non-candidates, local events on candidates.

Hot-path rules: a dictionary lookup, a tuple append, no formatting, no TensorFlow call beyond the
cheap `executing_eagerly`. Every callback is guarded: nothing the tracer does may raise into user
code. Private references to `time` and `_thread` are taken at import, out of
reach of a suite's mocks.
"""

from __future__ import annotations

import _thread
import os
import sys
import time
from collections.abc import Callable
from types import CodeType, FrameType, FunctionType, MethodType
from typing import Any

from tracehybrid.runtime import effects, hooks
from tracehybrid.runtime.candidates import CandidateSet, CandidateSpec
from tracehybrid.runtime.matching import CandidateMatcher
from tracehybrid.runtime.probes import call_prekey, has_symbolic_arg, prekey
from tracehybrid.runtime.state import EAGER, GRAPH, TRACE, Buffers, CandidateState

_perf_ns = time.perf_counter_ns
_get_ident = _thread.get_ident
_getframe = sys._getframe
MON = sys.monitoring
EVENTS = MON.events
DISABLE = MON.DISABLE
TOOL_NAME = "tracehybrid"
PREFERRED_TOOL_IDS = (3, 4, 5, 2, 0, 1)  # 0 is the debugger's and 1 coverage.py's: last resort
CANDIDATE_EVENTS = EVENTS.PY_RETURN | EVENTS.PY_YIELD | EVENTS.CALL
MAX_HELPERS = 5000
_UNSEEN = object()
_INERT_LIBRARY = object()  # a TensorFlow/NumPy callable with no effect: its call sites go quiet
HOOK_KEY = "@call"  # first element of a pre-key recorded through a hook: (HOOK_KEY, args, kwargs)
_EXCLUDED_PATH_PARTS = ("site-packages", "dist-packages", f"{os.sep}.venv{os.sep}", "<")

# A stack entry: (code, state or None for a placeholder, signature, mode, start ns).
Entry = tuple[CodeType, CandidateState | None, int, str, int]


def free_tool_id() -> int | None:
    """The first tool id no other tool holds, preferring ids no well-known tool claims."""
    for tool_id in PREFERRED_TOOL_IDS:
        if MON.get_tool(tool_id) is None:
            return tool_id
    return None


class Tracer:
    """Owns the tool id, the callbacks and the in-memory records of one process."""

    def __init__(self, candidates: CandidateSet) -> None:
        self.candidates = candidates
        self.states: list[CandidateState] = []
        self.buffers = Buffers()
        self.test_index = 0
        self.failures = 0  # callbacks that caught an exception: reported in the store's meta
        self.tool_id: int | None = None
        self._state_by_spec: dict[CandidateSpec, CandidateState] = {}
        self._tracked: dict[CodeType, CandidateState] = {}
        self._hook_handlers: dict[CodeType, Callable[[CodeType, FrameType], None]] = {}
        self._helpers: set[CodeType] = set()
        self._kinds: dict[Any, Any] = {}
        self._matcher = CandidateMatcher(candidates)
        self._spec_for = self._matcher.spec_for
        # Tracked and hooked code objects: PY_UNWIND (global) asks one lookup per unwound frame.
        self._watched: set[CodeType] = set()
        self._lines: dict[tuple[CodeType, int], int] = {}
        self._stacks: dict[int, list[Entry]] = {}
        self._executing_eagerly: Callable[[], bool] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> int | None:
        """Register the tool and the global events; the tool id, or None when none is free."""
        tool_id = free_tool_id()
        if tool_id is None:
            return None
        MON.use_tool_id(tool_id, TOOL_NAME)
        self.tool_id = tool_id
        callbacks: dict[int, Callable[..., object]] = {
            EVENTS.PY_START: self._on_start,
            EVENTS.PY_RETURN: self._on_return,
            EVENTS.PY_YIELD: self._on_return,
            EVENTS.PY_UNWIND: self._on_unwind,
            EVENTS.CALL: self._on_call,
            EVENTS.LINE: self._on_line,
        }
        for event, callback in callbacks.items():
            MON.register_callback(tool_id, event, callback)
        MON.set_events(tool_id, EVENTS.PY_START | EVENTS.PY_UNWIND)
        return tool_id

    def stop(self) -> None:
        """Switch every event off and free the tool id; records stay for a last flush."""
        tool_id, self.tool_id = self.tool_id, None
        if tool_id is None:
            return
        MON.set_events(tool_id, 0)
        for code in [*self._tracked, *self._helpers, *self._hook_handlers]:
            MON.set_local_events(tool_id, code, 0)
        for event in (EVENTS.PY_START, EVENTS.PY_RETURN, EVENTS.PY_YIELD, EVENTS.PY_UNWIND):
            MON.register_callback(tool_id, event, None)
        MON.register_callback(tool_id, EVENTS.CALL, None)
        MON.register_callback(tool_id, EVENTS.LINE, None)
        MON.free_tool_id(tool_id)

    def swap_buffers(self) -> Buffers:
        """Hand the records since the last flush to the collector and start fresh ones."""
        old, self.buffers = self.buffers, Buffers()
        return old

    # -- first sight of a code object -------------------------------------------------------------
    def _first_start(self, code: CodeType, frame: FrameType) -> Any:
        handler = hooks.handler_for(code, self)
        if handler is not None:
            self._hook_handlers[code] = handler
            self._watched.add(code)
            MON.set_local_events(self.tool_id or 0, code, EVENTS.PY_RETURN)
            handler(code, frame)
            return None
        spec = self._spec_for(code)
        if spec is None:
            return DISABLE
        state = self.state_for(spec)
        state.bind_code(code, frame.f_globals.get("__name__"))
        self._tracked[code] = state
        self._watched.add(code)
        events = CANDIDATE_EVENTS | (EVENTS.LINE if spec.write_lines else 0)
        MON.set_local_events(self.tool_id or 0, code, events)
        self._enter_body(code, state, frame)
        return None

    def state_for(self, spec: CandidateSpec) -> CandidateState:
        """The state of a candidate, created on first need (index 1-based, in first-seen order)."""
        state = self._state_by_spec.get(spec)
        if state is None:
            state = CandidateState(len(self.states) + 1, spec)
            self.states.append(state)
            self._state_by_spec[spec] = state
        return state

    def state_for_code(self, code: CodeType) -> CandidateState | None:
        """The candidate state of a Python function's code object, if it is a candidate."""
        state = self._tracked.get(code)
        if state is None:
            spec = self._spec_for(code)
            state = self.state_for(spec) if spec is not None else None
        return state

    # -- recording -------------------------------------------------------------------------------
    def mode_now(self, key: tuple[Any, ...]) -> str:
        """EAGER or GRAPH for a call with this pre-key; never imports TensorFlow."""
        eager = self._executing_eagerly
        if eager is None:
            context = sys.modules.get("tensorflow.python.eager.context")
            if context is not None:
                eager = self._executing_eagerly = context.executing_eagerly
        if eager is not None and not eager():
            return GRAPH
        return GRAPH if has_symbolic_arg(key) else EAGER

    def _enter_body(self, code: CodeType, state: CandidateState, frame: FrameType) -> None:
        local = frame.f_locals
        values = tuple([local.get(name) for name in state.names])
        key = call_prekey(values)
        mode = self.mode_now(key)
        if state.spec.kind == "hybrid":
            mode = TRACE
        sig = state.signature_ids.get(key)
        if sig is None:
            sig = state.new_signature(key)
        if mode is EAGER and sig not in state.sampled and sig:
            args, kwargs = state.split_call(values)
            state.add_sample(sig, args, kwargs)
        self.push(code, state, sig, mode)

    def enter_call(
        self,
        code: CodeType,
        state: CandidateState,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        mode: str | None = None,
    ) -> None:
        """Record a call seen through a hook (a tf.function call, AutoGraph's converted_call)."""
        key = (HOOK_KEY, call_prekey(args), prekey(kwargs))
        mode = mode or self.mode_now(key[1])
        sig = state.signature_ids.get(key)
        if sig is None:
            sig = state.new_signature(key)
        if mode is EAGER and sig not in state.sampled and sig:
            state.add_sample(sig, tuple(args), dict(kwargs))
        self.push(code, state, sig, mode)

    def push(self, code: CodeType, state: CandidateState | None, sig: int, mode: str) -> None:
        """Open a call on this thread's stack; a placeholder (state None) keeps hook nesting."""
        stack = self._stacks.get(_get_ident())
        if stack is None:
            stack = self._stacks[_get_ident()] = []
        stack.append((code, state, sig, mode, _perf_ns()))

    def _leave(self, code: CodeType, raised: bool) -> None:
        stack = self._stacks.get(_get_ident())
        if not stack:
            return
        if stack[-1][0] is not code:
            depth = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] is code), None)
            if depth is None:
                return  # e.g. a generator's final return after an untracked resume
            del stack[depth + 1 :]
        _code, state, sig, mode, start = stack.pop()
        if state is not None:
            self._record(state, sig, mode, _perf_ns() - start, raised)

    def _record(self, state: CandidateState, sig: int, mode: str, wall: int, raised: bool) -> None:
        key = (state.index, sig, self.test_index, mode)
        agg = self.buffers.counts.get(key)
        if agg is None:
            self.buffers.counts[key] = [1, wall, wall, wall, int(raised)]
        else:
            agg[0] += 1
            agg[1] += wall
            agg[2] = min(agg[2], wall)
            agg[3] = max(agg[3], wall)
            agg[4] += raised
        if state.keep_record(sig):
            self.buffers.records.append((state.index, sig, self.test_index, mode, wall, raised))

    def record_effect(self, kind: str, code: CodeType, line: int, detail: str) -> None:
        """Attribute an effect to the innermost candidate running on this thread, if any."""
        stack = self._stacks.get(_get_ident())
        if not stack:
            return
        state = next((entry[1] for entry in reversed(stack) if entry[1] is not None), None)
        if state is None:
            return
        key = (state.index, kind, code.co_filename, line, self.test_index, detail)
        effects_seen = self.buffers.effects
        effects_seen[key] = effects_seen.get(key, 0) + 1

    # -- callbacks (all guarded) ----------------------------------------------------------------
    def _on_start(self, code: CodeType, _offset: int) -> Any:
        try:
            state = self._tracked.get(code)
            if state is not None:
                self._enter_body(code, state, _getframe(1))
                return None
            handler = self._hook_handlers.get(code)
            if handler is not None:
                handler(code, _getframe(1))
                return None
            return self._first_start(code, _getframe(1))
        except Exception:
            self.failures += 1
            return None

    def _on_return(self, code: CodeType, _offset: int, _value: object) -> None:
        try:
            self._leave(code, False)
        except Exception:
            self.failures += 1

    def _on_unwind(self, code: CodeType, _offset: int, _exc: BaseException) -> None:
        # PY_UNWIND is global-only and cannot be DISABLEd (CPython raises ValueError and drops
        # the callback), so this must stay one set lookup for code that is not tracked: dm-sonnet's
        # tests unwind 234,000 frames, of which 157 are tracked.
        try:
            if code in self._watched:
                self._leave(code, True)
        except Exception:
            self.failures += 1

    def _on_line(self, code: CodeType, line: int) -> Any:
        try:
            state = self._tracked.get(code)
            if state is None or line not in state.spec.write_lines:
                return DISABLE
            self.record_effect(effects.WRITE, code, line, "")
        except Exception:
            self.failures += 1
        return None

    def _on_call(self, code: CodeType, offset: int, func: object, arg0: object) -> Any:
        try:
            key = effects.callable_key(func)
            seen = self._kinds.get(key, _UNSEEN)
            kind = self._first_sight(func, key) if seen is _UNSEEN else seen
            if seen is _UNSEEN:
                self._kinds[key] = kind
            if kind is _INERT_LIBRARY:
                # A TensorFlow/NumPy call site (`tf.reduce_sum(...)`) names the same callable on
                # every call: switch the site off instead of paying a callback per op per call.
                return DISABLE
            if kind is None:
                return None
            if kind in effects.DYNAMIC:
                kind = effects.resolve_dynamic(kind, arg0)
                if kind is None:
                    return None
            self.record_effect(kind, code, self._line_of(code, offset), _callable_name(key))
        except Exception:
            self.failures += 1
        return None

    # -- helpers: project functions that candidates call -----------------------------------------
    def _first_sight(self, func: object, key: Any) -> Any:
        kind = effects.classify(key)
        if kind is None and effects.is_library(key):
            return _INERT_LIBRARY
        target = func.__func__ if isinstance(func, MethodType) else func
        if kind is None and isinstance(target, FunctionType):
            self._maybe_instrument_helper(target.__code__)
        return kind

    def _maybe_instrument_helper(self, code: CodeType) -> None:
        """Listen to CALL events inside project code a candidate calls, so its effects count too."""
        if code in self._helpers or code in self._tracked or len(self._helpers) >= MAX_HELPERS:
            return
        name = code.co_filename
        if not name.startswith(self.candidates.source_roots) or any(
            part in name for part in _EXCLUDED_PATH_PARTS
        ):
            return
        if self._spec_for(code) is not None:
            return  # a candidate: its own PY_START sets its events
        self._helpers.add(code)
        MON.set_local_events(self.tool_id or 0, code, EVENTS.CALL)

    def _line_of(self, code: CodeType, offset: int) -> int:
        line = self._lines.get((code, offset))
        if line is None:
            line = next(
                (ln for start, end, ln in code.co_lines() if start <= offset < end and ln), 0
            )
            self._lines[(code, offset)] = line or code.co_firstlineno
        return line or code.co_firstlineno


def _callable_name(key: Any) -> str:
    """A short, stable name for an effect's callable key (effects are rare, so this may format)."""
    if type(key) is tuple:
        return f"{key[0].__qualname__}.{key[1]}"
    name = getattr(key, "__qualname__", None) or type(key).__qualname__
    module = getattr(key, "__module__", None)
    if "." in name or not module or module == "builtins":
        return str(name)
    return f"{module}.{name}"
