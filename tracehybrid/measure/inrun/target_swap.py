"""Find a target inside an imported module and swap in its replacement, keeping outer decorators.

A target is matched by its code object (real path, first line, qualname). Decorators are walked
through closure cells, `__wrapped__` and attributes of callable objects; the cell or attribute that
holds the undecorated function is rebound, so the outer decorators now wrap the graph function,
the way `apply` places `@tf.function` directly above the `def`.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from types import FunctionType, ModuleType
from typing import Any

from tracehybrid.measure.inrun.tfbridge import is_tf_function
from tracehybrid.measure.targets import Target

#: (found object, target) -> replacement; the found object is the function or its tf.function.
Make = Callable[[Any, Target], Any]
MAX_DEPTH = 4
NESTED = ".<locals>."


class NotWrapped(Exception):  # noqa: N818 - a reason, not a failure of tracehybrid
    """The target exists but cannot be replaced; the message says why, for the report."""


@functools.cache
def _real(path: str) -> str:
    return os.path.realpath(path)


def code_key(obj: Any) -> tuple[str, int, str] | None:
    """(real path, first line, qualname) of a plain function's code object."""
    code = getattr(obj, "__code__", None) if isinstance(obj, FunctionType) else None
    if code is None:
        return None
    return (_real(code.co_filename), code.co_firstlineno, code.co_qualname)


def _matches(obj: Any, target: Target) -> bool:
    if is_tf_function(obj):
        obj = inspect.unwrap(obj.python_function)
    return code_key(obj) == target.code_key


class _Rebuilder:
    """One search for a target below one attribute; `make` is called once per object found."""

    def __init__(self, target: Target, make: Make) -> None:
        self.target = target
        self.make = make
        self.made: dict[int, Any] = {}
        self.seen: set[int] = set()

    def rebuild(self, value: Any, depth: int = 0) -> Any | None:
        """The replacement for VALUE (possibly VALUE itself, edited in place), or None."""
        if _matches(value, self.target):
            if id(value) not in self.made:
                self.made[id(value)] = self.make(value, self.target)
            return self.made[id(value)]
        if any(value is made for made in self.made.values()):
            return None  # a replacement already in place: its insides are the target itself
        if isinstance(value, (staticmethod, classmethod)):
            inner = self.rebuild(value.__func__, depth)
            return None if inner is None else type(value)(inner)
        if depth >= MAX_DEPTH or id(value) in self.seen or not callable(value):
            return None
        if isinstance(value, (type, ModuleType)):
            return None
        self.seen.add(id(value))
        found = self._in_closure(value, depth)
        found = self._in_attributes(value, depth) or found
        return value if found else None

    def _in_closure(self, value: Any, depth: int) -> bool:
        found = False
        for cell in getattr(value, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            new = self.rebuild(contents, depth + 1)
            if new is not None:
                found = True
                if new is not contents:
                    cell.cell_contents = new
                    _rewrap(value, contents, new)
        return found

    def _in_attributes(self, value: Any, depth: int) -> bool:
        found = False
        try:
            attributes = list(vars(value).items())
        except TypeError:
            return False
        for name, contents in attributes:
            if name in _REWRAPPED:  # TensorFlow's decorator record, copied by `_rewrap`
                continue
            new = self.rebuild(contents, depth + 1)
            if new is not None:
                found = True
                if new is not contents:
                    setattr(value, name, new)
                    _rewrap(value, contents, new)
        return found


#: What `functools.wraps` would have copied from a tf.function had it been decorated first.
_REWRAPPED = ("_tf_decorator", "__signature__", "__original_wrapped__")


def _rewrap(outer: Any, old: Any, new: Any) -> None:
    """An outer `functools.wraps` decorator now wraps NEW: point its `__wrapped__` there, and
    copy what `wraps` copies from a tf.function, so `tf_inspect` sees the decorated function."""
    if getattr(outer, "__wrapped__", None) is not old:
        return
    try:
        outer.__wrapped__ = new
        for name in _REWRAPPED:
            if hasattr(new, name):
                setattr(outer, name, getattr(new, name))
    except (AttributeError, TypeError):  # a read-only wrapper: introspection stays as it was
        pass


def _holder(module: ModuleType, dotted: str) -> tuple[Any, str]:
    """The module or class that holds the last name of DOTTED, and that name."""
    *outer, name = dotted.split(".")
    holder: Any = module
    for part in outer:
        holder = vars(holder).get(part) if hasattr(holder, "__dict__") else None
        if holder is None:
            raise NotWrapped(f"`{part}` of `{dotted}` is not defined at import time")
    if name not in vars(holder):
        raise NotWrapped(f"`{dotted}` is not an attribute of its module or class at import time")
    return holder, name


def replace_target(
    module: ModuleType, target: Target, make: Make, on_miss: Callable[[Target], None]
) -> tuple[Any, Any]:
    """Swap TARGET in MODULE; returns (old, new) of the attribute. Raises NotWrapped.

    A nested target is wrapped each time its factory returns it; ON_MISS is called when the
    factory returned something else (then the nested function cannot be reached).
    """
    if NESTED in target.qualname:
        return _wrap_factory(module, target, make, on_miss)
    holder, name = _holder(module, target.qualname)
    old = vars(holder)[name]
    new = _Rebuilder(target, make).rebuild(old)
    if new is None:
        raise NotWrapped(
            f"`{target.qualname}` is wrapped by an object tracehybrid cannot look into"
        )
    if new is not old:
        setattr(holder, name, new)
    return old, new


def _wrap_factory(
    module: ModuleType, target: Target, make: Make, on_miss: Callable[[Target], None]
) -> tuple[Any, Any]:
    """A nested function can be wrapped where its enclosing function returns it (a factory)."""
    outer_name, _, inner = target.qualname.partition(NESTED)
    if NESTED in inner or "." in inner or "." in outer_name:
        raise NotWrapped(
            f"`{target.qualname}` is nested more deeply than a module-level factory; its enclosing "
            "code would have to be rewritten to wrap it"
        )
    holder, name = _holder(module, outer_name)
    outer = vars(holder)[name]
    if not isinstance(outer, FunctionType) or is_tf_function(outer):
        raise NotWrapped(
            f"`{outer_name}`, which defines `{target.qualname}`, is not a plain function"
        )

    @functools.wraps(outer)
    def factory(*args: Any, **kwargs: Any) -> Any:
        result = outer(*args, **kwargs)
        rebuilt = _rebuild_returned(result, target, make)
        if rebuilt is None:
            on_miss(target)
            return result
        return rebuilt

    setattr(holder, name, factory)
    return outer, factory


def _rebuild_returned(result: Any, target: Target, make: Make) -> Any | None:
    """RESULT with the nested target replaced, or None when RESULT does not hold it."""
    rebuilder = _Rebuilder(target, make)
    if type(result) in (tuple, list):
        items = [rebuilder.rebuild(item) for item in result]
        if all(item is None for item in items):
            return None
        rebuilt = [new if new is not None else old for old, new in zip(result, items, strict=True)]
        return type(result)(rebuilt)
    return rebuilder.rebuild(result)


def replace_aliases(old: Any, new: Any, skip: ModuleType | None = None) -> int:
    """Rebind module globals that still name OLD (`from m import f` done before the patch)."""
    count = 0
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if module is skip or not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if value is old:
                namespace[name] = new
                count += 1
    return count
