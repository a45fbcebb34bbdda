"""Property: on generated modules, apply edits only decorator and import lines, idempotently."""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehybrid.apply import Edit, EditKind, FunctionTarget, Success, transform_source

IMPORT_STYLES = {
    "": "",
    "import tensorflow as tf": "tf.function",
    "import tensorflow as tfx": "tfx.function",
    "import tensorflow": "tensorflow.function",
    "from tensorflow import function": "function",
}
OTHER_DECORATORS = ["@functools.cache", "@register('step')", "@staticmethod", "@log  # traced"]
STATEMENTS = [
    "x = x + 1",
    "y = [i * 2 for i in range(3)]  # list",
    "# a comment line",
    "if x:\n    x = -x",
    "z = {'a': (1, 2)}",
    "for _ in range(2):\n    pass  # loop",
]
NEW_DECORATOR = "@tf.function(reduce_retracing=True)"


@dataclass(frozen=True)
class Function:
    qualname: str
    comments_above: list[str]
    decorators: list[str]
    hybrid: bool
    body: list[str]
    blank_lines_before: int


def _function_text(function: Function, spelling: str) -> list[str]:
    lines = [""] * function.blank_lines_before + function.comments_above
    decorators = list(function.decorators)
    if function.hybrid:
        decorators.append(f"@{spelling}")
    name = function.qualname.rsplit(".", 1)[-1]
    lines += [*decorators, f"def {name}(x):  # {name}"]
    for statement in function.body:
        lines += ["    " + part for part in statement.splitlines()]
    lines.append("    return x")
    if "." in function.qualname:  # a method: indent the whole function into the class
        return [f"    {line}" if line else line for line in lines]
    return lines


@st.composite
def modules(draw: st.DrawFn) -> tuple[str, list[Function]]:
    style = draw(st.sampled_from(sorted(IMPORT_STYLES)))
    header = draw(
        st.sampled_from(
            ["", '"""Generated."""', '"""Generated."""\nfrom __future__ import annotations']
        )
    )
    count = draw(st.integers(1, 5))
    in_class = draw(st.booleans())
    functions = [
        Function(
            qualname=f"Model.f{i}" if in_class else f"f{i}",
            comments_above=draw(st.lists(st.sampled_from(["# note", "#: doc"]), max_size=2)),
            decorators=draw(st.lists(st.sampled_from(OTHER_DECORATORS), max_size=2, unique=True)),
            hybrid=bool(style) and draw(st.booleans()),
            body=draw(st.lists(st.sampled_from(STATEMENTS), max_size=4)),
            blank_lines_before=draw(st.integers(0, 2)),
        )
        for i in range(count)
    ]
    lines = [part for part in (header, "import functools\nimport os", style) if part]
    if in_class:
        lines += ["", "", "class Model:", "    attribute = 1"]
    for function in functions:
        lines += _function_text(function, IMPORT_STYLES[style])
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join("\n".join(lines).splitlines()) + newline, functions


def _edits(functions: list[Function], *, undo: bool) -> list[Edit]:
    edits = []
    for function in functions:
        kind: EditKind = "convert" if not function.hybrid else "optimize"
        if undo:
            kind = "convert" if function.hybrid else "dehybridize"
        edits.append(Edit(FunctionTarget(function.qualname, 1), kind, NEW_DECORATOR))
    return edits


def _is_decorator_or_import(line: str) -> bool:
    text = line.strip()
    decorator = text.startswith("@") and "function" in text
    tf_import = text.startswith(("import tensorflow", "from tensorflow"))
    return not text or decorator or tf_import


def _changed_lines(before: str, after: str) -> list[str]:
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    changed = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed += old[i1:i2] + new[j1:j2]
    return changed


def _without_tf_imports(source: str) -> str:
    tree = ast.parse(source)
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Import) and node.names[0].name == "tensorflow")
        and not (isinstance(node, ast.ImportFrom) and node.module == "tensorflow")
    ]
    return ast.dump(tree)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_apply_changes_only_decorator_and_import_lines(module: tuple[str, list[Function]]) -> None:
    source, functions = module
    result = transform_source(source, _edits(functions, undo=False))
    assert isinstance(result, Success), result
    compile(result.new_source, "<generated>", "exec")
    assert all(_is_decorator_or_import(line) for line in _changed_lines(source, result.new_source))
    if "\r\n" in source:
        assert result.new_source.count("\n") == result.new_source.count("\r\n")
    again = transform_source(result.new_source, _edits(functions, undo=False))
    assert isinstance(again, Success)
    assert again.new_source == result.new_source


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_convert_then_dehybridize_restores_the_code(module: tuple[str, list[Function]]) -> None:
    source, functions = module
    eager = [f for f in functions if not f.hybrid]
    converted = transform_source(source, _edits(eager, undo=False))
    assert isinstance(converted, Success)
    restored = transform_source(converted.new_source, _edits(eager, undo=True))
    assert isinstance(restored, Success)
    assert _without_tf_imports(restored.new_source) == _without_tf_imports(source)
