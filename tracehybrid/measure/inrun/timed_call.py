"""Steady-state timing of one sampled call's signature: eager against graph, paired repeats.

The calls are the test's own inputs (copied), through the pure-checker decorators above the target
when there are some (`outer_call`): what the tests' callers pay on every call, in both forms. The
repeats stop once the ratio is precise enough, or clearly on one side of the speed rule's
threshold, or the budget is spent (never under MIN_REPEATS).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracehybrid.measure.inrun import tfbridge
from tracehybrid.measure.inrun.outer_call import EAGER, outer_form, reaches_once, through
from tracehybrid.measure.interval import Samples, clear_of, rough_relative_halfwidth
from tracehybrid.measure.timing import calls_per_repeat, time_repeats, timing_of_samples

if TYPE_CHECKING:
    from tracehybrid.measure.inrun.sampled_call import Measurement

# Taken at import, as the tracer does: a test that patches the clock must not change
# what this run measures.
_perf_counter = time.perf_counter

#: Interquartile range above this fraction of the median: the timing is measured again, longer.
NOISY = 0.2
#: Paired repeats taken whatever the deadline: the fewest a bootstrap interval is drawn from
#: (interval.ratio_interval needs two; three give `rough_relative_halfwidth` a deviation).
MIN_REPEATS = 3


class SignatureTimer:
    """Times the signature of one sampled call (a `Measurement`) into its target's record."""

    def __init__(self, measurement: Measurement, key: str) -> None:
        self.s = measurement
        self.key = key  # the record's timings key: the signature, or it on a further object

    def time(self, first_call_s: float | None) -> None:
        """Time the sampled call's signature, eager against graph, into the record's timings."""
        settings = self.s.m.settings
        eager_call, graph_call, outer = self._calls()
        number = self._calls_per_repeat(eager_call, graph_call)
        before, deadline = (
            tfbridge.tracing_count(self.s.graph),
            _perf_counter() + settings.budget_s,
        )
        samples = self._repeats(eager_call, graph_call, number, deadline)
        timing = timing_of_samples(samples, first_call_s)
        if max(timing.eager.rel_spread, timing.graph.rel_spread) > NOISY and (
            _perf_counter() < deadline and number < settings.max_calls_per_repeat
        ):
            # Short repeats on a busy machine: measure again with repeats 4x longer, and keep
            # them only if the budget left let them reach as many repeats (a retry cut short by
            # the deadline would replace a usable interval with none).
            longer = min(settings.max_calls_per_repeat, number * 4)
            retry = self._repeats(eager_call, graph_call, longer, deadline)
            if retry.repeats >= min(samples.repeats, settings.repeats):
                number, samples = longer, retry
                timing = timing_of_samples(samples, first_call_s)
        if tfbridge.tracing_count(self.s.graph) != before:
            self.s.m.process.problem(
                f"{self.s.record.target.qualname}: retraced while timing; discarded"
            )
            return
        self.s.record.timings[self.key] = {
            **timing.to_json(),
            "calls_per_repeat": number,
            "through_decorators": outer,
        }

    def _calls_per_repeat(
        self, eager_call: Callable[[], None], graph_call: Callable[[], None]
    ) -> int:
        """After the warm-up calls, how many calls one repeat needs to last `min_repeat_s`.

        A warm-up call that already lasts that long settles it (one call per repeat) without
        the two calls that time one of each: GPflow's slowest targets take 0.4 s a call.
        """
        settings = self.s.m.settings
        warm = 0.0
        for _ in range(settings.warmup):
            warm = min(time_repeats(eager_call, 1, 1)[0], time_repeats(graph_call, 1, 1)[0])
        if warm >= settings.min_repeat_s:
            return 1
        one = max(time_repeats(eager_call, 1, 1)[0], time_repeats(graph_call, 1, 1)[0])
        return calls_per_repeat(one, settings.min_repeat_s, settings.max_calls_per_repeat)

    def _calls(self) -> tuple[Callable[[], None], Callable[[], None], bool]:
        """The eager and graph calls to time, and whether they go through the decorators above
        the target (`outer_call`): what the tests' callers pay on every call, in both forms."""
        outer = outer_form(self.s.m, self.s.eager)
        if outer is not None:
            args, kwargs = tfbridge.copy_mutable((self.s.args, self.s.kwargs))
            if reaches_once(outer, self.s.m, args, kwargs):
                eager_args, eager_kwargs = tfbridge.copy_mutable((self.s.args, self.s.kwargs))
                eager = through(outer, eager_args, eager_kwargs, EAGER)
                graph = through(outer, args, kwargs, frozenset({self.s.m.key}))
                return eager, graph, True
        return self._timed(self.s.eager), self._timed(self.s.graph), False

    def _repeats(
        self,
        eager_call: Callable[[], None],
        graph_call: Callable[[], None],
        number: int,
        deadline: float,
    ) -> Samples:
        """Paired repeats of the timed region, eager and graph back to back on the same inputs,
        so a slow moment of the machine hits both. At least `repeats` of them; then more, while
        the ratio is still uncertain (`target_halfwidth`) and its rough interval still straddles
        the speed rule's threshold (`decide_at`), up to `max_repeats` or the deadline.
        """
        settings = self.s.m.settings
        eager: list[float] = []
        graph: list[float] = []
        while len(eager) < max(settings.repeats, settings.max_repeats):
            # Alternate which goes first: neither always runs on caches the other warmed.
            if len(eager) % 2:
                graph += time_repeats(graph_call, number, 1)
                eager += time_repeats(eager_call, number, 1)
            else:
                eager += time_repeats(eager_call, number, 1)
                graph += time_repeats(graph_call, number, 1)
            # The deadline stops timing only once an interval can be drawn: under
            # MIN_REPEATS the figure would be a bare median that the speed rule cannot trust.
            if len(eager) >= MIN_REPEATS and _perf_counter() > deadline:
                break
            if len(eager) >= settings.repeats and (
                rough_relative_halfwidth(eager, graph) <= settings.target_halfwidth
                or (settings.decide_at is not None and clear_of(eager, graph, settings.decide_at))
            ):
                break
        return Samples(tuple(eager), tuple(graph))

    def _timed(self, function: Any) -> Callable[[], None]:
        args, kwargs = tfbridge.copy_mutable((self.s.args, self.s.kwargs))

        def call() -> None:
            tfbridge.force(function(*args, **kwargs))

        return call
