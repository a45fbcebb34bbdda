"""Issue 15 point 5: a method called on a typed attribute is judged for what it is, not by name."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import FunctionFacts, analyze_project, analyze_source

# A Sonnet-like moving average: its state lives in tf.Variables, `update` assigns them.
MOVING_AVERAGE = """
import tensorflow as tf

class MovingAverage(tf.Module):
    def __init__(self, decay):
        super().__init__()
        self._decay = decay
        self.average = tf.Variable(0.0)

    def update(self, value):
        self.average.assign(self.average * self._decay + value * (1.0 - self._decay))
"""


def fn(source: str, qualname: str) -> FunctionFacts:
    return analyze_source(textwrap.dedent(source)).function(qualname)


def self_mutations(function: FunctionFacts) -> list[str]:
    return [f.message for f in function.findings if f.code == "TH122"]


def test_a_project_module_assigned_in_init_is_judged_by_its_own_update() -> None:
    source = MOVING_AVERAGE + textwrap.dedent(
        """
        class Norm(tf.Module):
            def __init__(self):
                super().__init__()
                self.moving_mean = MovingAverage(0.9)

            def __call__(self, x):
                self.moving_mean.update(tf.reduce_mean(x))
                return x - self.moving_mean.average
        """
    )
    norm = analyze_source(source).function("Norm.__call__")
    assert self_mutations(norm) == []
    assert norm.is_candidate


def test_a_list_append_inside_the_resolved_method_is_still_a_hazard() -> None:
    source = """
    import tensorflow as tf

    class Recorder:
        def __init__(self):
            self.seen = []

        def update(self, value):
            self.seen.append(value)

    class Layer(tf.Module):
        def __init__(self):
            super().__init__()
            self.recorder = Recorder()

        def __call__(self, x):
            self.recorder.update(x)
            return tf.square(x)
    """
    messages = self_mutations(fn(source, "Layer.__call__"))
    assert messages == [
        "calls `self.recorder.update`, which mutates `self` state (self.seen.append())"
    ]


def test_a_dict_attribute_updated_is_still_flagged() -> None:
    source = """
    import tensorflow as tf

    class Cache(tf.Module):
        def __init__(self):
            super().__init__()
            self.cache = {}
            self.history = []

        def __call__(self, x):
            self.cache.update({"x": x})
            self.history.append(x)
            return tf.square(x)
    """
    assert len(self_mutations(fn(source, "Cache.__call__"))) == 2


def test_a_dict_assigned_in_a_later_method_keeps_the_attribute_untyped() -> None:
    source = """
    import tensorflow as tf

    class Store:
        def update(self, x):
            return x

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.state = Store()

        def __call__(self, x):
            self.state.update(x)
            return tf.square(x)

        def reset(self):
            self.state = {}
    """
    assert self_mutations(fn(source, "Model.__call__")) == [
        "mutates `self` state (self.state.update())"
    ]


def test_an_unknown_class_keeps_the_mutation_by_name() -> None:
    source = """
    import tensorflow as tf
    from elsewhere import Thing

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.thing = Thing()

        def __call__(self, x):
            self.thing.update(x)
            return tf.square(x)
    """
    assert self_mutations(fn(source, "Model.__call__")) == [
        "mutates `self` state (self.thing.update())"
    ]


def test_a_sonnet_object_outside_the_project_is_a_variable_update() -> None:
    source = """
    import sonnet as snt
    import tensorflow as tf

    class Model(snt.Module):
        def __init__(self):
            super().__init__()
            self.ema = snt.ExponentialMovingAverage(decay=0.9)

        def __call__(self, x):
            self.ema.update(x)
            return tf.square(x)
    """
    assert self_mutations(fn(source, "Model.__call__")) == []


def test_a_tf_variable_attribute_is_a_tensorflow_object() -> None:
    source = """
    import tensorflow as tf

    class Counter(tf.Module):
        def __init__(self):
            super().__init__()
            self.count = tf.Variable(0)

        def __call__(self, x):
            self.count.assign_add(1)
            return x
    """
    counter = fn(source, "Counter.__call__")
    assert self_mutations(counter) == []
    assert counter.tensor_computation.is_yes
    assert counter.unknowns == []


def test_a_method_of_self_named_like_a_container_method_is_resolved() -> None:
    source = """
    import tensorflow as tf

    class Accumulator(tf.Module):
        def __init__(self):
            super().__init__()
            self.total = tf.Variable(0.0)
            self.log = []

        def add(self, value):
            self.total.assign_add(value)

        def pop(self):
            return self.log.pop()

        def __call__(self, x):
            self.add(tf.reduce_sum(x))
            return x

        def drain(self, x):
            self.pop()
            return tf.square(x)
    """
    facts = analyze_source(textwrap.dedent(source))
    assert self_mutations(facts.function("Accumulator.__call__")) == []
    assert self_mutations(facts.function("Accumulator.drain")) == [
        "calls `self.pop`, which mutates `self` state (self.log.pop())"
    ]


def test_an_abstract_method_of_self_keeps_the_mutation_by_name() -> None:
    # `self.update()` on the class that only declares it: the subclass decides; not resolved.
    source = """
    import abc
    import tensorflow as tf

    class Metric(tf.Module, abc.ABC):
        @abc.abstractmethod
        def update(self, value):
            pass

        def __call__(self, value):
            self.update(value)
            return tf.identity(value)
    """
    assert len(self_mutations(fn(source, "Metric.__call__"))) == 1


SONNET_LIKE = {
    "lib/__init__.py": "",
    "lib/metrics.py": """
        import abc
        import tensorflow as tf

        class Metric(tf.Module, abc.ABC):
            @abc.abstractmethod
            def update(self, value):
                \"\"\"Accumulates values.\"\"\"

        class EMA(Metric):
            def __init__(self, decay):
                super().__init__()
                self.decay = decay
                self.average = tf.Variable(0.0)

            def update(self, value):
                self.average.assign(self.average * self.decay + value)

        class Recording(Metric):
            def __init__(self):
                super().__init__()
                self.values = []

            def update(self, value):
                self.values.append(value)
        """,
    "lib/norm.py": """
        from typing import Optional
        import tensorflow as tf
        from lib import metrics

        class Norm(tf.Module):
            def __init__(self, moving_mean: metrics.Metric):
                super().__init__()
                self.moving_mean = moving_mean

            def __call__(self, x):
                self.moving_mean.update(tf.reduce_mean(x))
                return x

        class Declared(tf.Module):
            moving_mean: Optional[metrics.EMA]

            def __call__(self, x):
                self.moving_mean.update(tf.reduce_mean(x))
                return x
        """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


def test_an_annotated_abstract_type_takes_the_effects_of_its_overrides(tmp_path: Path) -> None:
    write(tmp_path, SONNET_LIKE)
    project = analyze_project(Config(root=tmp_path, cache=False))
    norm = project.function("Norm.__call__")
    # Any Metric may be passed in: `Recording.update` appends to a list, so it stays a hazard.
    assert self_mutations(norm) == [
        "calls `self.moving_mean.update`, which mutates `self` state (self.values.append())"
    ]
    assert self_mutations(project.function("Declared.__call__")) == []


def test_without_the_hazardous_override_the_annotated_module_is_safe(tmp_path: Path) -> None:
    files = dict(SONNET_LIKE)
    metrics = files["lib/metrics.py"]
    files["lib/metrics.py"] = metrics[: metrics.index("        class Recording")]
    write(tmp_path, files)
    project = analyze_project(Config(root=tmp_path, cache=False))
    norm = project.function("Norm.__call__")
    assert self_mutations(norm) == []
    assert norm.tensor_computation.is_yes


def test_a_concrete_declared_method_also_takes_its_overrides_effects(tmp_path: Path) -> None:
    files = {
        "lib/__init__.py": "",
        "lib/stats.py": """
            import tensorflow as tf

            class Stat(tf.Module):
                def __init__(self):
                    super().__init__()
                    self.total = tf.Variable(0.0)
                    self.seen = []

                def update(self, value):
                    self.total.assign_add(tf.reduce_sum(value))

            class Logged(Stat):
                def update(self, value):
                    self.seen.append(value)

            class Model(tf.Module):
                def __init__(self, stat: Stat, exact=None):
                    super().__init__()
                    self.stat = stat
                    self.exact = Stat()

                def __call__(self, x):
                    self.stat.update(x)
                    return x

                def exact_call(self, x):
                    self.exact.update(x)
                    return tf.square(x)
            """,
    }
    write(tmp_path, files)
    project = analyze_project(Config(root=tmp_path, cache=False))
    # Declared `Stat`, it may hold a `Logged`, whose update appends to a list.
    assert self_mutations(project.function("Model.__call__")) == [
        "calls `self.stat.update`, which mutates `self` state (self.seen.append())"
    ]
    # Built as a `Stat`, it is judged the same way: calls do not tell built from declared types.
    assert len(self_mutations(project.function("Model.exact_call"))) == 1


def test_an_attribute_typed_in_a_later_method_is_known_in_an_earlier_one() -> None:
    source = """
    import tensorflow as tf

    class Average(tf.Module):
        def __init__(self):
            super().__init__()
            self.hidden = None

        def update(self, value):
            self.initialize(value)
            self.hidden.assign_sub(value)

        def initialize(self, value):
            if self.hidden is None:
                self.hidden = tf.Variable(tf.zeros_like(value))
    """
    update = fn(source, "Average.update")
    assert update.unknowns == []
    assert update.tensor_computation.is_yes
