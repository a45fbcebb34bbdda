import unittest

import tensorflow as tf

import ops


def test_smooth(tmp_path):
    (tmp_path / "seen.txt").write_text("smooth")
    for _ in range(50):
        total = ops.smooth(tf.ones([16]))
    assert float(total) > 0


def test_peek():
    assert float(ops.peek(tf.ones([3]))) == 6.0


class PeekCases(unittest.TestCase):
    def test_sizes(self):
        for n in (1, 2, 3):
            with self.subTest(n=n):
                self.assertEqual(float(ops.peek(tf.ones([n]))), 2.0 * n)
