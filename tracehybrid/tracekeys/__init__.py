"""tf.function trace-key prediction: TensorFlow-side, replayed once over the combined samples."""
