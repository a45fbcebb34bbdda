import pytest
import tensorflow as tf

import mathops


def test_scale_passes():
    assert mathops.scale(tf.ones([2])).numpy().tolist() == [2.0, 2.0]


def test_noisy_and_logged_pass():
    mathops.noisy(tf.ones([3]))
    assert float(mathops.logged(tf.ones([4]))) == 4.0


def test_counted_fails():
    mathops.counted(tf.ones([2]))
    assert mathops.to_python(tf.ones([2])) == 0  # fails on purpose


@pytest.fixture
def broken():
    raise RuntimeError("fixture breaks")


def test_errors_in_setup(broken):
    mathops.scale(tf.ones([1]))


def test_raises_inside_candidate():
    with pytest.raises(ValueError):
        mathops.failing(3)


@pytest.mark.skip(reason="skipped on purpose")
def test_skipped():
    mathops.scale(tf.ones([9]))


@pytest.mark.xfail(reason="known bug", strict=False)
def test_xfailed():
    assert mathops.scale(tf.ones([1]), 3.0).numpy()[0] == 2.0


@pytest.mark.xfail(reason="not really broken", strict=False)
def test_xpassed():
    assert mathops.scale(tf.ones([1]), 3.0).numpy()[0] == 3.0


@pytest.mark.parametrize("power", [1, 2, 3])
def test_by_power(power):
    assert mathops.by_power(tf.constant(2.0), power).numpy() == 2.0**power


def test_hybrid_retraces():
    for n in (2, 2, 3):
        mathops.hybrid_add(tf.ones([n]), tf.ones([n]))
    assert mathops.outer_graph(tf.ones([2])).numpy().tolist() == [3.0, 3.0]


class TestModel:
    def test_apply(self):
        assert mathops.Model().apply(tf.ones([2])).numpy().tolist() == [1.0, 2.0]

    def test_apply_fails(self):
        assert mathops.Model().apply(tf.ones([2])).numpy().tolist() == [0.0, 0.0]

    def test_apply_in_graph(self):
        model = mathops.Model()
        assert mathops.apply_in_graph(model, tf.ones([2])).numpy().tolist() == [1.0, 2.0]


def test_waits_for_interrupt(tmp_path_factory):
    """Only when asked (the Ctrl-C test): signal readiness, then wait to be interrupted."""
    import os
    import time

    marker = os.environ.get("OUTCOMES_WAIT_MARKER")
    if not marker:
        pytest.skip("only for the interrupt test")
    mathops.scale(tf.ones([5]))
    open(marker, "w").close()
    time.sleep(60)
