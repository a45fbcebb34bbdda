"""Image preprocessing: normalisation, blurring, gamma and image pyramids."""

from __future__ import annotations

import tensorflow as tf

# ImageNet channel statistics; our synthetic data is close enough.
CHANNEL_MEAN = tf.constant([0.485, 0.456, 0.406])
CHANNEL_STD = tf.constant([0.229, 0.224, 0.225])


def normalize_batch(images: tf.Tensor) -> tf.Tensor:
    """uint8 images to float32, standardised with the per-channel dataset statistics."""
    x = tf.cast(images, tf.float32) / 255.0
    return (x - CHANNEL_MEAN) / CHANNEL_STD


def standardize_per_image(images: tf.Tensor) -> tf.Tensor:
    """Zero mean, unit variance per image (like tf.image.per_image_standardization, batched)."""
    x = tf.cast(images, tf.float32)
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    centered = x - mean
    variance = tf.reduce_mean(tf.square(centered), axis=[1, 2, 3], keepdims=True)
    num_pixels = tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
    # Floor the std so a constant image does not divide by zero.
    std = tf.maximum(tf.sqrt(variance), tf.math.rsqrt(num_pixels))
    scaled = centered / std
    return tf.clip_by_value(scaled, -6.0, 6.0)


def build_image_pyramid(images: tf.Tensor, levels: int) -> list[tf.Tensor]:
    """A list of `levels` images, each half the size of the previous one."""
    if levels <= 1:
        return [images]
    smaller = tf.nn.avg_pool2d(images, ksize=2, strides=2, padding="VALID")
    return [images, *build_image_pyramid(smaller, levels - 1)]


@tf.function
def make_gaussian_kernel(size: int, sigma: float) -> tf.Tensor:
    """A normalised size x size Gaussian kernel."""
    radius = (size - 1) / 2.0
    coords = tf.range(size, dtype=tf.float32) - radius
    weights = tf.exp(-tf.square(coords) / (2.0 * sigma**2))
    weights = weights / tf.reduce_sum(weights)
    return tf.tensordot(weights, weights, axes=0)


@tf.function
def gaussian_blur(images: tf.Tensor, kernel: tf.Tensor) -> tf.Tensor:
    """Blur each channel of float NHWC images with a 2-D kernel (SAME padding)."""
    channels = tf.shape(images)[-1]
    depthwise = tf.tile(kernel[:, :, tf.newaxis, tf.newaxis], [1, 1, channels, 1])
    padded_size = tf.shape(kernel)[0] // 2
    paddings = [[0, 0], [padded_size, padded_size], [padded_size, padded_size], [0, 0]]
    padded = tf.pad(images, paddings, mode="REFLECT")
    return tf.nn.depthwise_conv2d(padded, depthwise, strides=[1, 1, 1, 1], padding="VALID")


@tf.function
def adjust_gamma(images: tf.Tensor, gamma: float) -> tf.Tensor:
    """Gamma-correct float images in [0, 1]."""
    return tf.clip_by_value(images, 0.0, 1.0) ** gamma


def gaussian_sigma_for(size: int) -> float:
    """OpenCV's default sigma for a kernel of the given size."""
    return 0.3 * ((size - 1) * 0.5 - 1) + 0.8
