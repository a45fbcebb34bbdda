import os

import numpy as np
import pytest
import tensorflow as tf

from mproj import ops
from mproj.layers import Accumulator, Geometry, Scale
from mproj.ops import many_ops

# Called while the module is imported, outside any test: only bisection can blame it.
AT_IMPORT = [ops.tally(tf.ones([1])) for _ in range(2)]


def test_tally_at_import():
    assert float(AT_IMPORT[1][0]) == 2.0


def test_many_ops():
    x = tf.ones([8, 8])
    for _ in range(3):
        y = many_ops(x)
    assert y.shape == (8, 8)


def test_first_value():
    assert ops.first_value(tf.constant([1.0, 2.0])) == 2.0


def test_first_value_again():
    assert ops.first_value(tf.constant([3.0])) == 6.0


def test_counted_add_counts_each_call():
    before = len(ops.COUNTED)
    ops.counted_add(tf.ones([5]))
    ops.counted_add(tf.ones([5]))
    assert len(ops.COUNTED) - before >= 2


def test_label():
    assert ops.label(tf.constant([1.0, 2.0])) == "sum=3.0"


def test_scaled(monkeypatch):
    x = tf.ones([3])
    assert ops.scaled(x).numpy().tolist() == [2.0, 2.0, 2.0]
    monkeypatch.setattr(ops, "SCALE", 3.0)
    assert ops.scaled(x).shape == (3,)  # the value is not checked: only the rerun can tell


def test_noisy():
    tf.random.set_seed(1)
    y = ops.noisy(tf.zeros([4]))
    assert float(tf.reduce_max(tf.abs(y))) < 0.1


def test_normalize_keeps_outer_decorator():
    y = ops.normalize(tf.constant([1.0, 2.0, 3.0]))
    assert abs(float(tf.reduce_mean(y))) < 1e-5
    assert ops.normalize.calls == 1


def test_count_positive():
    assert int(ops.count_positive(tf.constant([1.0, -1.0, 2.0]))) == 2


@pytest.mark.parametrize("n", [1, 2, 3])
def test_retraced(n):
    assert float(ops.retraced(tf.ones([n]))) == n


def test_affine_factory():
    affine = ops.make_affine(tf.constant(2.0))
    assert affine(tf.constant([1.0])).numpy().tolist() == [3.0]


def test_summed_twice():
    assert float(ops.summed_twice(tf.ones([2]))) == 4.0


def test_layer():
    layer = Scale()
    x = tf.ones([2, 3])
    for _ in range(2):
        y = layer(x)
    assert y.numpy().tolist() == [[2.0] * 3] * 2


def test_staticmethod():
    assert float(Geometry.norm(tf.constant([3.0, 4.0]))) == 5.0


def test_plain_python():
    assert ops.plain_python(4) == 6


@pytest.mark.xfail(reason="known bug", strict=True)
def test_xfailed():
    assert ops.plain_python(3) == 0


@pytest.fixture(scope="module")
def fifty_values():
    # Logs each set-up with the process id: the reruns at the end of a run must share it.
    with open("fixture-setups.log", "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\n")
    return tf.constant(np.linspace(0.1, 2.0, 50, dtype=np.float32))


def test_with_third_ends_with_third(fifty_values):
    # Bit for bit: passes with both functions eager or both graphs, fails with one of each.
    x = fifty_values
    np.testing.assert_array_equal(ops.with_third(x)[50:].numpy(), ops.third(x).numpy())


SESSION_RUNS = []


def test_thirds_once_per_session():
    # Order-dependent on purpose: running it a second time in one session fails, whatever runs
    # as a graph, so its solo reruns must not be blamed on either function.
    SESSION_RUNS.append(1)
    x = tf.ones([4])
    assert ops.with_third(x).shape == (8,) and ops.third(x).shape == (4,)
    assert len(SESSION_RUNS) == 1


def test_accumulator():
    acc = Accumulator()
    acc.add(tf.ones([3]))
    assert float(acc.add(tf.ones([3]))) == 6.0


@pytest.fixture
def batch():
    return ops.as_batch([1.0, 2.0])


def test_padded_batch(batch):
    np.testing.assert_array_equal(ops.padded(batch).numpy(), [2.0, 4.0, 0.0])


def test_outer_total():
    assert float(ops.outer_total(tf.ones([2, 3]))) == 12.0


@pytest.mark.skip(reason="skipped on purpose")
def test_skipped():
    raise AssertionError
