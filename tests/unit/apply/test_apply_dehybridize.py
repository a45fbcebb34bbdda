"""Dehybridize: the decorator goes, and the TensorFlow import only when nothing else uses it."""

from __future__ import annotations

from codemod_case import assert_codemod, assert_skip, edit


def test_decorator_and_unused_import_are_removed() -> None:
    before = """
        import os

        import tensorflow as tf


        @tf.function
        def step(x):
            return x
    """
    after = """
        import os


        def step(x):
            return x
    """
    result = assert_codemod(before, after, [edit("dehybridize", "step", before)])
    assert result.changed == ["step: removed @tf.function", "removed unused import of `tf`"]


def test_import_still_used_elsewhere_is_kept() -> None:
    before = """
        import tensorflow as tf

        @tf.function(reduce_retracing=True)
        def step(x):
            return tf.square(x)
    """
    after = """
        import tensorflow as tf

        def step(x):
            return tf.square(x)
    """
    assert_codemod(before, after, [edit("dehybridize", "step", before)])


def test_from_import_keeps_its_other_names() -> None:
    before = """
        from tensorflow import constant, function

        @function
        def step(x):
            return x + constant(1)
    """
    after = """
        from tensorflow import constant

        def step(x):
            return x + constant(1)
    """
    assert_codemod(before, after, [edit("dehybridize", "step", before)])


def test_comments_between_decorators_stay() -> None:
    before = """
        import tensorflow as tf


        class Model:
            @staticmethod
            # compiled
            @tf.function  # removed with its line
            # the step
            @tf.custom_gradient
            def clip(x):
                return x, lambda dy: dy
    """
    after = """
        import tensorflow as tf


        class Model:
            @staticmethod
            # compiled
            # the step
            @tf.custom_gradient
            def clip(x):
                return x, lambda dy: dy
    """
    assert_codemod(before, after, [edit("dehybridize", "Model.clip", before)])


def test_only_import_at_the_top_leaves_no_blank_lines() -> None:
    before = """
        import tensorflow as tf


        @tf.function
        def step(x):
            return x
    """
    after = """
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("dehybridize", "step", before)])


def test_comment_above_a_removed_import_moves_down() -> None:
    before = """
        import os
        # graph mode
        import tensorflow as tf
        x = os.sep
        @tf.function
        def step(x):
            return x
    """
    after = """
        import os
        # graph mode
        x = os.sep
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("dehybridize", "step", before)])


def test_crlf_file_stays_crlf() -> None:
    before = (
        "import tensorflow as tf\r\nimport os\r\n\r\n"
        "@tf.function\r\ndef step(x):\r\n    return x\r\n"
    )
    after = "import os\r\n\r\ndef step(x):\r\n    return x\r\n"
    assert_codemod(before, after, [edit("dehybridize", "step", before)], dedent=False)


def test_already_eager_is_unchanged() -> None:
    source = """
        import tensorflow as tf

        def step(x):
            return tf.abs(x)
    """
    assert_codemod(source, source, [edit("dehybridize", "step", source)])


def test_higher_order_form_is_skipped() -> None:
    before = """
        import tensorflow as tf

        def step(x):
            return x

        fast = tf.function(step)
    """
    assert_skip(before, [edit("dehybridize", "step", before)], "not supported")
