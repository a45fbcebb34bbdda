"""Catalogue E (seed-tool.md §2.2): speculative (name-based) tensor parameters, always flagged."""

from __future__ import annotations

import textwrap

import pytest

from tracehybrid.static import FunctionFacts, analyze_source


def fn(source: str, qualname: str) -> FunctionFacts:
    return analyze_source(textwrap.dedent(source)).function(qualname)


@pytest.mark.parametrize("name", ["training_step", "testing_step"])
def test_e64_step_functions_called_with_booleans_are_speculatively_tensor(name: str) -> None:
    f = fn(
        f"""
        import tensorflow as tf
        @tf.function
        def {name}(a):
            tf.print(a)
        {name}(True)
        """,
        name,
    )
    assert f.has_tensor_param.is_yes
    assert f.speculative
    assert "TH191" not in f.codes and "TH193" not in f.codes


def test_e65_step_function_without_parameters_is_not_speculated() -> None:
    f = fn(
        "import tensorflow as tf\n@tf.function\ndef training_step():\n"
        "    tf.print(1)\ntraining_step()\n",
        "training_step",
    )
    assert f.speculative is None
    assert f.has_tensor_param.value == "no"
    assert "TH191" in f.codes


def test_e66_keras_model_call_invoked_with_false_is_speculatively_tensor() -> None:
    f = fn(
        """
        import tensorflow as tf
        class M(tf.keras.Model):
            def call(self, x):
                return x
        M()(False)
        """,
        "M.call",
    )
    assert f.param("x").tensor.is_yes
    assert f.param("self").tensor.value == "no"
    assert f.speculative and "Keras" in f.speculative
    assert f.is_candidate


def test_e66_dunder_call_on_a_class_that_is_not_a_model_has_no_tensor_parameter() -> None:
    f = fn(
        """
        class Plain:
            def __call__(self, x):
                return x
        Plain()(False)
        """,
        "Plain.__call__",
    )
    assert f.has_tensor_param.value == "no"
    assert f.speculative is None


@pytest.mark.parametrize(
    "header",
    [
        "import tensorflow as tf\nclass C(tf.keras.Model):",
        "from tensorflow.keras import Model as KM\nclass C(KM):",
        "import tensorflow as tf\nclass Base(tf.keras.Model):\n    pass\nclass C(Base):",
        "import tensorflow as tf\nclass Mixin:\n    pass\nclass C(Mixin, tf.keras.Model):",
        "import keras\nclass C(keras.layers.Layer):",
    ],
)
def test_e66_model_subclasses_directly_via_alias_intermediate_or_multiple(header: str) -> None:
    f = fn(f"{header}\n    def __call__(self, x):\n        return x\n", "C.__call__")
    assert f.param("x").tensor.is_yes
    assert f.speculative
