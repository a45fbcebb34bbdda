import keras
import tensorflow as tf

from model import Block, Gain


def train_step(layer, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(layer(x) - y))
    grads = tape.gradient(loss, layer.trainable_variables)
    pairs = [(g, v) for g, v in zip(grads, layer.trainable_variables) if g is not None]
    if pairs:
        optimizer.apply_gradients(pairs)
    return loss


def _fit(layer, steps):
    optimizer = keras.optimizers.SGD(0.01)
    x, y = tf.ones([16, 4]), tf.zeros([16, 1])
    return [float(train_step(layer, optimizer, x, y)) for _ in range(steps)]


def test_block_trains():
    # Passes whether or not the sub-layers' weights move: like many real tests, it asserts
    # only that training runs and the loss is finite.
    losses = _fit(Block(), 5)
    assert all(loss == loss for loss in losses)


def test_gain_trains():
    losses = _fit(Gain(), 60)
    assert losses[-1] < losses[0]
