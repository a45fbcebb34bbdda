import tensorflow as tf
import tf_keras

from layers2 import Mixer, Scale


def test_new_layers_each_call():
    for _ in range(30):
        out = Scale()(tf.ones([4, 8]))
        assert float(out[0, 0]) == 2.0


def test_layer_reused_in_a_loop():
    layer = Mixer()
    x = tf.ones([8, 16])
    for _ in range(150):
        out = layer(x)
    assert out.shape == (8, 16)
    assert float(layer(x, training=True)[0, 0]) < float(out[0, 0])


def test_in_a_functional_model():
    inputs = tf_keras.Input(shape=(16,))
    model = tf_keras.Model(inputs, Mixer()(Scale()(inputs)))
    assert model(tf.ones([2, 16])).shape == (2, 16)
