"""tinytext: a small Keras 3 text toolkit (classifier, next-token model, decoding)."""

__version__ = "0.2.0"
