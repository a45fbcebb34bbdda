"""Catalogue C (seed-tool.md §2.2): tensor (T) and Python literal (L) parameters, retracing."""

from __future__ import annotations

import textwrap

import pytest

from tracehybrid.static import FunctionFacts, analyze_source


def fn(source: str, qualname: str = "f") -> FunctionFacts:
    return analyze_source(textwrap.dedent(source)).function(qualname)


def t_and_l(function: FunctionFacts) -> tuple[str, bool]:
    return function.has_tensor_param.value, "TH193" in function.codes


def test_c40_called_with_ints_and_tensors_has_tensor_and_literal_parameters() -> None:
    f = fn(
        """
        import tensorflow as tf
        def f(x):
            return x
        f(1)
        f(2)
        f(tf.constant(1))
        f(tf.constant(2))
        """
    )
    assert t_and_l(f) == ("yes", True)
    assert f.param("x").literal.is_yes


def test_c41_called_only_with_tensors_has_no_literal_but_no_computation() -> None:
    f = fn("import tensorflow as tf\ndef f(x):\n    return x\nf(tf.constant(1))\n")
    assert t_and_l(f) == ("yes", False)
    assert "TH192" in f.codes  # HEAD semantics: the body runs no TensorFlow operation


def test_c42_hybrid_abs_called_with_ints_and_tensors() -> None:
    f = fn(
        """
        import tensorflow as tf
        @tf.function
        def f(x):
            return tf.abs(x)
        f(1)
        f(tf.constant(1))
        """
    )
    assert f.kind == "hybrid"
    assert t_and_l(f) == ("yes", True)
    assert "TH101" not in f.codes


def test_c43_same_with_print_has_a_side_effect() -> None:
    f = fn(
        """
        import tensorflow as tf
        @tf.function
        def f(x):
            print(x)
            return tf.abs(x)
        f(1)
        f(tf.constant(1))
        """
    )
    assert t_and_l(f) == ("yes", True)
    assert "TH101" in f.codes


def test_c44_hybrid_called_only_with_tensors_is_already_optimal() -> None:
    f = fn(
        "import tensorflow as tf\n@tf.function\ndef f(x):\n    return tf.abs(x)\n"
        "f(tf.constant(1))\n"
    )
    assert t_and_l(f) == ("yes", False)
    assert not f.codes


@pytest.mark.parametrize(
    ("calls", "literal"),
    [("f(True)\nf(False)", False), ("f(5, True)", True), ("f(7)", True)],
)
def test_c45_boolean_literals_are_ignored(calls: str, literal: bool) -> None:
    f = fn(f"import tensorflow as tf\ndef f(x, y=False):\n    return tf.abs(x)\n{calls}\n")
    assert ("TH193" in f.codes) is literal


@pytest.mark.parametrize(
    "argument",
    ["5", "'s'", "(1, 2)", "((1, 2), (3,))", "[1, 2]", "('a', 'b')", "LOCAL", "MODULE_VALUE"],
)
def test_c46_literal_kinds_that_count_as_primitive(argument: str) -> None:
    f = fn(
        f"""
        import tensorflow as tf
        MODULE_VALUE = 3
        def f(x):
            return tf.abs(x)
        def caller():
            LOCAL = 4
            f({argument})
        """
    )
    assert "TH193" in f.codes


def test_c46_an_object_without_fields_is_not_primitive() -> None:
    f = fn(
        """
        import tensorflow as tf
        class Empty:
            pass
        def f(x):
            return tf.abs(x)
        f(Empty())
        """
    )
    assert "TH193" not in f.codes


def test_c47_zero_parameter_function_has_no_tensor_and_no_literal_parameter() -> None:
    f = fn("import tensorflow as tf\ndef f():\n    return tf.constant(1)\nf()\n")
    assert t_and_l(f) == ("no", False)
    assert "TH191" in f.codes


@pytest.mark.parametrize("order", [("tf.constant(5)", "5"), ("5", "tf.constant(5)")])
def test_c48_tensor_and_int_at_different_calls_in_either_order(order: tuple[str, str]) -> None:
    f = fn(
        f"import tensorflow as tf\ndef f(x):\n    return tf.abs(x)\nf({order[0]})\nf({order[1]})\n"
    )
    assert t_and_l(f) == ("yes", True)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("(tf.constant(1), tf.constant(2))", ("yes", False)),
        ("(tf.constant(1), 1)", ("yes", True)),
        ("(1, tf.constant(1))", ("yes", True)),
        ("((tf.constant(1), tf.constant(2)), tf.constant(3))", ("yes", False)),
    ],
)
def test_c49_tuple_arguments(argument: str, expected: tuple[str, bool]) -> None:
    f = fn(f"import tensorflow as tf\n@tf.function\ndef f(t):\n    return t[0]\nf({argument})\n")
    assert t_and_l(f) == expected


def test_c49_tuple_of_ints_is_no_tensor_parameter() -> None:
    f = fn("import tensorflow as tf\n@tf.function\ndef f(t):\n    return t[0]\nf((1, 1))\n")
    assert t_and_l(f) == ("no", True)


def test_c50_tuple_hint_with_follow_flag_called_with_ints() -> None:
    f = fn(
        """
        import tensorflow as tf
        @tf.function(experimental_follow_type_hints=True)
        def f(t: tuple[tf.Tensor, tf.Tensor]):
            return t[0] + t[1]
        f((2, 2))
        """
    )
    assert t_and_l(f) == ("yes", True)


def test_c50_tuple_hint_without_flag_called_with_tensors() -> None:
    f = fn(
        """
        import tensorflow as tf
        @tf.function
        def f(t: tuple[tf.Tensor, tf.Tensor]):
            return t[0] + t[1]
        f((tf.constant(1), tf.constant(2)))
        """
    )
    assert t_and_l(f) == ("yes", False)


@pytest.mark.parametrize(
    ("decorator", "tensor"),
    [
        ("@tf.function(experimental_follow_type_hints=True)", "yes"),
        ("@tf.function", "yes"),
        ("@tf.function(experimental_follow_type_hints=False)", "no"),
    ],
)
def test_c51_tensor_hint_honoured_unless_the_decorator_says_false(
    decorator: str, tensor: str
) -> None:
    # With the flag explicitly False the hint is ignored (the seed tool's bug #111).
    f = fn(f"import tensorflow as tf\n{decorator}\ndef f(x: tf.Tensor):\n    return x + 1\nf(5)\n")
    assert f.has_tensor_param.value == tensor
    assert "TH193" in f.codes


@pytest.mark.parametrize(
    ("loop", "expected"),
    [
        ("for i in tf.range(3):\n    f(i)", ("yes", False)),
        ("for i in [tf.constant(1), tf.constant(2)]:\n    f(i)", ("yes", False)),
        ("for i in [1, 2]:\n    f(i)", ("no", True)),
    ],
)
def test_c52_elements_of_tf_range_and_of_python_lists(
    loop: str, expected: tuple[str, bool]
) -> None:
    f = fn(f"import tensorflow as tf\ndef f(x):\n    return tf.abs(x)\n{loop}\n")
    assert t_and_l(f) == expected


@pytest.mark.parametrize(
    "argument",
    [
        "tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])",
        "[tf.constant(1)]",
        "[tf.constant(1)][0]",
    ],
)
def test_c53_while_loop_results_and_lists_wrapping_tensors(argument: str) -> None:
    f = fn(f"import tensorflow as tf\ndef f(x):\n    return x\nf({argument})\n")
    assert f.has_tensor_param.is_yes


@pytest.mark.parametrize(
    "producer",
    [
        "for e in tf.data.Dataset.range(3).map(lambda v: v * 2):\n    f(e)",
        "for e in tf.data.Dataset.range(3).filter(lambda v: v > 0):\n    f(e)",
        "f(tf.data.Dataset.range(3).reduce(0, lambda a, b: a + b))",
        "for i, e in enumerate(tf.data.Dataset.range(3)):\n    f(e)",
        "f(next(iter(tf.data.Dataset.from_tensors([1, 2]))))",
        "for e in tf.data.TextLineDataset(['a.txt']):\n    f(e)",
        "for e in tf.data.Dataset.range(9).shuffle(3).batch(2):\n    f(e)",
        "for e in tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(2)):\n    f(e)",
    ],
)
def test_c54_values_from_tf_data_pipelines_are_tensors(producer: str) -> None:
    f = fn(f"import tensorflow as tf\ndef f(x):\n    return x\n{producer}\n")
    assert t_and_l(f) == ("yes", False)


def test_c55_argument_of_a_function_wrapping_a_keras_layer_call() -> None:
    f = fn(
        """
        import tensorflow as tf
        conv = tf.keras.layers.Conv2D(100, 3)
        def f(image):
            return conv(image)
        image = tf.zeros([1, 200, 200, 100])
        f(image)
        """
    )
    assert f.has_tensor_param.is_yes
    assert f.tensor_computation.is_yes


@pytest.mark.parametrize(
    "argument",
    [
        "tf.ones([2])",
        "tf.zeros([2])",
        "tf.constant(1)",
        "tf.Variable(1.0)",
        "tf.fill([2], 1)",
        "tf.eye(2)",
        "tf.one_hot([1], 2)",
        "tf.convert_to_tensor([1])",
        "tf.range(3)",
        "tf.zeros_like(tf.ones([1]))",
        "tf.random.uniform([2])",
        "tf.random.normal([2])",
        "tf.random.gamma([2], 1.0)",
        "tf.random.poisson([2], 1.0)",
        "tf.random.truncated_normal([2])",
        "tf.SparseTensor([[0]], [1], [1])",
        "tf.sparse.eye(2)",
        "tf.RaggedTensor.from_row_splits([1, 2], [0, 2])",
        "tensorflow.ones([2])",
        "math_ops.reduce_sum([1])",
        "tfm.abs(-1)",
    ],
)
def test_c56_arguments_created_by_tf_apis_in_several_import_styles(argument: str) -> None:
    f = fn(
        f"""
        import tensorflow as tf
        import tensorflow
        from tensorflow.python.ops import math_ops
        from tensorflow import math as tfm
        def f(x):
            return x
        f({argument})
        """
    )
    assert f.has_tensor_param.is_yes, f.has_tensor_param


def test_c56_first_parameter_receiving_an_int_beside_tensor_ones() -> None:
    f = fn("import tensorflow as tf\ndef f(a, b):\n    return a + b\nf(5, tf.ones([1]))\n")
    assert t_and_l(f) == ("yes", True)
    assert f.param("a").tensor.value == "no"


def test_c57_closure_only_function_has_no_tensor_parameter() -> None:
    f = fn(
        "import tensorflow as tf\nx = tf.constant(1)\ny = tf.constant(2)\n"
        "def f():\n    return x + y\nf()\n"
    )
    assert f.has_tensor_param.value == "no"
    assert "TH191" in f.codes
    assert f.tensor_computation.is_yes


def test_c58_hybrid_never_called_has_an_unknown_tensor_parameter() -> None:
    f = fn("import tensorflow as tf\n@tf.function\ndef f(x):\n    return x\n")
    assert f.has_tensor_param.value == "unknown"
    assert f.has_tensor_param.reason
    assert "TH191" not in f.codes
