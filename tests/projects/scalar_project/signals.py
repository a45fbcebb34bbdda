"""Smoothing of periodic signals; TensorFlow is imported by name, with no `tf` alias."""

from tensorflow import convert_to_tensor, roll


def smooth(signal, strength):
    """Twelve steps of diffusion on a periodic signal: the mean is kept."""
    x = convert_to_tensor(signal)
    for _ in range(12):
        x = x + strength * (roll(x, 1, axis=0) + roll(x, -1, axis=0) - 2.0 * x)
    return x
