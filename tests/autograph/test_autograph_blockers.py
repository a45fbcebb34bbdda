"""Each static blocker against AutoGraph: eager vs `tf.function`, and what the analysis flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from autograph_cases import CASES, DIFFERS, EQUAL, Case

from tracehybrid.static import ProjectFacts, analyze_source

# The codes that stop a conversion because the graph would break or differ (static/autograph.py).
GRAPH_BLOCKERS = frozenset({"TH131", "TH132", "TH133", "TH181", "TH182", "TH183"})
IDS = [case.fn.__name__ for case in CASES]


@pytest.fixture(scope="module")
def analysed() -> ProjectFacts:
    """The cases' own module, analysed with each example called on a tensor, as the tests would."""
    source = (Path(__file__).parent / "autograph_cases.py").read_text()
    calls = "".join(f"\n{case.fn.__name__}(tf.ones([3]))" for case in CASES)
    return analyze_source(source + calls + "\n")


def as_arrays(value: object) -> list[np.ndarray]:
    return [np.asarray(v) for v in tf.nest.flatten(value)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_example_under_tf_function_against_eager(case: Case) -> None:
    eager = case.fn(case.arg())
    graph_fn = tf.function(case.fn)  # autograph on, as tf.function defaults
    if case.graph in (EQUAL, DIFFERS):
        graph = graph_fn(case.arg())
        pairs = list(zip(as_arrays(eager), as_arrays(graph), strict=True))
        same = all(e.shape == g.shape and np.array_equal(e, g) for e, g in pairs)
        assert same is (case.graph == EQUAL), (eager, graph)
    else:
        # Any exception is caught, then its exact class name asserted: TF's classes live in
        # private modules, so the name is what a test can state (every message has a word).
        with pytest.raises(Exception, match=r"\w") as raised:
            graph_fn(case.arg())
        assert type(raised.value).__name__ == case.graph


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_static_analysis_flags_exactly_what_breaks(analysed: ProjectFacts, case: Case) -> None:
    function = analysed.function(case.fn.__name__)
    assert function.has_tensor_param.is_yes
    expected = {case.code} if case.code else set()
    assert function.codes & GRAPH_BLOCKERS == expected


def test_collections_of_tensors_and_unannotated_parameters_are_not_flagged() -> None:
    """Loops over `Sequence[tf.Variable]` unroll, and an unannotated parameter may hold a list."""
    project = analyze_source(
        """
import tensorflow as tf
from collections.abc import Sequence
def penalty(variables: Sequence[tf.Variable]):
    return tf.add_n([tf.nn.l2_loss(v) for v in variables])
def apply(gradients: Sequence[tf.Tensor], variables: Sequence[tf.Variable]):
    for gradient, variable in zip(gradients, variables, strict=True):
        variable.assign_sub(gradient)
def stack_doubled(tensors):
    return tf.stack([t * 2 for t in tensors])
def collect(xs: Sequence[tf.Tensor]):
    out = []
    for x in xs:
        out.append(x * 2)
    return tf.stack(out)
v = tf.Variable([1.0])
penalty([v])
apply([tf.ones([1])], [v])
stack_doubled([tf.ones([1])])
collect([tf.ones([1])])
"""
    )
    for name in ("penalty", "apply", "stack_doubled", "collect"):
        assert "TH181" not in project.function(name).codes, name
