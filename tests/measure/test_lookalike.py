"""The graph run's wrapper behaves, to the libraries that inspect it, as the decorator apply writes.

Each case is written twice from one source: once patched by the graph run (a MeasuredFunction in
place of the def), once with `@tf.function` written directly above the def, as `apply` does. The
two must answer every introspection alike and behave alike under tf_keras, Keras 3, check_shapes,
`functools.wraps` decorators, once-style set-up decorators and pickle.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from check_shapes.exceptions import ShapeMismatchError
from measure_targets import locate

from tracehybrid.measure.inrun.graph_run import GraphRun
from tracehybrid.measure.inrun.measuring_wrapper import BoundMeasured, MeasuredFunction
from tracehybrid.measure.targets import MeasureSettings, TargetsFile

SOURCE = '''
import functools

import keras
import tensorflow as tf
import tf_keras
from check_shapes import check_shapes


def once(method):
    """The shape of snt.once: the body runs on the first call only."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if getattr(self, "_done", False):
            return None
        self._done = True
        return method(self, *args, **kwargs)
    return wrapper


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return fn(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


class Legacy(tf_keras.layers.Layer):
    def call(self, x):
        return tf.nn.relu(x) * 2.0


class LegacyTraining(tf_keras.layers.Layer):
    def call(self, x, training=None, mask=None):
        y = x * 3.0
        if training:
            y = y + 1.0
        if mask is not None:
            y = y * tf.cast(mask, y.dtype)
        return y


class Modern(keras.layers.Layer):
    def call(self, x, training=False):
        return keras.ops.relu(x) + (1.0 if training else 0.0)


class Shaped:
    @check_shapes("x: [batch, n]", "return: [batch, n]")
    def scale(self, x):
        return x * 2.0


@logged
def wrapped_add(x, y=1.0):
    return x + y


class Setup:
    @once
    def build(self, x):
        self.total = tf.reduce_sum(x)
        return self.total


class Quad:
    def logspace(self, fun, x):
        return tf.reduce_sum(fun(x))


class Lik:
    @check_shapes("x: [n]", "return: [n]")
    def log_prob(self, x):
        return x * 2.0

    def predict(self, x):
        return Quad().logspace(self.log_prob, x)  # a target's bound method into a graph


class ThroughType:
    factor = 4.0

    def scaled(self, x):
        return x * type(self).factor

    def twice(self, x):
        return type(self).scaled(self, x) * 2.0
'''

#: qualname -> the def's first line in SOURCE is found with `locate`, as static analysis does.
TARGETS = (
    "Legacy.call",
    "LegacyTraining.call",
    "Modern.call",
    "Shaped.scale",
    "wrapped_add",
    "Setup.build",
    "ThroughType.scaled",
    "Quad.logspace",
    "Lik.log_prob",
)


def _applied_source() -> str:
    """SOURCE with `@tf.function` directly above each target def, as `apply` writes it."""
    lines = SOURCE.splitlines()
    names = {q.rpartition(".")[2] for q in TARGETS}
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith("def ") and stripped[4:].split("(")[0] in names:
            out.append(line[: len(line) - len(stripped)] + "@tf.function")
        out.append(line)
    return "\n".join(out) + "\n"


def _import(folder: Path, name: str, source: str) -> ModuleType:
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, ModuleType]]:
    """(the module patched by the graph run, the module with `@tf.function` applied)."""
    folder = tmp_path_factory.mktemp("lookalike")
    sys.path.insert(0, str(folder))
    try:
        patched = _import(folder, "lookalike_patched", SOURCE)
        applied = _import(folder, "lookalike_applied", _applied_source())
        targets = [locate(folder, "lookalike_patched.py", q, "@tf.function") for q in TARGETS]
        settings = MeasureSettings(max_samples_per_signature=1, repeats=1, budget_s=0.05)
        run = GraphRun(TargetsFile(folder / "records", targets, settings))
        run.patch_module(patched)
        assert {t.wrap for t in run.record.targets.values()} == {"wrapped"}
        yield patched, applied
    finally:
        sys.path.remove(str(folder))
        for name in ("lookalike_patched", "lookalike_applied"):
            sys.modules.pop(name, None)


def _inspected(obj: Any) -> tuple[str, Any]:
    from tensorflow.python.util import tf_inspect  # TensorFlow's own, as tf_keras uses it

    spec = tf_inspect.getfullargspec(obj)
    scrubbed = [a for a in spec.args if a != "self"]  # tf_keras drops a leading self too
    return str(inspect.signature(obj)), (scrubbed, spec.varargs, spec.varkw, spec.defaults)


def test_wrappers_are_in_place(pair: tuple[ModuleType, ModuleType]) -> None:
    patched, _ = pair
    assert isinstance(vars(patched.Legacy)["call"], MeasuredFunction)
    assert isinstance(patched.Legacy().call, BoundMeasured)


@pytest.mark.parametrize(
    "path",
    ["Legacy.call", "LegacyTraining.call", "Modern.call", "wrapped_add", "ThroughType.scaled"],
)
def test_signatures_match_the_decorator(pair: tuple[ModuleType, ModuleType], path: str) -> None:
    patched, applied = pair
    owner, _, name = path.rpartition(".")

    def get(module: ModuleType) -> Any:
        if not owner:
            return getattr(module, name)
        cls = getattr(module, owner)
        instance = cls.__new__(cls)  # the bound form, without running Layer.__init__
        return getattr(instance, name)

    assert _inspected(get(patched)) == _inspected(get(applied))


def test_tf_keras_layers_accept_their_calls(pair: tuple[ModuleType, ModuleType], tf: Any) -> None:
    x = tf.ones([4, 8])
    for module in pair:
        for _ in range(30):  # a new layer each time: each traces once, as with the decorator
            assert float(module.Legacy()(x)[0, 0]) == 2.0
        layer = module.LegacyTraining()
        mask = tf.constant([[True] * 8, [False] * 8, [True] * 8, [True] * 8])
        assert float(layer(x, training=True)[0, 0]) == 4.0
        assert float(layer(x, training=False, mask=mask)[1, 0]) == 0.0


def test_tf_keras_functional_model_builds_symbolically(
    pair: tuple[ModuleType, ModuleType], tf: Any
) -> None:
    import tf_keras

    for module in pair:  # a symbolic call goes through AutoGraph's converted_call
        inputs = tf_keras.Input(shape=(8,))
        model = tf_keras.Model(inputs, module.LegacyTraining()(module.Legacy()(inputs)))
        out = model(tf.ones([2, 8]), training=False)
        assert out.shape == (2, 8) and float(out[0, 0]) == 6.0


def test_keras3_layer(pair: tuple[ModuleType, ModuleType], tf: Any) -> None:
    for module in pair:
        layer = module.Modern()
        assert float(layer(-tf.ones([2, 3]), training=True)[0, 0]) == 1.0
        assert float(layer(tf.ones([2, 3]))[0, 0]) == 1.0


def test_check_shapes_method_still_checks(pair: tuple[ModuleType, ModuleType], tf: Any) -> None:
    for module in pair:
        assert float(module.Shaped().scale(tf.ones([2, 3]))[0, 0]) == 2.0
        with pytest.raises(ShapeMismatchError):
            module.Shaped().scale(tf.ones([2]))


def test_wraps_once_and_type_self(pair: tuple[ModuleType, ModuleType], tf: Any) -> None:
    for module in pair:
        calls = module.wrapped_add.calls
        assert float(module.wrapped_add(tf.constant(1.0))) == 2.0
        assert module.wrapped_add.calls == calls + 1  # the outer decorator still counts
        setup = module.Setup()
        assert float(setup.build(tf.ones([3]))) == 3.0
        assert setup.build(tf.ones([3])) is None  # set-up runs once
        assert float(module.ThroughType().twice(tf.constant(1.0))) == 8.0


def test_pickles_by_name_like_the_function(pair: tuple[ModuleType, ModuleType], tf: Any) -> None:
    patched, _ = pair
    again = pickle.loads(pickle.dumps(patched.wrapped_add))
    assert again is patched.wrapped_add
    instance = patched.ThroughType()
    bound = pickle.loads(pickle.dumps(instance.scaled))
    assert float(bound(tf.constant(1.0))) == 4.0


def _outcome(module: ModuleType, tf: Any) -> str:
    try:
        return str(float(module.Lik().predict(tf.ones([3]))))
    except TypeError as exc:  # TensorFlow's own failure, worded by whichever layer bound it
        missing = "missing" in str(exc) and "argument" in str(exc) and "'x'" in str(exc)
        return "TypeError: missing argument 'x'" if missing else f"TypeError: {exc}"


def test_a_bound_target_passed_into_a_graph_fares_as_with_the_decorator(
    pair: tuple[ModuleType, ModuleType], tf: Any
) -> None:
    patched, applied = pair
    # TensorFlow unwraps `__wrapped__` of an argument it traces; the decorated method fails
    # inside `logspace`'s graph (check_shapes's wrapper loses `self`): the proof must see that.
    assert _outcome(patched, tf) == _outcome(applied, tf)
