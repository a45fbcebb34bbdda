"""Shared fixtures: paths to the repository, the shared contract, and the example project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def shared_contract() -> Path:
    """The shared results contract beside the checkout (CI lays it there)."""
    path = REPO.parent / "shared" / "contract"
    if not path.is_dir():
        message = f"the shared contract is missing at {path}; CI lays ../shared beside the repo"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI the check must run, never be skipped
        pytest.skip(message)
    return path
