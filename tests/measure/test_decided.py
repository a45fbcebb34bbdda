"""Timing stops adding signatures once two are clear of the speed rule's threshold on one side."""

from __future__ import annotations

from typing import Any

from tracehybrid.measure.interval import Samples, decided


def timing(eager_s: float, graph_s: float, jitter: float = 0.01) -> dict[str, Any]:
    """One signature's timing JSON with ten paired repeats around EAGER_S and GRAPH_S."""
    steps = [1 + jitter * ((i % 3) - 1) for i in range(10)]
    samples = Samples(tuple(eager_s * s for s in steps), tuple(graph_s * s for s in steps[::-1]))
    return {"samples": [samples.to_json()]}


def test_two_signatures_clearly_faster_decide_and_one_does_not() -> None:
    fast = {"a": timing(5.0, 1.0), "b": timing(4.0, 1.0)}
    assert decided(fast, 1.1)
    assert not decided({"a": timing(5.0, 1.0)}, 1.1)
    assert not decided(fast, None)  # no threshold set: time every signature as before


def test_signatures_on_both_sides_or_near_the_threshold_do_not_decide() -> None:
    assert not decided({"a": timing(5.0, 1.0), "b": timing(0.5, 1.0)}, 1.1)
    assert not decided({"a": timing(5.0, 1.0), "b": timing(1.1, 1.0, jitter=0.3)}, 1.1)
    assert decided({"a": timing(0.5, 1.0), "b": timing(0.6, 1.0)}, 1.1)
