"""One sampled call of a target: graph effects, eager/graph output comparison, then the steady
timing of its signature (`timed_call`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracehybrid.measure.inrun import tfbridge
from tracehybrid.measure.inrun.compare import (
    Mismatch,
    compare_outputs,
    not_reproduced_note,
    outputs_identical,
)
from tracehybrid.measure.inrun.gradients import compare_gradients
from tracehybrid.measure.inrun.timed_call import SignatureTimer
from tracehybrid.measure.interval import decided

if TYPE_CHECKING:
    from tracehybrid.measure.inrun.measuring_wrapper import Measurer

#: Objects (instances a method's graph is bound to) timed per signature: the first, and one more
#: where the tests call it on another.
OBJECTS_TIMED = 2


class Measurement:
    """One sampled call: effects of the graph, output comparison, and (first samples) timing."""

    def __init__(
        self,
        measurer: Measurer,
        run: Any,
        eager: Any,
        graph: Any,
        copies: tuple[Any, Any],
        signature: str,
        *,
        taped: bool = False,
    ) -> None:
        self.m = measurer
        self.record = measurer.record
        self.run, self.eager, self.graph = run, eager, graph
        self.args, self.kwargs = copies
        self.signature = signature
        self.taped = taped  # a GradientTape recorded around the test's call

    def measure(self, result: Any, first_call_s: float | None) -> None:
        """Compare, then time when this is one of the first samples of its signature."""
        if self.graph is None:
            return
        kind, ops = self._effects()
        if kind == "stateful" and tfbridge.only_variable_writes(ops):
            self._compare_preserving_state()
            self._time_preserving_state(first_call_s)
            return
        if kind:
            why = {
                "random": "draws random numbers: eager and graph streams differ",
                "stateful": "changes TensorFlow state: running it again would change the test",
            }
            self.record.add(
                self.record.not_compared,
                {"signature": self.signature, "reason": kind, "detail": why[kind], "ops": ops[:8]},
            )
            return
        runs_graph = not self.record.target.dehybridize  # else the test ran the eager side
        graph_result = result if runs_graph else self._call(self.graph)
        eager_result = self._call(self.eager) if runs_graph else result
        if not self._compare(eager_result, graph_result):
            return
        if self.taped and runs_graph and not self._same_gradients():
            return
        self._time(first_call_s)

    def _compare_preserving_state(self) -> None:
        """Compare a function that only updates variables: its outputs and the variables it
        leaves, eager against graph, each from the state the test's call left (then restored)."""
        concrete = self.graph.get_concrete_function(*self.args, **self.kwargs)
        with tfbridge.preserve_variables(concrete, (self.args, self.kwargs)) as state:

            def outcome(function: Any) -> dict[str, Any]:
                result = self._call(function)
                after = {"result": result, "variables": state.current()}
                state.restore()
                return after

            self._compare(outcome(self.eager), outcome(self.graph), outcome)

    def _time_preserving_state(self, first_call_s: float | None) -> None:
        """Time a function that only updates variables: snapshot them, time, restore them.

        It runs on the test's own inputs from the state the test's call left, and the state is
        put back afterwards, so the test goes on exactly as it would have.
        """
        key = self._timing_key()
        if key is None:
            return
        concrete = self.graph.get_concrete_function(*self.args, **self.kwargs)
        with tfbridge.preserve_variables(concrete, (self.args, self.kwargs)):
            SignatureTimer(self, key).time(first_call_s)

    def _same_gradients(self) -> bool:
        """True unless the graph loses or changes a gradient the eager call has.

        As for outputs (`_compare`), a difference rejects only when it comes back: two eager
        runs whose gradients differ are the function's own nondeterminism (noted, not timed),
        and a difference that the next eager and graph runs do not show is noted only.
        """
        settings = self.m.settings

        def gradients_of(one: Any, other: Any) -> Mismatch | None:
            return compare_gradients(
                lambda: self._call(one), lambda: self._call(other), settings.rtol, settings.atol
            )

        mismatch = gradients_of(self.eager, self.graph)
        if mismatch is None:
            return True
        if gradients_of(self.eager, self.eager) is not None:
            self._note("nondeterministic", "two eager runs' gradients on the same inputs differ")
            return False
        if gradients_of(self.eager, self.graph) is None:
            self._note("not_reproduced", not_reproduced_note(mismatch, self.m.process.current_test))
            return True
        test = self.m.process.current_test
        entry = {"test": test, "signature": self.signature, **mismatch.to_json()}
        self.record.add(self.record.mismatches, entry)
        return False

    def _call(self, function: Any) -> Any:
        args, kwargs = tfbridge.copy_mutable((self.args, self.kwargs))
        result = function(*args, **kwargs)
        tfbridge.force(result)
        return result

    def _effects(self) -> tuple[str, list[str]]:
        before = tfbridge.tracing_count(self.graph)
        concrete = self.graph.get_concrete_function(*self.args, **self.kwargs)
        if tfbridge.tracing_count(self.graph) != before:
            self.m.process.problem(f"{self.record.target.qualname}: get_concrete_function traced")
        if id(concrete) not in self.m.effects:
            self.m.effects[id(concrete)] = tfbridge.graph_effects(concrete)
        return self.m.effects[id(concrete)]

    def _compare(
        self,
        eager_result: Any,
        graph_result: Any,
        again: Callable[[Any], Any] | None = None,
    ) -> bool:
        """True when equal, or when a difference does not reproduce.

        AGAIN(function) runs FUNCTION once more on fresh copies of the same inputs, from the
        same state (the variables restored, for functions that update them). A difference
        rejects only when it comes back with both run again: one seen once (a busy machine, a
        test's state changed in between) is noted, never a rejection; one between two eager
        runs is the function's own nondeterminism, not the graph's.
        """
        settings = self.m.settings
        mismatch = compare_outputs(eager_result, graph_result, settings.rtol, settings.atol)
        if mismatch is None:
            self._count_compared(eager_result, graph_result)
            return True
        rerun = self._call if again is None else again
        eager_again = rerun(self.eager)
        if compare_outputs(eager_result, eager_again, settings.rtol, settings.atol) is not None:
            self._note("nondeterministic", "two eager runs on the same inputs differ")
            return False
        graph_again = rerun(self.graph)
        reproduced = compare_outputs(eager_again, graph_again, settings.rtol, settings.atol)
        if reproduced is None:
            self._count_compared(eager_again, graph_again)
            self._note("not_reproduced", not_reproduced_note(mismatch, self.m.process.current_test))
            return True
        self.record.add(
            self.record.mismatches,
            {
                "test": self.m.process.current_test,
                "signature": self.signature,
                **mismatch.to_json(),
            },
        )
        return False

    def _count_compared(self, eager_result: Any, graph_result: Any) -> None:
        # Within tolerance, but a test comparing it with eager code may still see the last
        # bits: solo reruns check the tests of targets whose outputs are not identical.
        self.record.compared += 1
        if not outputs_identical(eager_result, graph_result):
            self.record.inexact += 1

    def _note(self, reason: str, detail: str) -> None:
        """Why this call's outputs are not evidence either way (`not_compared` in the facts)."""
        self.record.add(
            self.record.not_compared,
            {"signature": self.signature, "reason": reason, "detail": detail, "ops": []},
        )

    def _timing_key(self) -> str | None:
        """The key this call's timing goes under in the record, or None when it is not timed.

        The first sample of a signature is timed under the signature; a later sample of it on
        another object (a method's graph is bound per instance) under the signature and that
        object's rank, up to OBJECTS_TIMED objects. Instances of one class can differ more
        than timing noise: dm-sonnet's `ExponentialMovingAverage.reset` runs 376 us eagerly and
        188 us as a graph on an EMA built inside a tf.function, 246 and 179 us on one built
        eagerly, and one object's figure stood for both.
        """
        settings = self.m.settings
        record = self.record
        if len(record.timings) >= settings.max_timed_signatures:
            return None
        if decided(record.timings, settings.decide_at):
            return None
        timed = self.m.timed_objects.setdefault(self.signature, [])
        if record.samples[self.signature] <= settings.timed_samples_per_signature:
            key = self.signature
        elif id(self.graph) in timed or not 0 < len(timed) < OBJECTS_TIMED:
            return None
        else:
            key = f"{self.signature} on object {len(timed) + 1}"
        timed.append(id(self.graph))
        return key

    def _time(self, first_call_s: float | None) -> None:
        key = self._timing_key()
        if key is not None:
            SignatureTimer(self, key).time(first_call_s)
