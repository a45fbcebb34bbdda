"""Tone curves in plain arithmetic: no TensorFlow call, so they take tensors and arrays alike."""

from __future__ import annotations


def tone_curve(images, strength):
    """Blend each pixel with the S-curve 3x^2 - 2x^3 by STRENGTH, then roll off the highlights
    softly; pixels in [0, 1] stay in [0, 1], and 0 and 1 stay where they are."""
    s_curve = images * images * (3.0 - 2.0 * images)
    toned = images + (s_curve - images) * strength
    roll_off = toned * toned * (1.0 - toned)
    return toned + roll_off * 0.25 * strength
