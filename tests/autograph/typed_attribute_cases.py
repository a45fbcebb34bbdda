"""Modules whose attributes are other modules, a tf.Variable, or a list: issue 15 point 5."""

from __future__ import annotations

import tensorflow as tf


class MovingAverage(tf.Module):
    """Sonnet-like: `update` assigns variables, as snt.ExponentialMovingAverage does."""

    def __init__(self, decay: float) -> None:
        super().__init__()
        self._decay = decay
        self._counter = tf.Variable(0, trainable=False)
        self.average = tf.Variable(0.0, trainable=False)

    def update(self, value: tf.Tensor) -> None:
        self._counter.assign_add(1)
        self.average.assign(self.average * self._decay + value * (1.0 - self._decay))


class Norm(tf.Module):
    """Subtracts the batch mean and keeps its moving average, as a batch norm does."""

    def __init__(self) -> None:
        super().__init__()
        self.moving_mean = MovingAverage(0.5)

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        mean = tf.reduce_mean(x)
        self.moving_mean.update(mean)
        return x - mean


class Recorder(tf.Module):
    """Keeps every value it is given in a Python list."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tf.Tensor] = []

    def update(self, value: tf.Tensor) -> None:
        self.values.append(value)


class Recorded(tf.Module):
    """Records its inputs through a module attribute whose `update` appends to a list."""

    def __init__(self) -> None:
        super().__init__()
        self.recorder = Recorder()

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        self.recorder.update(x)
        return x * 2.0


class Cached(tf.Module):
    """A dict attribute updated on every call."""

    def __init__(self) -> None:
        super().__init__()
        self.cache: dict[str, tf.Tensor] = {}

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        self.cache.update({"last": x})
        return x * 2.0
