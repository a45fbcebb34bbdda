"""The tracer island: sys.monitoring callbacks, argument probes, collector and pytest plugin."""
