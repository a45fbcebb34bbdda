from __future__ import annotations

import random

import numpy as np
import tensorflow as tf

from tinyvision.utils import set_global_seed


def test_set_global_seed_makes_every_generator_repeat():
    set_global_seed(123)
    first = (random.random(), np.random.rand(), float(tf.random.uniform([])))
    set_global_seed(123)
    second = (random.random(), np.random.rand(), float(tf.random.uniform([])))
    assert first == second
