"""Catalogue D (seed-tool.md §2.2): recognising tf.function and reading its arguments' values."""

from __future__ import annotations

import textwrap

import pytest

from tracehybrid.static import FunctionFacts, SpecFacts, analyze_source


def fn(source: str, qualname: str = "f") -> FunctionFacts:
    return analyze_source(textwrap.dedent(source)).function(qualname)


@pytest.mark.parametrize(
    ("imports", "decorator"),
    [
        ("import tensorflow as ta", "@ta.function"),
        ("import tensorflow", "@tensorflow.function"),
        ("from tensorflow import function", "@function"),
        ("from tensorflow import *", "@function"),
        ("import tensorflow as tf", "@tf.function(autograph=True)"),
        ("import tensorflow.compat.v2 as tf", "@tf.function"),
    ],
)
def test_d59_tf_function_through_every_import_style_is_hybrid(imports: str, decorator: str) -> None:
    f = fn(f"{imports}\n{decorator}\ndef f(x):\n    return x\n")
    assert f.kind == "hybrid"
    assert f.hybrid is not None and f.hybrid.line == 2


@pytest.mark.parametrize(
    "source",
    [
        "def function(f):\n    return f\n@function\ndef f(x):\n    return x\n",
        "import tf\n@tf.function\ndef f(x):\n    return x\n",
        "from tf import function\n@function\ndef f(x):\n    return x\n",
        "import tensorflow as tf\nclass tf:\n    function = staticmethod(lambda g: g)\n"
        "@tf.function\ndef f(x):\n    return x\n",
    ],
)
def test_d60_user_decorators_or_local_tf_modules_are_not_hybrid(source: str) -> None:
    assert fn(source).kind == "eager"


@pytest.mark.parametrize(
    "decorators",
    [
        "@tf.function\n@functools.lru_cache",
        "@functools.lru_cache\n@tf.function",
    ],
)
def test_d61_stacked_with_an_unrelated_decorator_in_either_order(decorators: str) -> None:
    f = fn(f"import functools\nimport tensorflow as tf\n{decorators}\ndef f(x):\n    return x\n")
    assert f.kind == "hybrid"
    assert f.first_line == 3
    assert f.line == 5


@pytest.mark.parametrize(
    "decorator",
    ["@tensorflow.autograph.experimental.do_not_convert", "@pytest.mark.parametrize('a', [1])"],
)
def test_d61_dotted_unrelated_decorators_are_not_hybrid(decorator: str) -> None:
    f = fn(f"import pytest\nimport tensorflow\n{decorator}\ndef f(a):\n    return a\n")
    assert f.kind == "eager"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("", set()),
        ("input_signature=[tf.TensorSpec([None], tf.float32)]", {"input_signature"}),
        (
            "experimental_autograph_options=tf.autograph.experimental.Feature.ALL",
            {"experimental_autograph_options"},
        ),
        ("experimental_follow_type_hints=True", {"experimental_follow_type_hints"}),
        ("experimental_implements='embedded_matmul'", {"experimental_implements"}),
        ("jit_compile=True", {"jit_compile"}),
        ("reduce_retracing=True", {"reduce_retracing"}),
        ("autograph=False", {"autograph"}),
        (
            "input_signature=[tf.TensorSpec([None])], autograph=False",
            {"input_signature", "autograph"},
        ),
    ],
)
def test_d62_each_decorator_argument_is_recognised_exactly(
    arguments: str, expected: set[str]
) -> None:
    decorator = f"@tf.function({arguments})" if arguments else "@tf.function"
    f = fn(f"import tensorflow as tf\n{decorator}\ndef f(x):\n    return x\n")
    assert f.hybrid is not None
    assert set(f.hybrid.arguments) == expected
    assert f.hybrid.form == ("decorator_call" if arguments else "decorator")


def test_d62_values_not_just_presence() -> None:
    f = fn(
        """
        import tensorflow as tf
        @tf.function(
            input_signature=(tf.TensorSpec(shape=[None, 3], dtype=tf.int64, name="x"),
                             tf.RaggedTensorSpec([2, None], tf.string),
                             tf.SparseTensorSpec(None, tf.float64)),
            autograph=False, jit_compile=False, experimental_relax_shapes=True,
            experimental_follow_type_hints=False)
        def f(x, r, s):
            return x
        """
    )
    hybrid = f.hybrid
    assert hybrid is not None
    assert hybrid.input_signature == [
        SpecFacts("TensorSpec", (None, 3), "int64", "x"),
        SpecFacts("RaggedTensorSpec", (2, None), "string", None),
        SpecFacts("SparseTensorSpec", None, "float64", None),
    ]
    assert (hybrid.autograph, hybrid.jit_compile, hybrid.reduce_retracing) == (False, False, True)
    assert hybrid.follow_type_hints is False
    assert hybrid.to_dict()["input_signature"][0]["shape"] == [None, 3]


def test_d62_positional_arguments_map_to_tf_function_parameter_names() -> None:
    f = fn(
        """
        import tensorflow as tf
        def g(x):
            return x
        h = tf.function(g, [tf.TensorSpec([1])], False)
        """,
        "g",
    )
    assert f.hybrid is not None and f.hybrid.form == "higher_order"
    assert f.hybrid.arguments == {
        "func": "g",
        "input_signature": "[tf.TensorSpec([1])]",
        "autograph": "False",
    }
    assert f.hybrid.autograph is False and f.hybrid.line == 5


def test_d62_a_non_literal_signature_is_unknown_with_a_reason() -> None:
    f = fn(
        "import tensorflow as tf\nSIG = []\n"
        "@tf.function(input_signature=SIG)\ndef f(x):\n    return x\n"
    )
    assert f.hybrid is not None
    assert f.hybrid.input_signature is None
    assert f.hybrid.input_signature_unknown is not None


def test_d62_custom_decorator_taking_input_signature_is_not_hybrid() -> None:
    f = fn(
        """
        import tensorflow as tf
        def custom(input_signature=None):
            return lambda g: g
        @custom(input_signature=[tf.TensorSpec([None])])
        def f(x):
            return x
        """
    )
    assert f.kind == "eager" and f.hybrid is None


def test_d62_custom_decorator_on_a_real_tf_function_keeps_only_its_arguments() -> None:
    f = fn(
        """
        import tensorflow as tf
        def custom(input_signature=None):
            return lambda g: g
        @custom(input_signature=[tf.TensorSpec([None])])
        @tf.function(autograph=False)
        def f(x):
            return x
        """
    )
    assert f.hybrid is not None
    assert f.hybrid.arguments == {"autograph": "False"}


def test_d62_higher_order_use_at_module_and_class_level() -> None:
    project = analyze_source(
        textwrap.dedent(
            """
            import tensorflow as tf
            def g(x):
                return tf.abs(x)
            tf.function(g, jit_compile=True)
            class M(tf.Module):
                def step(self, x):
                    return x * 2
                step = tf.function(step, reduce_retracing=True)
            """
        )
    )
    g = project.function("g")
    assert g.kind == "hybrid" and g.hybrid is not None and g.hybrid.jit_compile is True
    step = project.function("M.step")
    assert step.hybrid is not None
    assert (step.hybrid.form, step.hybrid.reduce_retracing) == ("higher_order", True)


@pytest.mark.parametrize(
    "argument",
    [
        "experimental_relax_shapes=True",
        "experimental_compile=True",
        "experimental_implements='x'",
        "experimental_autograph_options=None",
        "experimental_follow_type_hints=True",
    ],
)
def test_d63_deprecated_arguments_do_not_disturb_tensor_inference(argument: str) -> None:
    f = fn(
        f"import tensorflow as tf\n@tf.function({argument})\ndef f(x):\n"
        "    return tf.abs(x)\nf(tf.constant(1))\n"
    )
    assert f.has_tensor_param.is_yes
    assert f.hybrid is not None and argument.split("=", maxsplit=1)[0] in f.hybrid.arguments
    if argument == "experimental_relax_shapes=True":
        assert f.hybrid.reduce_retracing is True
    if argument == "experimental_compile=True":
        assert f.hybrid.jit_compile is True
