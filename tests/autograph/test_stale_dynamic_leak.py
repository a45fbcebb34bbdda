"""TH184, TH185 and TH186 against real graphs: where `tf.function` breaks or differs from eager.

Measured with TF 2.21 (static/autograph.py's table records the outcome):
- TH184: a variable list read before a lazily-built model's first call is empty; Keras 2
  optimizers (tf_keras, TF_USE_LEGACY_KERAS=1) skip the empty first update eagerly, while the
  graph's second trace creates the optimizer's slots and raises. Kept.
- TH185: `eval` is equal (AutoGraph evaluates it in the function's own scope); `exec` raises
  NameError on a module global (AutoGraph runs it in its own namespace) and otherwise runs once
  per trace; a `globals()` write keeps the first trace's symbolic tensor. Kept: what a code
  string does is not known, and two of the three break or differ.
- TH186: reading a tensor a tf.function leaked raises the same TypeError eagerly and as a graph,
  and works alike before the leak: the read is no conversion hazard, so it no longer blocks
  (the tf.function that assigns the global is flagged TH111).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import stale_dynamic_leak_cases as cases
import tensorflow as tf
import tf_keras

from tracehybrid import codes
from tracehybrid.static import ProjectFacts, analyze_source

X = tf.ones([2, 3])


@pytest.fixture(scope="module")
def analysed() -> ProjectFacts:
    source = (Path(__file__).parent / "stale_dynamic_leak_cases.py").read_text()
    called = [
        "stale_step(LazyModule(), None, x)",
        "fresh_step(LazyModule(), None, x)",
        "apply_eval(x, 'x')",
        *(f"{name}(x)" for name in ("apply_exec", "apply_exec_local", "write_globals")),
        "leak(x)",
        "read_leaked(x)",
    ]
    return analyze_source(source + "\nx = tf.ones([2, 3])\n" + "\n".join(called) + "\n")


def steps(step: object, optimizer: type, *, graph: bool) -> list[float]:
    model, opt = cases.LazyModule(), optimizer(0.1)
    fn = tf.function(step) if graph else step
    return [float(fn(model, opt, X)) for _ in range(3)]  # type: ignore[operator]


@pytest.mark.parametrize("optimizer", [tf_keras.optimizers.SGD, tf_keras.optimizers.Adam])
def test_th184_a_stale_variable_list_breaks_only_the_graph(optimizer: type) -> None:
    eager = steps(cases.stale_step, optimizer, graph=False)
    assert eager[0] == eager[1] != eager[2]  # the first update had no variables to apply to
    with pytest.raises(ValueError, match=r"singleton tf\.Variables created on the first call"):
        steps(cases.stale_step, optimizer, graph=True)
    fresh = steps(cases.fresh_step, optimizer, graph=False)
    assert steps(cases.fresh_step, optimizer, graph=True) == pytest.approx(fresh)


def test_th184_keras_3_optimizers_refuse_the_empty_list_eagerly_too() -> None:
    for graph in (False, True):
        with pytest.raises(ValueError, match="not enough values to unpack"):
            steps(cases.stale_step, tf.keras.optimizers.SGD, graph=graph)


def test_th184_flags_the_stale_read_only(analysed: ProjectFacts) -> None:
    assert "TH184" in analysed.function("stale_step").codes
    assert "TH184" not in analysed.function("fresh_step").codes


def test_th185_eval_is_equal_exec_breaks_or_runs_once_globals_writes_leak(
    analysed: ProjectFacts, capfd: pytest.CaptureFixture[str]
) -> None:
    x = tf.constant(2.0)
    for expr in ("x * 3", "x * SCALE", "tf.square(x)"):  # AutoGraph evals in the caller's scope
        assert float(tf.function(cases.apply_eval)(x, expr)) == float(cases.apply_eval(x, expr))
    cases.CALLS.clear()
    cases.apply_exec(x)
    assert cases.CALLS == [1]
    with pytest.raises(NameError, match="CALLS"):  # AutoGraph runs exec in its own namespace
        tf.function(cases.apply_exec)(x)
    capfd.readouterr()
    graph_exec = tf.function(cases.apply_exec_local)
    for value in (1.0, 2.0, 3.0):
        cases.apply_exec_local(tf.constant(value))
        graph_exec(tf.constant(value))
    assert capfd.readouterr().out.count("traced") == 3 + 1  # three eager calls, one trace
    tf.function(cases.write_globals)(x)
    assert not hasattr(cases.LAST, "numpy")  # the trace's symbolic tensor, not a value
    for name in ("apply_eval", "apply_exec", "apply_exec_local", "write_globals"):
        assert "TH185" in analysed.function(name).codes


def test_th186_reading_a_leaked_tensor_fails_alike_eagerly_and_as_a_graph(
    analysed: ProjectFacts,
) -> None:
    before = float(cases.read_leaked(tf.constant(2.0)))
    assert float(tf.function(cases.read_leaked)(tf.constant(2.0))) == before
    cases.leak(tf.constant(1.0))
    for reader in (cases.read_leaked, tf.function(cases.read_leaked)):
        with pytest.raises(TypeError, match="out of scope"):
            reader(tf.constant(2.0))
    assert "TH186" in analysed.function("read_leaked").codes
    assert not codes.get("TH186").blocking  # reported, never the reason for a rejection
    assert "TH111" in analysed.function("leak").codes
    np.testing.assert_equal(before, 2.0)
