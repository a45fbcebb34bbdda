"""Convert: `@tf.function` added above the `def`, with the file's TensorFlow spelling and import."""

from __future__ import annotations

from codemod_case import assert_codemod, assert_skip, edit

from tracehybrid.apply import Edit, Failure, FunctionTarget, Success, transform_source

SIGNATURE = "@tf.function(input_signature=[tf.TensorSpec(shape=[None, 3], dtype=tf.float32)])"


def test_plain_import_is_reused() -> None:
    before = """
        import tensorflow as tf


        def step(x):
            return x * 2
    """
    after = """
        import tensorflow as tf


        @tf.function
        def step(x):
            return x * 2
    """
    result = assert_codemod(before, after, [edit("convert", "step", before)])
    assert result.changed == ["step: added @tf.function"]


def test_aliased_import_rewrites_every_tf_prefix() -> None:
    before = """
        import tensorflow as tfx

        def step(x):
            return x
    """
    after = """
        import tensorflow as tfx

        @tfx.function(input_signature=[tfx.TensorSpec(shape=[None, 3], dtype=tfx.float32)])
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before, SIGNATURE)])


def test_unaliased_import_writes_tensorflow_function() -> None:
    before = """
        import tensorflow

        def step(x):
            return x
    """
    after = """
        import tensorflow

        @tensorflow.function(reduce_retracing=True)
        def step(x):
            return x
    """
    decorator = "@tf.function(reduce_retracing=True)"
    assert_codemod(before, after, [edit("convert", "step", before, decorator)])


def test_from_import_function_is_reused() -> None:
    before = """
        from tensorflow import function

        def step(x):
            return x
    """
    after = """
        from tensorflow import function

        @function
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_shadowed_from_import_is_not_reused() -> None:
    before = """
        from tensorflow import function

        function = print

        def step(x):
            return x
    """
    after = """
        import tensorflow as tf
        from tensorflow import function

        function = print

        @tf.function
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_from_import_with_tf_arguments_adds_the_module_import() -> None:
    before = """
        from tensorflow import function

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
    assert_codemod(before, after, [edit("convert", "step", before, SIGNATURE)])


def test_no_import_yet_adds_one_at_the_top() -> None:
    before = """
        def step(x):
            return x
    """
    after = """
        import tensorflow as tf


        @tf.function
        def step(x):
            return x
    """
    result = assert_codemod(before, after, [edit("convert", "step", before)])
    assert result.changed[-1] == "added `import tensorflow as tf`"


def test_docstring_and_future_import_come_first() -> None:
    before = '''
        """Training steps."""
        from __future__ import annotations


        def step(x):
            return x
    '''
    after = '''
        """Training steps."""
        from __future__ import annotations

        import tensorflow as tf


        @tf.function
        def step(x):
            return x
    '''
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_header_comments_stay_above_the_new_import() -> None:
    before = """
        # Copyright the authors.
        # -*- coding: utf-8 -*-

        x = 1


        def step(x):
            return x
    """
    after = """
        # Copyright the authors.
        # -*- coding: utf-8 -*-

        import tensorflow as tf

        x = 1


        @tf.function
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_sorted_third_party_block_gets_the_sorted_position() -> None:
    before = """
        import os
        import sys

        import numpy as np
        import pandas as pd
        import torch
        from absl import flags

        def step(x):
            return x
    """
    after = """
        import os
        import sys

        import numpy as np
        import pandas as pd
        import tensorflow as tf
        import torch
        from absl import flags

        @tf.function
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_unsorted_block_gets_the_import_at_its_end() -> None:
    before = """
        import zlib
        import numpy as np
        import abc

        def step(x):
            return x
    """
    after = """
        import zlib
        import numpy as np
        import abc
        import tensorflow as tf

        @tf.function
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_stdlib_only_block_gets_a_new_section_before_local_imports() -> None:
    before = """
        import os

        from . import helpers

        def step(x):
            return x
    """
    after = """
        import os

        import tensorflow as tf

        from . import helpers

        @tf.function
        def step(x):
            return x
    """
    assert_codemod(before, after, [edit("convert", "step", before)])


def test_crlf_file_stays_crlf() -> None:
    before = "import numpy as np\r\n\r\n\r\ndef step(x):\r\n    return x\r\n"
    after = (
        "import numpy as np\r\nimport tensorflow as tf\r\n\r\n\r\n"
        "@tf.function\r\ndef step(x):\r\n    return x\r\n"
    )
    edits = [Edit(FunctionTarget("step", 4), "convert", "@tf.function")]
    assert_codemod(before, after, edits, dedent=False)


def test_method_and_nested_function_keep_comments() -> None:
    before = """
        import tensorflow as tf


        class Model:
            # the forward pass
            def call(self, x):  # hot path
                def inner(y):  # nested
                    return y
                return inner(x)
    """
    after = """
        import tensorflow as tf


        class Model:
            # the forward pass
            @tf.function
            def call(self, x):  # hot path
                @tf.function
                def inner(y):  # nested
                    return y
                return inner(x)
    """
    edits = [
        edit("convert", "Model.call", before),
        edit("convert", "Model.call.<locals>.inner", before),
    ]
    assert_codemod(before, after, edits)


def test_goes_below_other_decorators_but_above_custom_gradient() -> None:
    before = """
        import functools
        import tensorflow as tf


        class Model:
            @staticmethod
            @functools.cache  # memo
            # gradient below
            @tf.custom_gradient
            def clip(x):
                return x, lambda dy: dy
    """
    after = """
        import functools
        import tensorflow as tf


        class Model:
            @staticmethod
            @functools.cache  # memo
            @tf.function
            # gradient below
            @tf.custom_gradient
            def clip(x):
                return x, lambda dy: dy
    """
    assert_codemod(before, after, [edit("convert", "Model.clip", before)])


def test_already_decorated_is_left_alone() -> None:
    source = """
        from tensorflow import function as tff

        @tff(jit_compile=True)
        def step(x):
            return x
    """
    assert_codemod(source, source, [edit("convert", "step", source)])


def test_decorator_line_identifies_the_function_too() -> None:
    source = "import tensorflow as tf\n\n@staticmethod\ndef step(x):\n    return x\n"
    result = transform_source(source, [Edit(FunctionTarget("step", 3), "convert", "@tf.function")])
    assert isinstance(result, Success)
    assert "@staticmethod\n@tf.function\ndef step" in result.new_source


def test_tf_bound_to_something_else_is_skipped() -> None:
    before = """
        import tensorflow_federated as tf

        def step(x):
            return x
    """
    assert_skip(before, [edit("convert", "step", before)], "`tf` is bound to something other")


def test_higher_order_wrapping_is_skipped() -> None:
    before = """
        import tensorflow as tf

        def step(x):
            return x

        fast_step = tf.function(step)
    """
    assert_skip(before, [edit("convert", "step", before)], "tf.function(...) call at line 7")


def test_async_function_is_skipped() -> None:
    before = """
        async def step(x):
            return x
    """
    assert_skip(before, [edit("convert", "step", before)], "async")


def test_missing_function_is_skipped_but_others_apply() -> None:
    before = """
        import tensorflow as tf

        def step(x):
            return x
    """
    gone = Edit(FunctionTarget("gone", 9), "convert", "@tf.function")
    after = before.replace("def step", "@tf.function\n        def step")
    result = assert_codemod(before, after, [edit("convert", "step", before), gone])
    assert result.skipped == ["gone: no such function in the file"]


def test_malformed_decorator_is_a_failure_not_an_exception() -> None:
    jit = Edit(FunctionTarget("step", 1), "convert", "@jax.jit")
    result = transform_source("def step(x):\n    return x\n", [jit])
    assert isinstance(result, Failure)
    assert "is not tf.function" in result.reason
    assert not result.unparsable
