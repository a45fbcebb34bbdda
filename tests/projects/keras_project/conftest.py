"""Collected only as its own project (tracehybrid runs pytest inside it), never by the outer suite."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    if config.rootpath.resolve() != HERE:
        return True
    return None
