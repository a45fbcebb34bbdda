"""The callable that replaces a target: runs the graph for the test, and on sampled calls also
runs the eager function on copies of the same arguments, compares outputs and times both."""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from tracehybrid.measure.inrun import gradients, graph_warnings, tfbridge
from tracehybrid.measure.inrun.lookalike import load_by_name, mirror
from tracehybrid.measure.inrun.record import MAX_STEADY_CALLS, ProcessRecord, TargetRecord
from tracehybrid.measure.inrun.rerunner import FORMS
from tracehybrid.measure.inrun.sampled_call import Measurement
from tracehybrid.measure.targets import MeasureSettings, Target

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_perf_counter = time.perf_counter

_STATE = threading.local()  # .measuring: inside a measurement, nested targets run eagerly


def _measuring() -> bool:
    return bool(getattr(_STATE, "measuring", False))


def _one_line(exc: BaseException) -> str:
    # TensorFlow prefixes "in user code:" and frames; the last line is the actual error.
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return (lines[-1] if lines[0].startswith("in user code") else lines[0])[:300]


class MeasuredFunction:
    """Stands where the target stood (module, class, decorator cell); binds like a function."""

    def __init__(
        self, found: Any, target: Target, process: ProcessRecord, settings: MeasureSettings
    ) -> None:
        python_function = found.python_function if tfbridge.is_tf_function(found) else found
        self.eager = python_function
        self.original = found  # the form before tracehybrid: solo reruns give it back
        if target.dehybridize:
            self.run: Any = python_function
            self.graph: Any = found if tfbridge.is_tf_function(found) else None
        else:
            self.run = self.graph = tfbridge.make_graph_function(python_function, target.decorator)
        self.measurer = Measurer(process.targets[target.key], process, settings)
        functools.update_wrapper(self, python_function)
        mirror(self, self.run)  # introspection sees what `apply` would write

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        # By name, as pickle stores a function: another process finds its own form there.
        return load_by_name, (self.eager.__module__, self.eager.__qualname__)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if FORMS.new is not None and self.measurer.key not in FORMS.measured:
            # A rerun or a timed call: new or original form, not counted
            self.measurer.reached += 1
            chosen = self.run if self.measurer.key in FORMS.new else self.original
            return chosen(*args, **kwargs)
        return self.measurer.call(self.run, self.eager, self.graph, args, kwargs)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        # Mirrors tf.function.__get__: a method's graph is bound per instance, like the decorator.
        if instance is None:
            return self
        return BoundMeasured(self, instance, owner)


class BoundMeasured:
    """A MeasuredFunction bound to an instance, introspected as the bound form it runs."""

    def __init__(self, function: MeasuredFunction, instance: Any, owner: type | None) -> None:
        self.__func__ = function
        self.__self__ = instance
        self._owner = owner
        self._eager = function.eager.__get__(instance, owner)
        self._run = function.run.__get__(instance, owner)
        # TensorFlow follows `__wrapped__` when this object is passed to a tf.function (its trace
        # type, and the value the trace receives): the bound tf.function's own (a method bound
        # to a TfMethodTarget), or the bound method itself, as for the form it stands for.
        self.__wrapped__ = getattr(self._run, "__wrapped__", self._eager)
        graph = function.graph
        self._graph = None if graph is None else graph.__get__(instance, owner)
        mirror(self, self._run)  # a bound tf.function, or a bound method

    def __reduce__(self) -> tuple[Any, tuple[Any, str]]:
        return getattr, (self.__self__, self.__func__.eager.__name__)  # as pickle stores a method

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        measurer = self.__func__.measurer
        if FORMS.new is not None and measurer.key not in FORMS.measured:
            if measurer.key in FORMS.new:
                return self._run(*args, **kwargs)
            original = self.__func__.original.__get__(self.__self__, self._owner)
            return original(*args, **kwargs)
        return measurer.call(self._run, self._eager, self._graph, args, kwargs)


class Measurer:
    """Counts calls and traces of one target and measures its first calls per signature."""

    def __init__(self, record: TargetRecord, process: ProcessRecord, settings: MeasureSettings):
        self.record = record
        self.key = record.target.key
        self.process = process
        self.settings = settings
        self.enabled = settings.enabled and record.target.measured
        self.effects: dict[int, tuple[str, list[str]]] = {}
        self.reached = 0  # calls in a chosen form (FORMS): whether a decorator above calls it
        # Per signature, the graph objects (one per instance, for a method) timed on it.
        self.timed_objects: dict[str, list[int]] = {}
        # The tests' own traces per graph object, weakly: instances come and go with the tests.
        self.object_traces: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    def call(
        self, run: Any, eager: Any, graph: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run the target the way the test now sees it, recording what happened."""
        if _measuring() and tfbridge.executing_eagerly():
            return eager(*args, **kwargs)  # the eager reference of an enclosing target
        if not tfbridge.executing_eagerly():
            # Inside an outer trace (Keras fit, a build, another tf.function): no timing.
            self.record.calls_in_graph += 1
            self.record.graph_tests[self.process.current_test] += 1
            before = tfbridge.tracing_count(run)
            result = self._run(run, args, kwargs)
            self._note_traces(run, before)
            return result
        signature, copies = self._guarded(self._plan, args, kwargs) or ("", None)
        taped = copies is not None and bool(self._guarded(gradients.tape_recording))
        before = tfbridge.tracing_count(run)
        self.record.calls += 1
        self.record.tests[self.process.current_test] += 1
        start = _perf_counter()
        try:
            result = self._run(run, args, kwargs)
        except Exception as exc:
            self._guarded(self._exception, exc, eager, copies or (args, kwargs))
            raise
        first_call_s = self._guarded(self._count_traces, before, run, result, start)
        if first_call_s is None and len(self.record.steady_calls_s) < MAX_STEADY_CALLS:
            self.record.steady_calls_s.append(_perf_counter() - start)
        if copies is not None:
            self.record.samples[signature] += 1
            self.process.measured_tests.add(self.process.current_test)
            measurement = Measurement(self, run, eager, graph, copies, signature, taped=taped)
            self._guarded_measure(measurement, result, first_call_s)
        return result

    def _run(self, run: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The test's own call, in the target's new form; what TensorFlow warns meanwhile is its."""
        if self.record.target.dehybridize:
            return run(*args, **kwargs)
        graph_warnings.entering(self.key)
        try:
            return run(*args, **kwargs)
        finally:
            graph_warnings.left()

    def _guarded(self, func: Callable[..., Any], *args: Any) -> Any:
        """FUNC(*ARGS), or None: tracehybrid's own failures must never reach the test."""
        try:
            return func(*args)
        except Exception as exc:
            name = self.record.target.qualname
            self.process.problem(f"{name}: {func.__name__}: {type(exc).__name__}: {exc}")
            return None

    def _plan(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[str, tuple[Any, Any] | None]:
        """The call's signature, and copies of its arguments when this call is sampled."""
        if not self.enabled:
            return "", None
        signature = tfbridge.signature_key(args, kwargs)
        if self.record.samples[signature] >= self.settings.max_samples_per_signature:
            return signature, None
        return signature, tfbridge.copy_mutable((args, kwargs))

    def _count_traces(self, before: int, run: Any, result: Any, start: float) -> float | None:
        traced = self._note_traces(run, before)
        if traced <= 0:
            return None
        tfbridge.force(result)
        elapsed = _perf_counter() - start
        self.record.trace_calls_s.append(elapsed)
        return elapsed

    def _note_traces(self, run: Any, before: int) -> int:
        """Count the traces RUN made in this call, and which graph object made them.

        RUN is one tf.function per target, or per instance for a method (tf.function binds a
        copy with its own cache to each instance): a first trace of an object is the set-up of a
        new cache, later ones are retraces within it, which is what `max-traces` limits.
        """
        traced = max(0, tfbridge.tracing_count(run) - before)
        if traced:
            self.record.traces += traced
            own = self._object_traces(run, before) + traced
            self.record.traced_objects += 1 if own == traced else 0
            self.record.max_object_traces = max(self.record.max_object_traces, own)
        return traced

    def _object_traces(self, run: Any, before: int) -> int:
        """The traces the tests' own calls made in RUN so far, now counting this call's; a trace
        of a measurement (the eager reference's copies) is not the tests', so it is left out."""
        try:
            earlier = self.object_traces.get(run, 0)
            self.object_traces[run] = earlier + max(0, tfbridge.tracing_count(run) - before)
        except TypeError:  # an object that takes no weak reference: its whole count
            return before
        return earlier

    def _exception(self, exc: Exception, eager: Any, copies: tuple[Any, Any]) -> None:
        graph_only: bool | None = None
        if self.enabled and not self.record.target.dehybridize:
            graph_only = self._eager_succeeds(eager, copies)
        item = {
            "test": self.process.current_test,
            "type": type(exc).__name__,
            "message": _one_line(exc),
            "graph_only": graph_only,
        }
        self.record.add(self.record.exceptions, item)

    def _eager_succeeds(self, eager: Any, copies: tuple[Any, Any]) -> bool | None:
        _STATE.measuring = True
        try:
            eager(*copies[0], **copies[1])
        except Exception:
            return False
        finally:
            _STATE.measuring = False
        return True

    def _guarded_measure(
        self, measurement: Measurement, result: Any, first_call_s: float | None
    ) -> None:
        start = _perf_counter()
        _STATE.measuring = True
        try:
            measurement.measure(result, first_call_s)
        except Exception as exc:  # the test must not see tracehybrid's own failures
            self.process.problem(
                f"measuring {self.record.target.qualname}: {type(exc).__name__}: {exc}"
            )
        finally:
            _STATE.measuring = False
            self.process.measure_s += _perf_counter() - start
