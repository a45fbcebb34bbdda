"""tf.function trace-key prediction (TensorFlow-side): at each traced process's end, after merging.

Each traced process predicts from its live functions at its final flush (`runtime/live_functions.py`
calls `rows.process_rows`); when a run has several processes (xdist), `launcher.combine_files` also
replays their merged samples once, in the order a serial run meets them (`replay.py`), because only
the union of the calls says how often a function would retrace.
"""
