"""What AutoGraph stages and what it cannot: the conditions under which a tensor loop is TH181."""

# `tf.function` converts Python control flow with AutoGraph, so most tensor loops are no blocker.
# Measured with TF 2.21; tests/autograph/ runs each example eagerly and under `tf.function`
# (TH184-TH186: test_stale_dynamic_leak.py).
#
# construct                                         under tf.function (AutoGraph on)       code
# `for v in t` (t a tensor), accumulating a tensor  tf.while_loop, equal results           none
# `for i in tf.range(n)`, `for v in dataset`        tf.while_loop / dataset loop, equal    none
# `for v in [a, b]`, `for i in range(3)`            unrolled while tracing, equal          none
# `while` / `if` on a tensor condition              tf.while_loop / tf.cond, equal         none
# `break`, `continue` in a tensor loop              converted, equal                       none
# `return` in a tensor `for` / `while`              NotImplementedError                    TH181
# Python list appended in a tensor loop             InaccessibleTensorError when read      TH181
# comprehension over a tensor; `list`, `tuple`,     OperatorNotAllowedInGraphError         TH181
#   `sorted`, `enumerate`, `zip` of a tensor
# `len(t)`                                          the static first dimension             none
# `bool(t)`                                         OperatorNotAllowedInGraphError         TH132
# `int(t)`                                          int32 tensor: `x * int(t)` TypeError   TH132
# `float(t)`                                        float32 tensor: float64 precision lost TH132
# `assert` on a tensor                              OperatorNotAllowedInGraphError         TH183
# `tf.sqrt(x, tf.float32)` (a dtype as `name`)      TypeError                              TH182
# `.numpy()`, NumPy on a tensor                     AttributeError, NotImplementedError    TH131/133
# `model.trainable_variables` read before a lazy    tf_keras optimizer: 2nd trace makes    TH184
#   model's first call, fed to `apply_gradients`      slots, ValueError; eager skips the
#                                                     empty update (Keras 3: raises eagerly)
# `exec(code)`                                      NameError on a module global, else     TH185
#                                                     runs once per trace
# `globals()[k] = t`                                keeps the trace's symbolic tensor      TH185
# `eval(expr)`                                      equal, evaluated in the caller's scope TH185
#                                                     (kept: the string's effects unknown)
# reading a tensor a tf.function leaked to a        TypeError "out of scope", eagerly too  TH186
#   global                                            (reported, never blocks)
#
# Left to the graph run's proof rather than blocked here, because they raise on the first traced
# call and never differ silently: a loop variable whose dtype or shape changes across iterations
# (`s = 0` summing floats: TypeError; growth by `tf.concat`: ValueError) and a variable set in one
# branch of a tensor `if` only (ValueError).

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping

from tracehybrid.static.summary import ParamSummary
from tracehybrid.static.values import Val, ValKind, is_tensorish

# Builtins that iterate a tensor argument in Python, which a symbolic tensor refuses in a graph.
ITERATING_BUILTINS = frozenset(
    {"list", "tuple", "sorted", "reversed", "set", "frozenset", "enumerate", "zip"}
)
LIST_GROWERS = frozenset({"append", "extend", "insert"})
PYTHON_COLLECTIONS = frozenset(
    {"Sequence", "MutableSequence", "Iterable", "Iterator", "Collection", "list", "List", "tuple"}
    | {"Tuple", "dict", "Dict", "Mapping", "set", "Set", "frozenset"}
)


def is_staged_iterable(val: Val) -> bool:
    """Iterating `val` in a graph makes a staged loop: a tf.range or a dataset (never unrolled)."""
    return val.kind in (ValKind.TFRANGE, ValKind.DATASET, ValKind.DATASET_ITER)


def is_tensor_loop(iterable: ast.expr, source: Val, params: Mapping[str, ParamSummary]) -> bool:
    """A `for` loop that AutoGraph stages: over a tf.range, a dataset, or a tensor parameter's
    value named directly (`for v in x`), unless that parameter is annotated as a collection."""
    if is_staged_iterable(source):
        return True
    from_param = any(t.startswith("p:") for t in source.taint)
    named = isinstance(iterable, ast.Name) and from_param and is_tensorish(source)
    return named and not is_python_collection(source, params)


def is_tensor_parameter(val: Val, params: Mapping[str, ParamSummary]) -> bool:
    """A parameter annotated as a tensor. TF ops that return Python lists (`tf.unstack`,
    `tape.gradient`) look like tensors here, and so do parameters that hold lists of tensors,
    so only the annotation makes iterating one in Python a certain graph error."""
    param = params.get(val.origin.removeprefix("param:"))
    if not val.origin.startswith("param:") or param is None or not param.hint_tensor:
        return False
    return not is_python_collection(val, params)  # `Sequence[tf.Tensor]` is a hint too


def is_python_collection(val: Val, params: Mapping[str, ParamSummary]) -> bool:
    """A parameter annotated as a collection (`Sequence[tf.Variable]`): a loop over it unrolls."""
    param = params.get(val.origin.removeprefix("param:"))
    if not val.origin.startswith("param:") or param is None or not param.annotation:
        return False
    head = param.annotation.split("[", 1)[0].rsplit(".", 1)[-1]
    return head in PYTHON_COLLECTIONS


def _own_nodes(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of the loop body, except inside nested functions, lambdas and classes."""
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            ):
                stack.append(child)


def unstageable_loop_body(statements: list[ast.stmt], lookup: Callable[[str], Val]) -> str | None:
    """Why AutoGraph cannot turn a loop with this body into a tf.while_loop, or None if it can."""
    for node in _own_nodes(statements):
        if isinstance(node, ast.Return):
            return "has a `return` inside it"
        grown = _grown_python_list(node, lookup)
        if grown:
            return f"appends to the Python list `{grown}` inside it"
    return None


def _grown_python_list(node: ast.AST, lookup: Callable[[str], Val]) -> str:
    """The name of a Python list that `node` grows (`out.append(v)`, `out += [v]`), or ''."""
    target: ast.expr | None = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in LIST_GROWERS:
            target = node.func.value
    elif isinstance(node, ast.AugAssign) and isinstance(node.value, ast.List | ast.ListComp):
        target = node.target
    if isinstance(target, ast.Name) and lookup(target.id).kind is ValKind.CONTAINER:
        return target.id
    return ""
