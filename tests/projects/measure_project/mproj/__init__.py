"""A tiny TF project whose functions behave differently as graphs, for tracehybrid's rerun tests."""
