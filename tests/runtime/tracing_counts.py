"""Real tf.function tracing counts: the ground truth for the trace-key predictor."""

from __future__ import annotations

import contextlib
from typing import Any

Calls = list[tuple[tuple[Any, ...], dict[str, Any]]]


def real_counts(tf: Any, fn: Any, calls: Calls, *, untraceable_ok: bool = True) -> tuple[int, int]:
    """Tracing counts of tf.function(fn) and tf.function(fn, reduce_retracing=True).

    With `untraceable_ok` a call that tf.function rejects is skipped (it raises and caches
    nothing); without it the error reaches the test.
    """
    counts = []
    for reduce in (False, True):
        wrapped = tf.function(fn, reduce_retracing=reduce)
        for args, kwargs in calls:
            errors = contextlib.suppress(Exception) if untraceable_ok else contextlib.nullcontext()
            with errors:
                wrapped(*args, **kwargs)
        counts.append(int(wrapped.experimental_get_tracing_count()))
    return counts[0], counts[1]
