"""Catalogue B (seed-tool.md §2.2): recursion, direct and mutual, through the call graph."""

from __future__ import annotations

import textwrap

from tracehybrid.static import ProjectFacts, analyze_source


def facts(source: str) -> ProjectFacts:
    return analyze_source(textwrap.dedent(source))


def test_b34_directly_recursive_function_with_a_tensor_is_recursive() -> None:
    f = facts(
        """
        import tensorflow as tf
        def f(x):
            if x > 0:
                return f(x - 1)
            return x
        f(tf.constant(3))
        """
    ).function("f")
    assert f.recursive.is_yes
    assert "TH161" in f.codes
    assert f.has_tensor_param.is_yes


def test_b35_calling_abs_instead_of_itself_is_not_recursive() -> None:
    f = facts(
        "import tensorflow as tf\ndef f(x):\n    return abs(x)\nf(tf.constant(-3))\n"
    ).function("f")
    assert f.recursive.value == "no"
    assert "TH161" not in f.codes
    assert f.has_tensor_param.is_yes


def test_b36_mutual_recursion_is_recursive_for_both() -> None:
    project = facts(
        """
        import tensorflow as tf
        def f(x):
            return g(x - 1) if x > 0 else x
        def g(x):
            return f(x - 1) if x > 0 else x
        f(tf.constant(5))
        """
    )
    for name in ("f", "g"):
        function = project.function(name)
        assert function.recursive.is_yes, name
        assert "TH161" in function.codes
    assert "f -> g -> f" in project.function("f").recursive.reason or "g -> f -> g" in (
        project.function("f").recursive.reason
    )


def test_b37_hybrid_recursive_function_is_recursive_and_its_twin_is_not() -> None:
    project = facts(
        """
        import tensorflow as tf
        @tf.function
        def rec(x):
            if x > 0:
                return rec(x - 1)
            return x
        @tf.function
        def twin(x):
            return tf.abs(x)
        rec(tf.constant(3))
        twin(tf.constant(3))
        """
    )
    rec, twin = project.function("rec"), project.function("twin")
    assert rec.kind == twin.kind == "hybrid"
    assert "TH161" in rec.codes and "TH193" not in rec.codes
    assert "TH161" not in twin.codes and "TH193" not in twin.codes


def test_b38_eager_recursive_printing_function_on_an_int() -> None:
    f = facts(
        """
        import tensorflow as tf
        def f(n):
            print(n)
            tf.print(n)
            return f(n - 1) if n else 0
        f(3)
        """
    ).function("f")
    assert {"TH191", "TH101", "TH161", "TH193"} <= f.codes


def test_b39_hybrid_recursive_function_on_an_int_with_tf_print_or_print() -> None:
    project = facts(
        """
        import tensorflow as tf
        @tf.function
        def quiet(n):
            tf.print(n)
            return quiet(n - 1) if n else 0
        @tf.function
        def loud(n):
            print(n)
            return loud(n - 1) if n else 0
        quiet(3)
        loud(3)
        """
    )
    quiet, loud = project.function("quiet"), project.function("loud")
    assert quiet.has_tensor_param.value == "no" and "TH191" in quiet.codes
    assert "TH101" not in quiet.codes
    assert "TH101" in loud.codes and loud.has_tensor_param.value == "no"
