"""In-memory records the tracer fills on the hot path and the collector drains at flush time."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

from tracehybrid.runtime.candidates import CandidateSpec

# Modes a recorded call can have.
EAGER = "eager"  # ran eagerly (for hybrid candidates: the tf.function was called eagerly)
GRAPH = "graph"  # ran while an outer graph was being built (symbolic arguments)
AUTOGRAPH = "autograph"  # AutoGraph ran a converted copy; the original body did not run
TRACE = "trace"  # the Python body of a hybrid (already @tf.function) candidate ran: a trace

MAX_SIGNATURES = 64  # distinct pre-keys kept per candidate; later new ones count as overflow
MAX_RECORDS = 2000  # individual call records kept per candidate
MAX_RECORDS_PER_SIGNATURE = 200
OVERFLOW_SIGNATURE = 0  # signature id of calls whose pre-key came after MAX_SIGNATURES


def _parameters(code: CodeType) -> tuple[tuple[str, ...], str | None, tuple[str, ...], str | None]:
    """Positional names, *args name, keyword-only names and **kwargs name of a code object."""
    names = code.co_varnames
    npos, nkw = code.co_argcount, code.co_kwonlyargcount
    index = npos + nkw
    varargs = varkw = None
    if code.co_flags & inspect.CO_VARARGS:
        varargs = names[index]
        index += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        varkw = names[index]
    return names[:npos], varargs, names[npos : npos + nkw], varkw


@dataclass(eq=False)
class CandidateState:
    """Everything the tracer keeps for one candidate, shared by all its code objects."""

    index: int
    spec: CandidateSpec
    param_names: tuple[str, ...] = ()
    varargs: str | None = None
    kwonly: tuple[str, ...] = ()
    varkw: str | None = None
    signature_ids: dict[Any, int] = field(default_factory=dict)
    signature_keys: list[Any] = field(default_factory=list)  # pre-key per signature id - 1
    samples: list[tuple[int, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    sampled: set[int] = field(default_factory=set)  # signature ids that have an eager sample
    records_kept: int = 0
    records_per_signature: dict[int, int] = field(default_factory=dict)
    overflow_calls: int = 0
    module_name: str | None = None
    codes: list[CodeType] = field(default_factory=list)  # kept alive so ids are never reused
    function: Any = None  # the live function or tf.function object, when a hook saw it
    names: tuple[str, ...] = ()  # all_names(), computed once per code object, not per call

    def bind_code(self, code: CodeType, module_name: str | None) -> None:
        """Remember a code object of this candidate and read its parameter layout."""
        if code in self.codes:
            return
        self.codes.append(code)
        self.module_name = self.module_name or module_name
        self.param_names, self.varargs, self.kwonly, self.varkw = _parameters(code)
        extra = tuple(n for n in (self.varargs, self.varkw) if n)
        self.names = self.param_names + self.kwonly + extra

    def all_names(self) -> tuple[str, ...]:
        """Parameter names in the order their values form the call pre-key."""
        return self.names

    def split_call(self, values: tuple[Any, ...]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Rebuild (args, kwargs) from the bound values read at PY_START."""
        npos, nkw = len(self.param_names), len(self.kwonly)
        args = values[:npos]
        kwargs = dict(zip(self.kwonly, values[npos : npos + nkw], strict=True))
        rest = npos + nkw
        if self.varargs:
            args += tuple(values[rest])
            rest += 1
        if self.varkw:
            kwargs.update(values[rest])
        return args, kwargs

    def new_signature(self, key: Any) -> int:
        """Allocate a signature id for a new pre-key, or the overflow id once the cap is hit."""
        if len(self.signature_keys) >= MAX_SIGNATURES:
            self.overflow_calls += 1
            return OVERFLOW_SIGNATURE
        self.signature_keys.append(key)
        sig = self.signature_ids[key] = len(self.signature_keys)
        return sig

    def add_sample(self, sig: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Keep one real eager (args, kwargs) per signature, in first-seen order."""
        self.sampled.add(sig)
        self.samples.append((sig, args, kwargs))

    def keep_record(self, sig: int) -> bool:
        """True while this call's individual record fits under both caps."""
        kept = self.records_per_signature.get(sig, 0)
        if self.records_kept >= MAX_RECORDS or kept >= MAX_RECORDS_PER_SIGNATURE:
            return False
        self.records_kept += 1
        self.records_per_signature[sig] = kept + 1
        return True


@dataclass
class Buffers:
    """Deltas since the last flush; the collector swaps in a fresh instance and writes the old."""

    # (candidate, signature, test, mode) -> [calls, total_ns, min_ns, max_ns, raised]
    counts: dict[tuple[int, int, int, str], list[int]] = field(default_factory=dict)
    # (candidate, signature, test, mode, wall_ns, raised)
    records: list[tuple[int, int, int, str, int, bool]] = field(default_factory=list)
    # (candidate, kind, filename, line, test, detail) -> count
    effects: dict[tuple[int, str, str, int, int, str], int] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """True when nothing was recorded since the last flush."""
        return not (self.counts or self.records or self.effects)
