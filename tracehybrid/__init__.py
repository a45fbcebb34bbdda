"""tracehybrid: prove which eager TensorFlow functions can run as graphs, and how much faster."""

from __future__ import annotations

__version__ = "0.1.0.dev0"
