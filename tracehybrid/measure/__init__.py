"""Prove approvals by rerunning the tests with targets as graphs, and measure the speedup."""
