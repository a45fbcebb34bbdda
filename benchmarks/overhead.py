"""Tracer overhead: wall time with and without tracehybrid's tracer, interleaved, as median ratios.

(a) >= 100,000 calls to non-candidate code (target <= 1.03x)
(b) >= 10,000 calls to a candidate doing small tensor work (target <= 1.5x)
(c) the bundled example project's pytest suite, as whole processes (target <= 1.10x)
(d) a GPflow-shaped model (target <= 1.15x, the real suites' target): small methods of tf.Module
    subclasses, each behind a check_shapes-like decorator from a library outside the project,
    reading parameters as attributes, with nested dict/tuple/list arguments (one list of 48
    tensors), called from a deep stack: 7 candidate calls per step, thousands of steps
(e) the final flush's trace-key prediction for a dm-sonnet-shaped test helper: 64 tests each
    call `apply_all(per_step_grads, optimizer.apply)`, 300 tensors in nested lists and a new
    optimizer each time; timed with the key screen and without it, side by side (target <= 2 s,
    most of it TensorFlow keying the 19,200 tensors itself;
    dm-sonnet's `_apply_optimizer` took 46 s here before the screen)
(f) a dm-sonnet-shaped optimizer (target <= 1.15x): `apply(updates, parameters)` over lists of 8
    tf.Variables, checking each pair through per-parameter candidate helpers that call builtins
    (len, isinstance, zip): dm-sonnet's optimizer tests made 72,000 candidate calls and 284,000
    calls inside candidates, most of them with variables as arguments
The ratio is for the traced suite itself; the collector's start and final flush (store write,
trace-key prediction) are a fixed cost per process, printed beside it.
Run: .venv/bin/python benchmarks/overhead.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracehybrid.config import load_config
from tracehybrid.launcher import traced_environment
from tracehybrid.runtime.candidates import CandidateSet, CandidateSpec
from tracehybrid.runtime.collector import Collector
from tracehybrid.session import write_candidates
from tracehybrid.static import analyze_project
from tracehybrid.tracekeys.screen import KeyScreen

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"

NON_CANDIDATE_CALLS = 1_000_000
CANDIDATE_CALLS = 10_000
MODEL_STEPS = 1_500
STACK_DEPTH = 60

# (d)'s library: what check_shapes does on every call (bind the arguments, read every tensor's
# shape, nested structures included, check the dimensions agree), installed outside the project.
SHAPE_CHECKS = """
import functools, inspect

def _shapes(value, out):
    if isinstance(value, dict):
        for item in value.values():
            _shapes(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _shapes(item, out)
    elif hasattr(value, "shape"):
        out.append(tuple(value.shape))

def check_shapes(*specs):
    names = [spec.split(":")[0] for spec in specs if not spec.startswith("return")]
    def decorate(func):
        signature = inspect.signature(func)
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            seen = []
            for name in names:
                _shapes(bound.arguments[name], seen)
            if any(len(shape) > 4 for shape in seen):
                raise ValueError(f"{func.__qualname__}: rank above 4 in {seen}")
            result = func(*args, **kwargs)
            _shapes(result, seen)
            return result
        return wrapped
    return decorate
"""

# (d)'s project: every method below is a candidate, as static analysis finds them in GPflow.
GP_MODEL = """
import tensorflow as tf
from shape_checks import check_shapes

class Kernel(tf.Module):
    def __init__(self, dim):
        super().__init__()
        self.variance = tf.Variable(1.0, dtype=tf.float64)
        self.lengthscales = tf.Variable(tf.ones([dim], dtype=tf.float64))

    @check_shapes("X: [N, D]", "return: [N, D]")
    def scale(self, X):
        return X / self.lengthscales

    @check_shapes("X: [N, D]", "X2: [M, D]", "return: [N, M]")
    def square_distance(self, X, X2):
        Xs, X2s = self.scale(X), self.scale(X2)
        cross = tf.matmul(Xs, X2s, transpose_b=True)
        return tf.reduce_sum(Xs**2, -1)[:, None] + tf.reduce_sum(X2s**2, -1)[None, :] - 2 * cross

    @check_shapes("X: [N, D]", "X2: [M, D]", "return: [N, M]")
    def K(self, X, X2=None):
        X2 = X if X2 is None else X2
        return self.variance * tf.exp(-0.5 * self.square_distance(X, X2))

class Likelihood(tf.Module):
    def __init__(self):
        super().__init__()
        self.noise = tf.Variable(0.1, dtype=tf.float64)

    @check_shapes("F: [N, 1]", "Y: [N, 1]", "return: [N]")
    def log_prob(self, F, Y):
        return tf.reduce_sum(-0.5 * (F - Y) ** 2 / self.noise, -1)

    @check_shapes("history: [K, D]")
    def smooth(self, history, weight=0.5):
        return weight * history[-1] + (1.0 - weight) * history[0]

    @check_shapes("data: [N, D]", "options: [D]")
    def objective(self, kernel, data, options):
        X, Y = data["train"]
        F = tf.reduce_sum(kernel.K(X), -1, keepdims=True)
        prior = tf.reduce_sum(self.smooth(options["history"]))
        return tf.reduce_mean(self.log_prob(F, Y)) * options["weights"][0] + prior
"""


# (f)'s project: every function below is a candidate, as static analysis finds them in dm-sonnet.
OPTIMIZER = """
import tensorflow as tf

def check_updates_parameters(updates, parameters):
    if len(updates) != len(parameters):
        raise ValueError("`updates` and `parameters` must be the same length.")
    if not all(isinstance(p, tf.Variable) for p in parameters):
        raise ValueError("every parameter must be a tf.Variable")

def check_same_dtype(update, parameter):
    if update.dtype != parameter.dtype:
        raise ValueError(f"dtype mismatch: {update.dtype} vs {parameter.dtype}")

def momentum_update(update, learning_rate, mu, accumulated):
    accumulated.assign(mu * accumulated + update)
    return learning_rate * accumulated

class Momentum(tf.Module):
    def __init__(self, parameters, learning_rate=0.1, momentum=0.9):
        super().__init__()
        self.learning_rate, self.momentum = learning_rate, momentum
        self.accumulated = [tf.Variable(tf.zeros_like(p)) for p in parameters]

    def apply(self, updates, parameters):
        check_updates_parameters(updates, parameters)
        for update, parameter, accumulated in zip(updates, parameters, self.accumulated):
            check_same_dtype(update, parameter)
            if isinstance(update, tf.Tensor):
                parameter.assign_sub(
                    momentum_update(update, self.learning_rate, self.momentum, accumulated)
                )
"""
OPTIMIZER_STEPS = 400


def _spec(func: Any) -> CandidateSpec:
    code = func.__code__
    return CandidateSpec(
        code.co_filename, code.co_qualname, code.co_firstlineno, code.co_firstlineno
    )


def _add(a: int, b: int) -> int:
    return a + b


def non_candidate_suite() -> int:
    total = 0
    for n in range(NON_CANDIDATE_CALLS // 2):
        total = _add(total, _add(n, 1))
    return total


def _unused_candidate(x: Any) -> Any:
    return x


def make_tensor_suite() -> tuple[Callable[[], Any], Any]:
    import tensorflow as tf

    def small_step(x: Any, scale: float = 2.0) -> Any:
        return tf.reduce_sum(x * scale + 1.0)

    x = tf.ones([8])

    def suite() -> Any:
        for _ in range(CANDIDATE_CALLS):
            small_step(x)

    return suite, small_step


def make_model_suite(folder: Path) -> tuple[Callable[[], Any], list[CandidateSpec]]:
    """(d): write the library and the project, import them, and return the suite and candidates."""
    import importlib
    import inspect

    import tensorflow as tf

    library, project = folder / "lib" / "site-packages", folder / "project"
    for path, text in (
        (library / "shape_checks.py", SHAPE_CHECKS),
        (project / "gp_model.py", GP_MODEL),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sys.path[:0] = [str(library), str(project)]
    model = importlib.import_module("gp_model")
    methods = [
        inspect.unwrap(member)
        for cls in (model.Kernel, model.Likelihood)
        for name, member in vars(cls).items()
        if inspect.isfunction(member) and name != "__init__"
    ]
    kernel, likelihood = model.Kernel(3), model.Likelihood()
    x = tf.ones([16, 3], tf.float64)
    data = {"train": (x, tf.zeros([16, 1], tf.float64))}
    options = {"weights": [tf.constant(0.5, tf.float64)], "history": [x[0]] * 48}

    def steps(depth: int) -> None:
        if depth:  # real tests reach the model through fixtures, frameworks and helpers
            return steps(depth - 1)
        for _ in range(MODEL_STEPS):
            likelihood.objective(kernel, data, options)
        return None

    return (lambda: steps(STACK_DEPTH)), [_spec(method) for method in methods]


def make_optimizer_suite(folder: Path) -> tuple[Callable[[], Any], list[CandidateSpec]]:
    """(f): write the project, import it, and return the suite and its candidates."""
    import importlib
    import inspect

    import tensorflow as tf

    (folder / "sonnet_like.py").write_text(OPTIMIZER, encoding="utf-8")
    sys.path.insert(0, str(folder))
    module = importlib.import_module("sonnet_like")
    functions = [
        member
        for name, member in [*vars(module).items(), *vars(module.Momentum).items()]
        if inspect.isfunction(member) and name != "__init__"
    ]
    parameters = [tf.Variable(tf.ones([4, 3])) for _ in range(8)]
    updates = [tf.fill([4, 3], 0.01) for _ in parameters]
    optimizer = module.Momentum(parameters)

    def suite() -> None:
        for _ in range(OPTIMIZER_STEPS):
            optimizer.apply(updates, parameters)

    return suite, [_spec(function) for function in functions]


def timed(suite: Callable[[], Any], collector: Collector | None) -> tuple[float, float]:
    """(seconds in the suite, seconds of the collector's own start and final flush)."""
    start = time.perf_counter()
    if collector is not None:
        collector.start()
    begin = time.perf_counter()
    suite()
    end = time.perf_counter()
    if collector is not None:
        collector.finish()
    return end - begin, (begin - start) + (time.perf_counter() - end)


def measure(name: str, suite: Callable[[], Any], specs: list[CandidateSpec], runs: int) -> float:
    """Print the steady-state ratio and the fixed per-process cost; return the steady ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        timed(suite, None)  # warm-up: imports, TF kernels, caches
        plain, traced, fixed = [], [], []
        for index in range(runs):
            plain.append(timed(suite, None)[0])
            collector = Collector(CandidateSet(specs, Path(tmp) / str(index)), argv=["bench"])
            in_suite, own = timed(suite, collector)
            traced.append(in_suite)
            fixed.append(own)
    base, with_tracer = statistics.median(plain), statistics.median(traced)
    ratio = with_tracer / base
    whole = (with_tracer + statistics.median(fixed)) / base
    print(
        f"{name}: plain {base * 1000:.1f} ms, traced {with_tracer * 1000:.1f} ms: "
        f"ratio {ratio:.3f}x (median of {runs}, interleaved); start + final flush "
        f"{statistics.median(fixed) * 1000:.1f} ms once per process ({whole:.3f}x on this run)"
    )
    return ratio


def example_suite(runs: int) -> float:
    """(c): the example's pytest run as a subprocess, plain against traced, interleaved."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryDirectory() as tmp:
        facts = analyze_project(load_config(EXAMPLE), cache_dir=Path(tmp) / "cache")
        candidates = write_candidates(facts, Path(tmp) / "out")
        env = traced_environment(candidates, Path(tmp) / "out")

        def once(environment: dict[str, str] | None) -> float:
            start = time.perf_counter()
            subprocess.run(cmd, cwd=EXAMPLE, env=environment, check=True, capture_output=True)
            return time.perf_counter() - start

        once(None)  # warm the OS file cache
        plain, traced = [], []
        for _ in range(runs):
            plain.append(once(None))
            traced.append(once(env))
    base, with_tracer = statistics.median(plain), statistics.median(traced)
    ratio = with_tracer / base
    print(
        f"(c) example suite ({len(facts.candidates)} candidates): plain {base:.2f} s, traced "
        f"{with_tracer:.2f} s: ratio {ratio:.3f}x (median of {runs}, interleaved, whole processes "
        "including the tracer's start, flush and trace-key prediction)"
    )
    return ratio


def model_case(runs: int) -> float:
    """(d), in a folder that lives as long as the measurement."""
    with tempfile.TemporaryDirectory() as tmp:
        suite, specs = make_model_suite(Path(tmp))
        name = f"(d) {MODEL_STEPS} steps of a GPflow-shaped model, {len(specs)} candidates"
        return measure(name, suite, specs, runs)


def optimizer_case(runs: int) -> float:
    """(f), in a folder that lives as long as the measurement."""
    with tempfile.TemporaryDirectory() as tmp:
        suite, specs = make_optimizer_suite(Path(tmp))
        name = f"(f) {OPTIMIZER_STEPS} dm-sonnet-shaped optimizer steps, {len(specs)} candidates"
        return measure(name, suite, specs, runs)


def tensor_case(runs: int) -> float:
    """(b)."""
    suite, step = make_tensor_suite()
    name = f"(b) {CANDIDATE_CALLS} candidate calls with small tensor work"
    return measure(name, suite, [_spec(step)], runs)


def apply_all(per_step_grads: Any, apply: Any) -> None:
    """(e)'s candidate: only its arguments matter (the prediction never runs it)."""
    del per_step_grads, apply


class _Optimizer:
    def apply(self) -> None:
        return None


class _NoScreen(KeyScreen):
    """Decides nothing: TensorFlow compares every pair, as before the screen."""

    def cannot_match(self, request: Any, entry: Any) -> bool:  # noqa: ARG002
        return False

    def cannot_merge(self, target: Any, entry: Any) -> bool:  # noqa: ARG002
        return False


def prediction_case(runs: int) -> float:
    """(e): seconds of one prediction with the screen (returned), and without it, side by side."""
    import tensorflow as tf

    from tracehybrid.tracekeys import predictor

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (([[tf.zeros([3, 4]) for _ in range(30)] for _ in range(10)], _Optimizer().apply), {})
        for _ in range(64)
    ]
    times: dict[str, list[float]] = {"screen": [], "none": []}
    for _ in range(max(1, runs // 3)):
        for name, screen in (("screen", KeyScreen), ("none", _NoScreen)):
            setattr(predictor, "KeyScreen", screen)  # noqa: B010 - what `_count` looks up
            predictor.clear_caches()
            start = time.perf_counter()
            prediction = predictor.predict_traces(apply_all, calls)
            times[name].append(time.perf_counter() - start)
    setattr(predictor, "KeyScreen", KeyScreen)  # noqa: B010
    with_screen, without = statistics.median(times["screen"]), statistics.median(times["none"])
    print(
        f"(e) prediction for 64 calls of 300 tensors and a new optimizer each: with the key "
        f"screen {with_screen:.2f} s, without {without:.2f} s ({without / with_screen:.0f}x); "
        f"traces plain {prediction.traces_plain}, reduce_retracing "
        f"{prediction.traces_reduce_retracing}"
    )
    return with_screen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="abcdef", help="cases to run, e.g. `d` (default all)")
    args = parser.parse_args()
    cases: dict[str, Callable[[int], float]] = {
        "a": lambda runs: measure(
            f"(a) {NON_CANDIDATE_CALLS} non-candidate calls",
            non_candidate_suite,
            [_spec(_unused_candidate)],
            runs,
        ),
        "b": tensor_case,
        "d": model_case,
        "c": lambda runs: example_suite(max(5, runs // 2 + 1)),
        "e": prediction_case,
        "f": optimizer_case,
    }
    ratios = {key: case(args.runs) for key, case in cases.items() if key in args.only}
    targets = {"a": 1.03, "b": 1.5, "c": 1.10, "d": 1.15, "e": 2.0, "f": 1.15}
    for key, ratio in ratios.items():
        verdict = "ok" if ratio <= targets[key] else "OVER TARGET"
        unit = "s" if key == "e" else "x"
        print(f"({key}) {ratio:.3f}{unit} against target {targets[key]}{unit}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
