"""Session fixtures: one whole-suite run per project, and its sharded runs merged (issue 16).

Under xdist each worker computes the session fixtures it needs: the example's runs are used by
test_shards_example.py alone and keras_project's by test_shards_keras.py alone, so that each is
made once (`--dist loadfile` runs a file on one worker)."""

from __future__ import annotations

import pytest
from shard_runs import EXAMPLE, KERAS_PROJECT, Merged, Run, copy_project, merged_run, run_whole


@pytest.fixture(scope="session")
def example_whole(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_whole(copy_project(EXAMPLE, tmp_path_factory.mktemp("whole") / "examples"))
    assert run.returncode == 0, run.output[-3000:]
    return run


@pytest.fixture(scope="session")
def keras_whole(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_whole(copy_project(KERAS_PROJECT, tmp_path_factory.mktemp("whole") / "keras"))
    assert run.returncode == 0, run.output[-3000:]
    return run


@pytest.fixture(scope="session")
def example_2(tmp_path_factory: pytest.TempPathFactory, example_whole: Run) -> Merged:
    return merged_run(tmp_path_factory.mktemp("example2"), EXAMPLE, example_whole, 2)


@pytest.fixture(scope="session")
def example_4(tmp_path_factory: pytest.TempPathFactory, example_whole: Run) -> Merged:
    return merged_run(tmp_path_factory.mktemp("example4"), EXAMPLE, example_whole, 4)


@pytest.fixture(scope="session")
def keras_2(tmp_path_factory: pytest.TempPathFactory, keras_whole: Run) -> Merged:
    return merged_run(tmp_path_factory.mktemp("keras2"), KERAS_PROJECT, keras_whole, 2)


@pytest.fixture(scope="session")
def keras_4(tmp_path_factory: pytest.TempPathFactory, keras_whole: Run) -> Merged:
    return merged_run(tmp_path_factory.mktemp("keras4"), KERAS_PROJECT, keras_whole, 4)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`merged` is each merged run its test file lists in MERGES."""
    if "merged" in metafunc.fixturenames:
        metafunc.parametrize("merged", metafunc.module.MERGES, indirect=True)


@pytest.fixture
def merged(request: pytest.FixtureRequest) -> Merged:
    value: Merged = request.getfixturevalue(request.param)
    return value
