"""tinyvision: a small image-classification toolkit built on TensorFlow 2."""

__version__ = "0.3.0"
