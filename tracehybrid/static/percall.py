"""A `tf.function` created anew on every call of its enclosing function: how its result is used.

A new `tf.function` object starts with an empty trace cache, so one created in a body and
called there traces on every call of that body (TensorFlow warns "5 out of the last 5 calls
triggered retracing"). The walker says which nodes create a tf.function; this module reads the
enclosing body to judge whether the new object only lives for that one call.

Not flagged, on purpose (each keeps the object, or runs rarely):
- the result escapes: returned uncalled (a factory whose caller keeps it), stored on an
  attribute or in a container (`self._fn = ...`, `cache[key] = ...`), declared `global` or
  `nonlocal`, passed to another call, or used in any way besides being called;
- the enclosing function is cached (`functools.lru_cache`, `cache`, `cached_property`), runs once
  (`@once`), is set-up (`__init__`, `build`, ...), or is itself a tf.function (it creates the
  inner one per trace, not per call);
- module and class level: the tf.function is created once, at import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from tracehybrid.static.context import SETUP_METHODS, dotted
from tracehybrid.static.summary import FuncSummary, LocalFinding

PER_CALL = "TH197"

#: Decorators after which the enclosing function's body does not run on every call.
CACHING_DECORATORS = frozenset(
    {"lru_cache", "cache", "cached_property", "once", "run_once", "call_once", "memoize"}
)
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True, slots=True)
class PerCallUse:
    """Where a tf.function created in a body is called in that same body."""

    line: int  # of the first call
    text: str  # how it is called, e.g. `_run(x)` or `tf.function(f)(x)`


def flag_per_call_hybrids(
    node: FunctionNode,
    fs: FuncSummary,
    created: list[tuple[ast.AST, str]],
    by_ref: dict[str, FuncSummary],
) -> None:
    """TH197 on each tf.function `fs`'s body creates and calls on every call: on the wrapped
    function when this module defines it, else (a lambda, an import) on `fs` itself."""
    if not created or not runs_every_call(node, fs.qualname, fs.hybrid is not None):
        return
    for creation, ref in created:
        inner = by_ref.get(ref) if ref else None
        if isinstance(creation, ast.FunctionDef | ast.AsyncFunctionDef):
            if inner is None or inner.hybrid is None or inner.hybrid.form == "higher_order":
                continue  # not a tf.function, or made one by a call (judged as that call)
            use = use_of_def(node.body, creation.name)
            made = f"`{creation.name}`, a `@tf.function` defined at line {creation.lineno},"
        elif isinstance(creation, ast.Call):
            use = use_of_call(node.body, creation)
            made = f"`{_short(ast.unparse(creation))}` at line {creation.lineno}"
        else:
            continue
        if use is None:
            continue
        message = (
            f"{made} is created anew on every call of `{fs.qualname}` and called there as "
            f"`{_short(use.text)}` (line {use.line}): each new tf.function starts with an "
            f"empty trace cache, so each call of `{fs.qualname}` traces it again"
        )
        owner = inner if inner is not None else fs
        owner.findings.append(LocalFinding(PER_CALL, message, creation.lineno))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def runs_every_call(node: FunctionNode, qualname: str, is_hybrid: bool) -> bool:
    """False for a body that runs once (cached, set-up) or only while tracing (a tf.function)."""
    if is_hybrid or qualname.rsplit(".", 1)[-1] in SETUP_METHODS:
        return False
    return not any(decorator_name(d) in CACHING_DECORATORS for d in node.decorator_list)


def decorator_name(decorator: ast.expr) -> str:
    """The last part of a decorator's name: `lru_cache` for `@functools.lru_cache(maxsize=8)`."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return dotted(target).rsplit(".", 1)[-1]


def use_of_def(body: list[ast.stmt], name: str) -> PerCallUse | None:
    """The first call of the local `name` when calling it is all the body does with it."""
    return _only_called(body, name)


def use_of_call(body: list[ast.stmt], call: ast.Call) -> PerCallUse | None:
    """How the result of the `tf.function(...)` `call` is used: called at once, or bound to a
    plain local name that is only called; None when it escapes or is never called."""
    for node in _own_nodes(body):
        if isinstance(node, ast.Call) and node.func is call:
            return PerCallUse(node.lineno, ast.unparse(node))
        if isinstance(node, ast.Assign) and node.value is call:
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                return _only_called(body, node.targets[0].id)
            return None
        if isinstance(node, ast.AnnAssign) and node.value is call:
            target = node.target
            return _only_called(body, target.id) if isinstance(target, ast.Name) else None
    return None


def _only_called(body: list[ast.stmt], name: str) -> PerCallUse | None:
    """The first call of `name`, unless the name is used any other way (returned, stored,
    passed on, declared global or nonlocal): then the object may outlive this call."""
    first: ast.Call | None = None
    called: set[int] = set()
    loads: list[ast.Name] = []
    for node in _own_nodes(body):
        if isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == name:
                called.add(id(node.func))
                if first is None or node.lineno < first.lineno:
                    first = node
        elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            loads.append(node)
    if first is None or any(id(load) not in called for load in loads):
        return None
    return PerCallUse(first.lineno, ast.unparse(first))


def _own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of `body` outside nested functions, classes and lambdas (their own scopes),
    though a nested scope's reads of a name still count: a closure that uses the local keeps
    it. Decorators and default values of nested defs run in this body, so they are included."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPE_NODES):
            stack.extend(_escaping_reads(node))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _escaping_reads(scope: ast.AST) -> Iterator[ast.AST]:
    """A nested scope's parts that run in the enclosing body, and its bare name reads (which
    the caller treats as escapes, since the inner scope may keep the object)."""
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        yield from scope.decorator_list
        yield from scope.args.defaults
        yield from (d for d in scope.args.kw_defaults if d is not None)
    elif isinstance(scope, ast.ClassDef):
        yield from scope.decorator_list
        yield from scope.bases
    for inner in ast.walk(scope):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
            yield ast.Name(id=inner.id, ctx=ast.Load(), lineno=inner.lineno)
