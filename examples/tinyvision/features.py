"""Hand-crafted image features: edge-orientation histograms and colour moments."""

from __future__ import annotations

import math

import tensorflow as tf

ORIENTATION_BINS = 8


def edge_features(images: tf.Tensor) -> tf.Tensor:
    """Per-image histogram of gradient orientations weighted by magnitude, plus mean magnitude.

    images: float NHWC RGB in [0, 1]. Returns [batch, ORIENTATION_BINS + 1].
    """
    gray = tf.image.rgb_to_grayscale(images)
    gradients = tf.image.sobel_edges(gray)[..., 0, :]
    grad_y, grad_x = gradients[..., 0], gradients[..., 1]
    magnitude = tf.sqrt(tf.square(grad_x) + tf.square(grad_y) + 1e-12)
    orientation = tf.atan2(grad_y, grad_x)
    bins = tf.cast(tf.floor((orientation + math.pi) / (2 * math.pi) * ORIENTATION_BINS), tf.int32)
    bins = tf.math.floormod(bins, ORIENTATION_BINS)
    weighted = tf.one_hot(bins, ORIENTATION_BINS) * magnitude[..., tf.newaxis]
    histogram = tf.reduce_sum(weighted, axis=[1, 2])
    histogram = histogram / (tf.reduce_sum(histogram, axis=-1, keepdims=True) + 1e-6)
    mean_magnitude = tf.reduce_mean(magnitude, axis=[1, 2])
    return tf.concat([histogram, mean_magnitude[:, tf.newaxis]], axis=-1)


def color_moments(images: tf.Tensor) -> tf.Tensor:
    """Mean, std, skewness and excess kurtosis of each channel: [batch, 4 * channels]."""
    mean = tf.reduce_mean(images, axis=[1, 2], keepdims=True)
    centered = images - mean
    squared = tf.square(centered)
    variance = tf.reduce_mean(squared, axis=[1, 2])
    std = tf.sqrt(variance + 1e-8)
    skewness = tf.reduce_mean(centered * squared, axis=[1, 2]) / tf.pow(std, 3.0)
    kurtosis = tf.reduce_mean(tf.square(squared), axis=[1, 2]) / tf.square(variance + 1e-8) - 3.0
    return tf.concat([tf.squeeze(mean, axis=[1, 2]), std, skewness, kurtosis], axis=-1)


def extract_features(images: tf.Tensor) -> tf.Tensor:
    """The full hand-crafted feature vector: edge histogram followed by colour moments."""
    return tf.concat([edge_features(images), color_moments(images)], axis=-1)
