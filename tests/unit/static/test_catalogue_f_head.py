"""Catalogue F (seed-tool.md §2.2): the preconditions the seed tool added after the paper."""

from __future__ import annotations

import textwrap

import pytest

from tracehybrid.static import ProjectFacts, analyze_source


def facts(source: str) -> ProjectFacts:
    return analyze_source(textwrap.dedent(source))


def test_f67_functions_without_tensor_computation() -> None:
    project = facts(
        """
        import tensorflow as tf
        def identity(x):
            return x
        def nothing(x):
            pass
        def reducer(x):
            return tf.reduce_sum(x)
        @tf.function
        def hybrid_identity(x):
            return x
        @tf.function
        def hybrid_reducer(x):
            return tf.reduce_sum(x)
        for fn in (identity, nothing, reducer, hybrid_identity, hybrid_reducer):
            pass
        identity(tf.ones([2]))
        nothing(tf.ones([2]))
        reducer(tf.ones([2]))
        hybrid_identity(tf.ones([2]))
        hybrid_reducer(tf.ones([2]))
        """
    )
    for name in ("identity", "nothing", "hybrid_identity"):
        function = project.function(name)
        assert "TH192" in function.codes, name
        assert function.tensor_computation.value == "no"
    for name in ("reducer", "hybrid_reducer"):
        assert "TH192" not in project.function(name).codes


def test_f68_eager_only_numpy_call_directly_and_through_a_wrapper() -> None:
    project = facts(
        """
        import tensorflow as tf
        def total(x):
            return tf.reduce_sum(x).numpy()
        def wrapper(x):
            return total(x) + 1
        def producer(x):
            return tf.reduce_sum(x)
        def consumer(x):
            return producer(x).numpy()
        consumer(tf.ones([2]))
        wrapper(tf.ones([2]))
        """
    )
    assert "TH131" in project.function("total").codes
    assert "TH131" in project.function("wrapper").codes
    assert "TH131" not in project.function("producer").codes
    assert project.function("producer").is_candidate


def test_f69_numpy_on_parameters_directly_through_helpers_and_not_on_shapes() -> None:
    project = facts(
        """
        import numpy as np
        import tensorflow as tf
        def direct(x):
            return np.maximum(x, 0)
        def summer(v):
            return np.sum(v)
        def through_helper(x):
            return summer(x)
        def scale(v):
            return v * 2
        def on_result(x):
            return np.abs(scale(x))
        def on_shape(x):
            return tf.reshape(x, [np.prod(x.shape[1:])])
        for f in (direct, through_helper, on_result, on_shape):
            f(tf.ones([2, 2]))
        direct(tf.ones([2]))
        through_helper(tf.ones([2]))
        on_result(tf.ones([2]))
        on_shape(tf.ones([2, 2]))
        """
    )
    assert "TH133" in project.function("direct").codes
    assert "TH133" in project.function("summer").codes
    finding = next(f for f in project.function("through_helper").findings if f.code == "TH133")
    assert finding.via == "summer"
    assert "TH133" in project.function("on_result").codes
    assert "TH133" not in project.function("scale").codes
    assert "TH133" not in project.function("on_shape").codes


@pytest.mark.parametrize(
    ("call", "flagged"),
    [
        ("tf.sqrt(t, tf.float32)", True),
        ("tf.sqrt(t, name=tf.float32)", True),
        ("tf.sqrt(t, 2)", True),
        ("tf.sqrt(t, name=True)", True),
        ("tf.sqrt(t, name='root')", False),
        ("tf.reduce_sum(t, 0, False, 'total')", False),
        ("tf.reduce_sum(t, 0, False, 7)", True),
    ],
)
def test_f70_non_string_name_arguments(call: str, flagged: bool) -> None:
    f = facts(f"import tensorflow as tf\ndef f(t):\n    return {call}\n").function("f")
    assert ("TH182" in f.codes) is flagged


STEP = """
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
opt = tf.keras.optimizers.Adam()
def step(model, x):
{body}
step(model, tf.ones([1, 2]))
"""


def test_f71_reading_trainable_variables_before_the_first_call_is_stale() -> None:
    body = """    variables = model.trainable_variables
    with tf.GradientTape() as tape:
        loss = model(x)
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))"""
    f = facts(STEP.format(body=body)).function("step")
    assert "TH184" in f.codes


def test_f71_reading_trainable_variables_after_the_forward_pass_is_fine() -> None:
    body = """    with tf.GradientTape() as tape:
        loss = model(x)
    variables = model.trainable_variables
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))"""
    f = facts(STEP.format(body=body)).function("step")
    assert "TH184" not in f.codes


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        # AutoGraph stages this loop as a tf.while_loop (tests/autograph/): not a blocker.
        ("    s = 0.0\n    for e in x:\n        s += e\n    return s", False),
        # A Python list grown in the staged loop cannot leave it: InaccessibleTensorError.
        ("    out = []\n    for e in x:\n        out.append(e)\n    return tf.stack(out)", True),
        ("    for e in x:\n        return e", True),
        ("    out = []\n    for e in tf.unstack(x):\n        out.append(e)\n    return out", False),
        (
            "    s = 0.0\n    for i in tf.range(tf.shape(x)[0]):\n        s += x[i]\n    return s",
            False,
        ),
        ("    s = 0.0\n    for e in [x, x]:\n        s += e\n    return s", False),
    ],
)
def test_f72_python_for_over_a_tensor_parameter(body: str, flagged: bool) -> None:
    f = facts(f"import tensorflow as tf\ndef f(x):\n{body}\nf(tf.ones([3]))\n").function("f")
    assert ("TH181" in f.codes) is flagged
    assert f.has_tensor_param.is_yes


def test_f73_helper_only_called_from_inside_tf_functions_is_covered() -> None:
    project = facts(
        """
        import tensorflow as tf
        def helper(x):
            return x * 2
        def shared(x):
            return x + 1
        @tf.function
        def outer(x):
            return helper(x) + shared(x)
        def never_referenced(x):
            return helper(x)
        outer(tf.ones([1]))
        shared(tf.ones([1]))
        """
    )
    assert "TH194" in project.function("helper").codes
    assert "TH194" not in project.function("shared").codes
    assert "TH194" not in project.function("outer").codes


def test_f74_conflicting_dtype_coercions() -> None:
    project = facts(
        """
        import numpy as np
        import tensorflow as tf
        v32 = tf.Variable(1.0, dtype=tf.float32)
        v64 = tf.Variable(1.0, dtype=tf.float64)
        def single(a):
            return a * v32
        def conflicting(a):
            return a * v32 + a * v64
        single(np.ones([2]))
        conflicting(np.ones([2]))
        """
    )
    assert "TH195" not in project.function("single").codes
    assert project.function("single").has_tensor_param.is_yes
    conflicting = project.function("conflicting")
    finding = next(f for f in conflicting.findings if f.code == "TH195")
    assert "float32" in finding.message and "float64" in finding.message


def test_f75_keras_symbolic_arguments_still_produce_static_facts() -> None:
    # Keras symbolic tensors (TH203) are a runtime finding; statically the argument is a tensor.
    project = facts(
        """
        import tensorflow as tf
        def block(x):
            return tf.nn.relu(x)
        inputs = tf.keras.layers.Input((4,))
        hidden = tf.keras.layers.Dense(4)(inputs)
        block(hidden)
        block(tf.ones([1, 4]))
        """
    )
    block = project.function("block")
    assert block.has_tensor_param.is_yes
    assert block.is_candidate


def test_f76_static_axis_reads_are_recorded_but_dynamic_shapes_are_not() -> None:
    project = facts(
        """
        import tensorflow as tf
        def static(x):
            return tf.reshape(x, [x.shape[-1], -1]) * x.shape[-1]
        def dynamic(x):
            return tf.reshape(x, [tf.shape(x)[1], -1])
        @tf.function
        def bare(x):
            return tf.abs(x)
        static(tf.ones([2, 3]))
        dynamic(tf.ones([2, 3]))
        bare(tf.ones([2]))
        """
    )
    static = project.function("static")
    assert static.param("x").reads_static_axes
    assert "TH196" in static.codes
    dynamic = project.function("dynamic")
    assert not dynamic.param("x").reads_static_axes
    assert "TH196" not in dynamic.codes
    bare = project.function("bare")
    assert bare.hybrid is not None and bare.hybrid.input_signature is None
    assert bare.has_tensor_param.is_yes  # a signature can be synthesised (P4)
