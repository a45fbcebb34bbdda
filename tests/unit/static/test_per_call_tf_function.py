"""TH197: a tf.function created anew on every call of its enclosing function, and what is not."""

from __future__ import annotations

import textwrap

import pytest

from tracehybrid.static import FunctionFacts, analyze_source

PER_CALL = "TH197"
IMPORTS = "import functools\nimport tensorflow as tf\nfrom tensorflow import function as tff\n"


def fn(source: str, qualname: str) -> FunctionFacts:
    return analyze_source(IMPORTS + textwrap.dedent(source)).function(qualname)


def per_call_messages(f: FunctionFacts) -> list[str]:
    return [finding.message for finding in f.findings if finding.code == PER_CALL]


FLAGGED = {
    "decorated nested def, returned called": (
        """
        def fast_eval(x):
            @tf.function
            def _run(y):
                return y * 2
            return _run(x)
        """,
        "fast_eval.<locals>._run",
    ),
    "decorator with arguments, through an alias": (
        """
        def fast_eval(x):
            @tff(reduce_retracing=True)
            def _run(y):
                return y * 2
            out = _run(x)
            return out + 1
        """,
        "fast_eval.<locals>._run",
    ),
    "nested def wrapped by a call, kept in a local": (
        """
        def fast_eval(x):
            def _run(y):
                return y * 2
            run = tf.function(_run)
            return run(x)
        """,
        "fast_eval.<locals>._run",
    ),
    "module function wrapped and called at once": (
        """
        def helper(y):
            return tf.reduce_sum(y)

        def evaluate(x):
            return tf.function(helper, jit_compile=False)(x)
        """,
        "helper",
    ),
    "lambda wrapped in a method: on the method itself": (
        """
        class Model:
            def predict(self, x):
                run = tf.function(lambda y: y * 2)
                return run(x)
        """,
        "Model.predict",
    ),
    "called in a loop of the body": (
        """
        def evaluate(batches):
            @tf.function
            def _step(y):
                return y * 2
            return [_step(b) for b in batches]
        """,
        "evaluate.<locals>._step",
    ),
}


@pytest.mark.parametrize("case", FLAGGED, ids=list(FLAGGED))
def test_a_tf_function_created_and_called_in_a_body_is_flagged(case: str) -> None:
    source, qualname = FLAGGED[case]
    messages = per_call_messages(fn(source, qualname))
    assert len(messages) == 1
    assert "created anew on every call of" in messages[0]
    assert "traces it again" in messages[0]


def test_the_message_names_the_enclosing_function_and_the_lines() -> None:
    source, qualname = FLAGGED["decorated nested def, returned called"]
    f = fn(source, qualname)
    (finding,) = [x for x in f.findings if x.code == PER_CALL]
    assert finding.message == (
        "`_run`, a `@tf.function` defined at line 7, is created anew on every call of "
        "`fast_eval` and called there as `_run(x)` (line 9): each new tf.function starts "
        "with an empty trace cache, so each call of `fast_eval` traces it again"
    )
    assert finding.line == 7
    assert f.kind == "hybrid" and f.is_candidate
    assert PER_CALL not in fn(source, "fast_eval").codes  # the finding is the inner function's


NOT_FLAGGED = {
    "a factory returns it uncalled": """
        def make():
            @tf.function
            def _run(y):
                return y * 2
            return _run
        """,
    "cached on self under a lazy guard": """
        class Model:
            def get(self, x):
                if self._fn is None:
                    @tf.function
                    def _run(y):
                        return y * 2
                    self._fn = _run
                return self._fn(x)
        """,
    "stored on self by a call": """
        class Model:
            def predict(self, x):
                self._fn = tf.function(lambda y: y * 2)
                return self._fn(x)
        """,
    "kept in a cache dict": """
        CACHE = {}
        def evaluate(key, x):
            if key not in CACHE:
                CACHE[key] = tf.function(lambda y: y * 2)
            return CACHE[key](x)
        """,
    "lru_cached enclosing function": """
        @functools.lru_cache
        def evaluate(n):
            @tf.function
            def _run(y):
                return y * n
            return _run(tf.constant(1.0))
        """,
    "created in __init__, once per object": """
        class Model:
            def __init__(self, x):
                @tf.function
                def _run(y):
                    return y * 2
                self.first = _run(x)
        """,
    "created inside an existing tf.function: once per trace": """
        @tf.function
        def outer(x):
            @tf.function
            def _run(y):
                return y * 2
            return _run(x)
        """,
    "declared nonlocal by a closure that keeps it": """
        def evaluate(x):
            @tf.function
            def _run(y):
                return y * 2
            def keep():
                return _run
            return _run(x), keep
        """,
    "passed to another call": """
        def evaluate(x):
            @tf.function
            def _run(y):
                return y * 2
            return tf.nest.map_structure(_run, x)
        """,
    "module level": """
        @tf.function
        def _run(y):
            return y * 2
        RESULT = _run(1.0)
        run = tf.function(lambda y: y)
        """,
    "a nested def that is not a tf.function": """
        def evaluate(x):
            @functools.wraps(print)
            def _run(y):
                return y * 2
            return _run(x)
        """,
}


@pytest.mark.parametrize("case", NOT_FLAGGED, ids=list(NOT_FLAGGED))
def test_a_tf_function_that_outlives_the_call_is_not_flagged(case: str) -> None:
    project = analyze_source(IMPORTS + textwrap.dedent(NOT_FLAGGED[case]))
    assert project.functions, "the source defines functions"
    flagged = [f.qualname for f in project.functions if PER_CALL in f.codes]
    assert flagged == []
