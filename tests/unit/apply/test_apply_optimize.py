"""Optimize: the existing `tf.function` decorator gets new arguments and keeps the others."""

from __future__ import annotations

from codemod_case import assert_codemod, assert_skip, edit

RELAX = "@tf.function(reduce_retracing=True)"
SIGNATURE = "@tf.function(input_signature=[tf.TensorSpec(shape=[None, 3], dtype=tf.float32)])"
SHORT_SIGNATURE = "@tf.function(input_signature=[tf.TensorSpec([3], tf.int32)])"


def test_bare_decorator_becomes_a_call() -> None:
    before = """
        import tensorflow as tf

        @tf.function  # hot
        def step(x):
            return x
    """
    after = """
        import tensorflow as tf

        @tf.function(reduce_retracing=True)  # hot
        def step(x):
            return x
    """
    result = assert_codemod(before, after, [edit("optimize", "step", before, RELAX)])
    assert result.changed == ["step: @tf.function -> @tf.function(reduce_retracing=True)"]


def test_other_arguments_are_kept_and_deprecated_synonym_replaced() -> None:
    before = """
        import tensorflow as tf

        @tf.function(jit_compile=True, experimental_relax_shapes=True, autograph=False)
        def step(x):
            return x
    """
    after = """
        import tensorflow as tf

        @tf.function(jit_compile=True, reduce_retracing=True, autograph=False)
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("optimize", "step", before, RELAX)])


def test_signature_is_appended_with_the_file_alias() -> None:
    before = """
        import tensorflow as tfx

        class Model:
            @tfx.function(jit_compile=True)
            def call(self, x):
                return x
    """
    after = """
        import tensorflow as tfx

        class Model:
            @tfx.function(jit_compile=True, input_signature=[tfx.TensorSpec([3], tfx.int32)])
            def call(self, x):
                return x
    """
    assert_codemod(before, after, [edit("optimize", "Model.call", before, SHORT_SIGNATURE)])


def test_multiline_call_with_trailing_comma_keeps_its_layout() -> None:
    before = """
        import tensorflow as tf

        @tf.function(
            jit_compile=True,
        )
        def step(x):
            return x
    """
    after = """
        import tensorflow as tf

        @tf.function(
            jit_compile=True,
            reduce_retracing=True,
        )
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("optimize", "step", before, RELAX)])


def test_from_import_head_is_kept_and_tf_import_added_for_arguments() -> None:
    before = """
        from tensorflow import function

        @function
        def step(x):
            return x
    """
    after = """
        import tensorflow as tf
        from tensorflow import function

        @function(input_signature=[tf.TensorSpec(shape=[None, 3], dtype=tf.float32)])
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("optimize", "step", before, SIGNATURE)])


def test_positional_arguments_are_not_guessed() -> None:
    before = """
        import tensorflow as tf

        @tf.function(None, [tf.TensorSpec(None)])
        def step(x):
            return x
    """
    assert_skip(before, [edit("optimize", "step", before, RELAX)], "positional")


def test_undecorated_function_is_skipped() -> None:
    before = """
        def step(x):
            return x
    """
    assert_skip(before, [edit("optimize", "step", before, RELAX)], "no tf.function decorator")


def test_higher_order_form_is_skipped() -> None:
    before = """
        import tensorflow as tf

        def step(x):
            return x

        step = tf.function(reduce_retracing=False)(step)
    """
    reason = "wrapped by a tf.function(...) call at line 7; rewriting that form is not supported"
    assert_skip(before, [edit("optimize", "step", before, RELAX)], reason)
