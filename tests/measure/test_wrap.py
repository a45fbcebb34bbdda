"""Finding targets inside imported modules and rebinding them under their outer decorators."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from measure_targets import locate

from tracehybrid.measure.inrun.record import merge_records
from tracehybrid.measure.inrun.target_swap import NotWrapped, replace_target
from tracehybrid.measure.inrun.tfbridge import check_decorator
from tracehybrid.measure.targets import Target

SOURCE = """
import functools

def counted(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        wrapper.calls += 1
        return fn(*args)
    wrapper.calls = 0
    return wrapper

class Memo:
    def __init__(self, fn):
        self.fn = fn
    def __call__(self, *args):
        return self.fn(*args)

def plain(x):
    return x + 1

@counted
def decorated(x):
    return x + 2

@Memo
def memoized(x):
    return x + 3

class Box:
    def method(self, x):
        return x + 4

    @staticmethod
    def static(x):
        return x + 5

def factory(k):
    def inner(x):
        return x + k
    return inner

def user(x):
    def helper(y):
        return y
    return helper(x)
"""


class Marked:
    """A stand-in for the graph function: tags results so the test sees who ran."""

    def __init__(self, found: Any) -> None:
        self.found = found

    def __call__(self, *args: Any) -> Any:
        return ("graph", self.found(*args))


@pytest.fixture
def module(tmp_path: Path) -> Iterator[ModuleType]:
    (tmp_path / "wrapmod.py").write_text(SOURCE, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("wrapmod")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("wrapmod", None)


def wrap(module: ModuleType, qualname: str, missed: list[Target] | None = None) -> None:
    target = locate(Path(module.__file__ or "").parent, "wrapmod.py", qualname, "@tf.function")
    on_miss = (missed if missed is not None else []).append
    replace_target(module, target, lambda found, _t: Marked(found), on_miss)


def test_plain_decorated_and_class_based_decorators(module: ModuleType) -> None:
    for name in ("plain", "decorated", "memoized"):
        wrap(module, name)
    assert module.plain(1) == ("graph", 2)
    assert module.decorated(1) == ("graph", 3)
    assert module.decorated.calls == 1  # the outer decorator still wraps, and still counts
    assert module.decorated.__wrapped__ is not None and module.decorated.__name__ == "decorated"
    assert module.memoized(1) == ("graph", 4)


def test_methods_and_staticmethods(module: ModuleType) -> None:
    wrap(module, "Box.static")
    assert module.Box.static(1) == ("graph", 6)
    assert isinstance(vars(module.Box)["static"], staticmethod)
    wrap(module, "Box.method")
    assert vars(module.Box)["method"].found.__qualname__ == "Box.method"


def test_nested_functions_only_through_a_factory(module: ModuleType) -> None:
    missed: list[Target] = []
    wrap(module, "factory.<locals>.inner", missed)
    assert module.factory(10)(1) == ("graph", 11)
    wrap(module, "user.<locals>.helper", missed)
    assert module.user(7) == 7
    assert [t.qualname for t in missed] == ["user.<locals>.helper"]


def test_targets_that_cannot_be_reached(module: ModuleType) -> None:
    target = locate(Path(module.__file__ or "").parent, "wrapmod.py", "plain", "@tf.function")
    moved = type(target)(target.path, "gone", target.line, target.first_line + 1)
    with pytest.raises(NotWrapped, match="not an attribute"):
        replace_target(module, moved, lambda f, _t: f, lambda _t: None)
    with pytest.raises(ValueError, match=r"not a tf\.function decorator"):
        check_decorator("@os.system('x')")
    assert check_decorator("@tf.function(reduce_retracing=True)") is not None


def test_records_merge_across_processes() -> None:
    def doc(outcome: str, calls: int, wrap: str) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "wrap": wrap,
            "wrap_error": None if wrap == "wrapped" else "why",
            "calls": calls,
            "calls_in_graph": 0,
            "traces": 1,
            "tests": {"t": calls},
            "trace_calls_s": [0.1],
            "exceptions": [],
            "mismatches": [],
            "not_compared": [],
            "timings": {"(x)": {}},
        }
        return {
            "outcomes": {f"t_{outcome}": outcome},
            "crashes": {},
            "problems": ["p"],
            "measure_s": 1.0,
            "targets": {"k": facts},
        }

    merged = merge_records([doc("passed", 2, "wrapped"), doc("failed", 3, "not_wrapped")])
    facts = merged["targets"]["k"]
    assert merged["outcomes"] == {"t_passed": "passed", "t_failed": "failed"}
    assert (facts["calls"], facts["traces"], facts["tests"]) == (5, 2, {"t": 5})
    assert facts["wrap"] == "not_wrapped" and merged["problems"] == ["p"]
    assert json.dumps(merged)
