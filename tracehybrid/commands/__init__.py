"""One module per CLI verb; each exposes a `do_<verb>(args) -> int` handler."""
