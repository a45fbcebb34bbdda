"""Small helpers: seeding and parameter counting."""

from __future__ import annotations

import random

import numpy as np
import tensorflow as tf


def set_global_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow so augmentation and initialisation are reproducible."""
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)


def count_parameters(module: tf.Module) -> int:
    """Number of trainable scalars in a tf.Module."""
    return sum(int(np.prod(variable.shape)) for variable in module.trainable_variables)
