"""The tracer on small modules written to tmp_path: calls, signatures, effects, guards, tool ids."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from conftest import TracedModule

from tracehybrid.runtime import effects
from tracehybrid.runtime.state import EAGER, MAX_SIGNATURES, OVERFLOW_SIGNATURE
from tracehybrid.runtime.sysmon import Tracer

MakeTraced = Callable[..., TracedModule]
PLAIN = """
import random
TOTAL = 0

def helper(n):
    print("helper", n)
    return n

def add(a, b=1, *rest, scale=1, **extra):
    return (a + b) * scale

def effectful(n):
    global TOTAL
    TOTAL += n
    helper(n)
    return random.random()

def failing(n):
    raise ValueError(n)

def many(n):
    return n

def gen(n):
    yield n
"""


def counts_by_mode(tracer: Tracer, qualname: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    state = next(s for s in tracer.states if s.spec.qualname == qualname)
    for (cand, _sig, _test, mode), agg in tracer.buffers.counts.items():
        if cand == state.index:
            totals[mode] = totals.get(mode, 0) + agg[0]
    return totals


def effect_kinds(tracer: Tracer) -> set[tuple[str, int]]:
    return {(kind, line) for (_c, kind, _path, line, _t, _d) in tracer.buffers.effects}


def test_counts_signatures_and_samples(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper",))
    mod = traced.module
    for _ in range(3):
        mod.add(1)
    mod.add(1, 2, 3, scale=2, flag=True)
    mod.add(1.0)
    state = traced.facts()["add"]
    assert counts_by_mode(traced.tracer, "add") == {EAGER: 5}
    assert len(state.signature_keys) == 3
    assert state.samples[1][1:] == ((1, 2, 3), {"scale": 2, "flag": True})
    assert [args for _sig, args, _kw in state.samples] == [(1, 1), (1, 2, 3), (1.0, 1)]


def test_effects_in_candidates_and_their_project_callees(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper",))
    traced.module.effectful(2)
    assert traced.module.TOTAL == 2
    kinds = effect_kinds(traced.tracer)
    assert (effects.WRITE, 14) in kinds  # the static write line ran
    assert (effects.PRINT, 6) in kinds  # inside helper, a project callee
    assert (effects.PY_RANDOM, 16) in kinds
    traced.tracer.swap_buffers()
    traced.module.helper(3)  # outside any candidate: its print is not an effect of anything
    assert not traced.tracer.buffers.effects


def test_exceptions_and_generators_keep_the_stack_balanced(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper",))
    for n in range(2):
        with pytest.raises(ValueError, match=str(n)):
            traced.module.failing(n)
    assert list(traced.module.gen(1)) == [1]
    traced.module.many(1)
    raised = sum(agg[4] for agg in traced.tracer.buffers.counts.values())
    assert raised == 2
    assert counts_by_mode(traced.tracer, "many") == {EAGER: 1}
    assert all(not stack for stack in traced.tracer._stacks.values())


def test_signature_cap_keeps_counts_exact(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper",))
    calls = MAX_SIGNATURES + 10
    for n in range(calls):
        traced.module.many(n)
    state = traced.facts()["many"]
    assert len(state.signature_keys) == MAX_SIGNATURES
    assert state.overflow_calls == 10
    assert counts_by_mode(traced.tracer, "many") == {EAGER: calls}
    overflow = [k for k in traced.tracer.buffers.counts if k[1] == OVERFLOW_SIGNATURE]
    assert overflow


def test_calls_from_threads_are_recorded(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper",))
    workers = [threading.Thread(target=traced.module.many, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert counts_by_mode(traced.tracer, "many") == {EAGER: 4}


def test_a_failing_probe_never_reaches_user_code(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper",))

    class Hostile:
        __module__ = "tensorflow.fake"
        shape = (1,)

        @property
        def dtype(self) -> Any:
            raise RuntimeError("probe me and I break")

    assert traced.module.many(Hostile()) is not None
    assert traced.tracer.failures >= 1


def test_non_candidates_are_disabled_after_their_first_call(traced_module: MakeTraced) -> None:
    traced = traced_module(PLAIN, exclude=("helper", "many"))
    seen: list[str] = []
    original = traced.tracer._first_start

    def spy(code: Any, frame: Any) -> Any:
        seen.append(code.co_name)
        return original(code, frame)

    traced.tracer._first_start = spy  # type: ignore[method-assign]
    for n in range(5):
        traced.module.many(n)
    assert seen.count("many") == 1


def test_takes_a_free_tool_id_beside_coverage(traced_module: MakeTraced) -> None:
    taken = [i for i in (1, 3) if sys.monitoring.get_tool(i) is None]
    for tool_id in taken:
        sys.monitoring.use_tool_id(tool_id, "pretend-coverage")
    try:
        traced = traced_module(PLAIN, exclude=("helper",))
        assert traced.tracer.tool_id not in (0, 1, 3)
        traced.module.many(1)
        assert counts_by_mode(traced.tracer, "many") == {EAGER: 1}
    finally:
        for tool_id in taken:
            sys.monitoring.free_tool_id(tool_id)


GRAPHY = """
import tensorflow as tf

def body(x):
    return x * 2.0

@tf.function
def converted(x):
    return body(x)

@tf.function(autograph=False)
def plain_graph(x):
    return body(x)
"""


def test_calls_under_an_outer_graph_are_recorded_as_such(
    traced_module: MakeTraced, tf: Any
) -> None:
    traced = traced_module(GRAPHY, exclude=("converted", "plain_graph"), name="graphy_mod")
    mod = traced.module
    mod.body(tf.ones([2]))
    mod.converted(tf.ones([2]))  # AutoGraph runs a converted copy of body: no PY_START for it
    mod.plain_graph(tf.ones([3]))  # autograph=False: body's own code runs once, symbolically
    mod.body(tf.keras.Input((3,)))  # Keras functional construction: symbolic, eager context
    assert counts_by_mode(traced.tracer, "body") == {"eager": 1, "autograph": 1, "graph": 2}
    state = traced.facts()["body"]
    assert len(state.samples) == 1  # only eager calls give the predictor samples
