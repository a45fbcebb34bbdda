"""The live function objects of candidates, found for the trace-key predictor at the final flush."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracehybrid.runtime.candidates import CandidateSpec
from tracehybrid.runtime.live_functions import find_functions
from tracehybrid.runtime.state import CandidateState


def _state(index: int, function: Callable[..., Any], module: str | None) -> CandidateState:
    code = function.__code__
    spec = CandidateSpec(
        code.co_filename, code.co_qualname, code.co_firstlineno, code.co_firstlineno
    )
    state = CandidateState(index, spec)
    state.bind_code(code, module)
    return state


def _make_locals() -> tuple[Callable[[int], int], Callable[[int], int]]:
    def double(x: int) -> int:
        return 2 * x

    def triple(x: int) -> int:
        return 3 * x

    return double, triple


def module_level(x: int) -> int:
    return x + 1


def test_module_functions_by_path_and_local_functions_in_one_heap_scan() -> None:
    double, triple = _make_locals()  # `<locals>` in their qualnames: only gc can find them
    states = [
        _state(1, module_level, __name__),
        _state(2, double, __name__),
        _state(3, triple, __name__),
    ]
    found = find_functions(states)
    assert found == {1: module_level, 2: double, 3: triple}


def test_a_function_that_is_gone_is_not_found() -> None:
    double, _triple = _make_locals()
    state = _state(1, double, __name__)
    del double
    assert find_functions([state]) == {}
