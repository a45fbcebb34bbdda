"""The registry of stable diagnostic codes: code, kebab-case name, category, docs, fix safety."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tracehybrid.errors import UnknownCodeError

Category = Literal[
    "side_effect",
    "global_write",
    "mutation",
    "tensor_to_python",
    "nondeterminism",
    "variable_creation",
    "recursion",
    "generator",
    "unsupported",
    "no_tensor_args",
    "retracing",
    "not_exercised",
    "disagreement",
    "graph_failure",
    "output_mismatch",
    "no_speedup",
]
CATEGORIES: tuple[Category, ...] = (
    "side_effect",
    "global_write",
    "mutation",
    "tensor_to_python",
    "nondeterminism",
    "variable_creation",
    "recursion",
    "generator",
    "unsupported",
    "no_tensor_args",
    "retracing",
    "not_exercised",
    "disagreement",
    "graph_failure",
    "output_mismatch",
    "no_speedup",
)
Applicability = Literal["safe", "unsafe", "display_only"]
Stage = Literal["static", "runtime", "measurement"]


@dataclass(frozen=True)
class Code:
    """One diagnostic: stable `code`, kebab-case `name`, one contract category and its docs."""

    code: str
    name: str
    category: Category
    stage: Stage
    summary: str
    why: str
    before: str
    after: str
    fix: Applicability | None  # applicability of the suggested fix; None when there is none
    blocking: bool = True  # False: informs an input_signature or a report, never rejects


def _c(
    code: str,
    name: str,
    category: Category,
    stage: Stage,
    summary: str,
    why: str,
    before: str,
    after: str,
    fix: Applicability | None = None,
    *,
    blocking: bool = True,
) -> Code:
    return Code(code, name, category, stage, summary, why, before, after, fix, blocking)


_REGISTRY: tuple[Code, ...] = (
    _c(
        "TH101",
        "print-call",
        "side_effect",
        "static",
        "Calls Python's `print`, which runs only while the function is traced.",
        "Under `tf.function` the Python body runs once per trace, so `print` fires once and then "
        "never again, and it prints symbolic tensors. `tf.print` is a graph op that runs every call.",
        "def step(x):\n    print('loss', x)\n    return x * 2",
        "def step(x):\n    tf.print('loss', x)\n    return x * 2",
        "display_only",
    ),
    _c(
        "TH102",
        "logging-call",
        "side_effect",
        "static",
        "Logs through Python `logging` or `warnings`, which runs only at trace time.",
        "Log records are emitted while tracing, with symbolic tensors, and are silent on later "
        "calls. Log outside the function, or use `tf.print` for per-call values.",
        "def step(x):\n    log.info('step %s', x)\n    return x + 1",
        "def step(x):\n    return x + 1\n\ny = step(x)\nlog.info('step %s', y)",
    ),
    _c(
        "TH103",
        "io-call",
        "side_effect",
        "static",
        "Performs file, socket, process or other I/O.",
        "I/O in a traced function happens once per trace, not once per call, so files are "
        "written once and reads are frozen into the graph as constants.",
        "def save(x):\n    with open('out.txt', 'a') as f:\n        f.write(str(x))",
        "def save(x):\n    tf.io.write_file('out.txt', tf.strings.as_string(x))",
    ),
    _c(
        "TH104",
        "iterator-next",
        "side_effect",
        "static",
        "Calls `next()` on a Python iterator, advancing state outside TensorFlow.",
        "A traced function calls `next()` once while tracing and then reuses that first element "
        "on every call. Iterators over `tf.data.Dataset` are fine.",
        "it = iter([1, 2, 3])\ndef f(x):\n    return x + next(it)",
        "ds = iter(tf.data.Dataset.range(3))\ndef f(x):\n    return x + next(ds)",
    ),
    _c(
        "TH111",
        "global-write",
        "global_write",
        "static",
        "Assigns a module global (`global name`).",
        "The assignment runs only while tracing; later calls leave the global unchanged, and a "
        "tensor stored there leaks out of the graph.",
        "STEP = 0\ndef train(x):\n    global STEP\n    STEP += 1\n    return x * 2",
        "step = tf.Variable(0)\ndef train(x):\n    step.assign_add(1)\n    return x * 2",
    ),
    _c(
        "TH112",
        "nonlocal-write",
        "global_write",
        "static",
        "Assigns a variable of an enclosing function (`nonlocal name`).",
        "Closure cells are written once per trace, so counters and caches in the enclosing scope "
        "stop changing after the first call.",
        "def make():\n    n = 0\n    def f(x):\n        nonlocal n\n        n += 1\n        return x\n    return f",
        "def make():\n    n = tf.Variable(0)\n    def f(x):\n        n.assign_add(1)\n        return x\n    return f",
    ),
    _c(
        "TH121",
        "argument-mutation",
        "mutation",
        "static",
        "Mutates an object passed in as an argument (item, attribute or method such as `append`).",
        "The caller's object is changed once per trace rather than once per call, and it may end "
        "up holding symbolic tensors that cannot be used outside the graph.",
        "def collect(x, out):\n    out.append(x * 2)",
        "def collect(x):\n    return x * 2\n\nout.append(collect(x))",
    ),
    _c(
        "TH122",
        "self-mutation",
        "mutation",
        "static",
        "Assigns or mutates an attribute of `self` on every call.",
        "Attribute writes happen once per trace. Counters stop counting and cached tensors leak "
        "out of the graph. Lazy creation of weights in `build` is exempt. A method called on an "
        "attribute of known class is judged by what it does: `self.ema.update(x)` on a module "
        "that assigns `tf.Variable`s is no mutation, `.update()` on a dict attribute is.",
        "def call(self, x):\n    self.calls += 1\n    self.last = x\n    return x",
        "def call(self, x):\n    self.calls.assign_add(1)\n    return x",
    ),
    _c(
        "TH123",
        "outer-object-mutation",
        "mutation",
        "static",
        "Mutates a module-level or captured object (a list, dict or instance that outlives the call).",
        "The mutation runs once per trace: the container stops growing after the first call and "
        "holds symbolic tensors.",
        "HISTORY = []\ndef step(x):\n    HISTORY.append(x)\n    return x",
        "def step(x):\n    return x\n\nHISTORY.append(step(x))",
    ),
    _c(
        "TH131",
        "eager-only-call",
        "tensor_to_python",
        "static",
        "Calls an eager-only tensor method such as `.numpy()`.",
        "Inside a graph the tensor is symbolic and raises "
        "`AttributeError: 'SymbolicTensor' object has no attribute 'numpy'`.",
        "def accuracy(y, p):\n    return (y == p).numpy().mean()",
        "def accuracy(y, p):\n    return tf.reduce_mean(tf.cast(y == p, tf.float32))",
    ),
    _c(
        "TH132",
        "python-conversion",
        "tensor_to_python",
        "static",
        "Converts a tensor to a Python value with `float()`, `int()` or `bool()`.",
        "AutoGraph turns these into tensor casts, so the result is a tensor, not a Python number, "
        "and code that relied on the Python value changes behaviour or fails.",
        "def scale(x):\n    return x * float(tf.reduce_max(x))",
        "def scale(x):\n    return x * tf.reduce_max(x)",
    ),
    _c(
        "TH133",
        "numpy-on-tensor",
        "tensor_to_python",
        "static",
        "Applies a NumPy function to a tensor-valued argument.",
        "NumPy cannot read symbolic tensors: "
        "`NotImplementedError: Cannot convert a symbolic tf.Tensor to a numpy array`.",
        "def clip(x):\n    return np.maximum(x, 0)",
        "def clip(x):\n    return tf.maximum(x, 0)",
    ),
    _c(
        "TH141",
        "python-random",
        "nondeterminism",
        "static",
        "Draws random numbers from Python's `random` or `numpy.random`.",
        "The number is drawn once while tracing and frozen into the graph as a constant: every "
        "call then sees the same value. Use `tf.random` ops.",
        "def augment(img):\n    if random.random() < 0.5:\n        img = tf.image.flip_left_right(img)\n    return img",
        "def augment(img):\n    return tf.cond(tf.random.uniform([]) < 0.5,\n"
        "                   lambda: tf.image.flip_left_right(img), lambda: img)",
    ),
    _c(
        "TH142",
        "clock-read",
        "nondeterminism",
        "static",
        "Reads a Python clock (`time.time()`, `datetime.now()`).",
        "The time is read once while tracing and frozen into the graph; durations measured "
        "inside the function are meaningless.",
        "def step(x):\n    t0 = time.time()\n    y = x * 2\n    return y, time.time() - t0",
        "t0 = time.time()\ny = step(x)\nelapsed = time.time() - t0",
    ),
    _c(
        "TH151",
        "variable-creation",
        "variable_creation",
        "static",
        "Creates a `tf.Variable` on every call.",
        "`tf.function` only supports variables created on the first call and raises "
        "`ValueError: tf.function only supports singleton tf.Variables created on the first call`.",
        "def step(x):\n    acc = tf.Variable(0.0)\n    acc.assign_add(tf.reduce_sum(x))\n    return acc",
        "acc = tf.Variable(0.0)\ndef step(x):\n    acc.assign_add(tf.reduce_sum(x))\n    return acc",
    ),
    _c(
        "TH161",
        "recursion",
        "recursion",
        "static",
        "Calls itself, directly or through other project functions.",
        "Tracing a recursive Python function unrolls it at trace time; with a tensor-dependent "
        "depth it never terminates or raises. Recursive tf.functions are not supported.",
        "def depth(x):\n    return 0 if x.shape[0] == 1 else 1 + depth(x[1:])",
        "def depth(x):\n    return tf.shape(x)[0] - 1",
    ),
    _c(
        "TH171",
        "generator-function",
        "generator",
        "static",
        "Is a generator (`yield`).",
        "`tf.function` cannot return a generator; wrap the loop body instead, or use `tf.data`.",
        "def batches(x):\n    for i in range(0, 100, 10):\n        yield x[i:i + 10]",
        "def batches(x):\n    return tf.data.Dataset.from_tensor_slices(x).batch(10)",
    ),
    _c(
        "TH172",
        "async-function",
        "generator",
        "static",
        "Is an `async def` coroutine.",
        "Coroutines cannot be traced into a graph.",
        "async def predict(x):\n    return model(x)",
        "def predict(x):\n    return model(x)",
    ),
    _c(
        "TH181",
        "tensor-iteration",
        "unsupported",
        "static",
        "Iterates a tensor in a way AutoGraph cannot stage: a `return` or a growing Python list "
        "inside a tensor loop, or a comprehension, `list()`, `enumerate()` or `zip()` over a tensor.",
        "AutoGraph turns `for`/`while` loops over tensors into `tf.while_loop`, but not these: a "
        "`return` inside raises `NotImplementedError`, a list appended inside raises "
        "`InaccessibleTensorError`, and a comprehension or builtin iterating a symbolic tensor raises "
        "`OperatorNotAllowedInGraphError`. Plain tensor loops are not flagged.",
        "def doubled(x):\n    out = []\n    for v in x:\n        out.append(v * 2)\n"
        "    return tf.stack(out)",
        "def doubled(x):\n    out = tf.TensorArray(x.dtype, size=0, dynamic_size=True)\n"
        "    for v in x:\n        out = out.write(out.size(), v * 2)\n    return out.stack()",
    ),
    _c(
        "TH182",
        "invalid-name-argument",
        "unsupported",
        "static",
        "Passes a non-string value into a TensorFlow API's `name` parameter.",
        "While tracing, TensorFlow opens a name scope with that value and raises; eagerly the "
        "name is ignored. A dtype passed positionally often lands there (`tf.sqrt(x, tf.float32)`).",
        "def root(x):\n    return tf.sqrt(x, tf.float32)",
        "def root(x):\n    return tf.sqrt(tf.cast(x, tf.float32))",
    ),
    _c(
        "TH183",
        "tensor-assert",
        "unsupported",
        "static",
        "Uses a Python `assert` on a tensor condition.",
        "AutoGraph does not convert `assert` by default, so it raises "
        "`OperatorNotAllowedInGraphError`; use `tf.debugging.assert_*`.",
        "def norm(x):\n    assert tf.reduce_all(x >= 0)\n    return tf.sqrt(x)",
        "def norm(x):\n    tf.debugging.assert_non_negative(x)\n    return tf.sqrt(x)",
    ),
    _c(
        "TH184",
        "stale-variable-read",
        "unsupported",
        "static",
        "Reads `model.trainable_variables` before the model's first call and feeds an optimizer.",
        "On a trace after the first, the list was read before the model built its weights, so "
        "the optimizer creates slots inside the graph and raises.",
        "def step(model, x):\n    vs = model.trainable_variables\n    with tf.GradientTape() as t:\n"
        "        loss = model(x)\n    opt.apply_gradients(zip(t.gradient(loss, vs), vs))",
        "def step(model, x):\n    with tf.GradientTape() as t:\n        loss = model(x)\n"
        "    vs = model.trainable_variables\n    opt.apply_gradients(zip(t.gradient(loss, vs), vs))",
    ),
    _c(
        "TH185",
        "dynamic-code",
        "unsupported",
        "static",
        "Runs dynamic code (`eval`, `exec`, `globals()` writes) that cannot be analysed or traced.",
        "Neither tracehybrid nor AutoGraph can see what such code does, so its behaviour in a "
        "graph is unknown.",
        "def apply(x, expr):\n    return eval(expr)",
        "def apply(x, fn):\n    return fn(x)",
    ),
    _c(
        "TH186",
        "leaked-tensor-read",
        "unsupported",
        "static",
        "Reads a global that a `tf.function` assigns a graph tensor to.",
        "A tensor created while tracing leaks out of its graph; using it elsewhere raises "
        "`TypeError: ... is out of scope and cannot be used here`, eagerly and as a graph "
        "alike, so it never blocks converting the reader: the `tf.function` that assigns the "
        "global is the one to fix (TH111).",
        "@tf.function\ndef f(a):\n    global x\n    x = a + 1\n\ndef g(b):\n    return b + x",
        "@tf.function\ndef f(a):\n    return a + 1\n\ndef g(b, x):\n    return b + x",
        blocking=False,  # tests/autograph/test_stale_dynamic_leak.py: the same error either way
    ),
    _c(
        "TH191",
        "no-tensor-parameters",
        "no_tensor_args",
        "static",
        "No tensor flows in through the parameters.",
        "A graph helps when tensors flow in; with only Python values every new value retraces, "
        "and a function with no inputs is better computed once.",
        "@tf.function\ndef make_table():\n    return tf.range(10)",
        "def make_table():\n    return tf.range(10)",
        "unsafe",
    ),
    _c(
        "TH192",
        "no-tensor-computation",
        "no_tensor_args",
        "static",
        "The body runs no TensorFlow operation (directly or through callees).",
        "With no ops to stage there is nothing for a graph to speed up; a `tf.function` wrapper "
        "only adds call overhead.",
        "@tf.function\ndef identity(x):\n    return x",
        "def identity(x):\n    return x",
        "unsafe",
    ),
    _c(
        "TH193",
        "python-scalar-parameter",
        "retracing",
        "static",
        "A parameter receives Python scalars (int, float, str), which key a new trace per value.",
        "`tf.function` keys Python scalars by value, so `lr=0.01` and `lr=0.001` are two traces. "
        "Pass a tensor, or fix the value with a closure.",
        "step(x, lr=0.01)\nstep(x, lr=0.001)",
        "step(x, lr=tf.constant(0.01))\nstep(x, lr=tf.constant(0.001))",
        blocking=False,  # a risk: the runtime trace count decides whether it retraces too much
    ),
    _c(
        "TH194",
        "covered-callers",
        "no_speedup",
        "static",
        "Every call site is already inside a `tf.function`, so it is already traced into a graph.",
        "Decorating it again adds a nested trace and no speedup; the caller's graph already "
        "includes it.",
        "def helper(x):\n    return x * 2\n\n@tf.function\ndef f(x):\n    return helper(x)",
        "(leave `helper` eager: it is traced as part of `f`)",
        blocking=True,
    ),
    _c(
        "TH195",
        "conflicting-dtype-coercion",
        "retracing",
        "static",
        "A NumPy or Python argument is combined with tensors of two different dtypes.",
        "Eagerly each op coerces the value to its own dtype; a single `input_signature` cannot "
        "preserve both, so no signature is synthesised.",
        "def f(a):\n    return a * v32 + a * v64",
        "def f(a32, a64):\n    return a32 * v32 + a64 * v64",
        blocking=False,
    ),
    _c(
        "TH196",
        "statically-read-axis",
        "retracing",
        "static",
        "The body reads an axis of a tensor parameter as a Python int (`x.shape[1]`).",
        "A synthesised `input_signature` that leaves this axis as `None` would break the body, "
        "so tracehybrid keeps that axis fixed or withholds the signature.",
        "def f(x):\n    return tf.reshape(x, [x.shape[0] * x.shape[1]])",
        "def f(x):\n    return tf.reshape(x, [-1])",
        blocking=False,
    ),
    _c(
        "TH197",
        "tf-function-created-per-call",
        "retracing",
        "static",
        "A `tf.function` is created anew on every call of its enclosing function and called there, "
        "so every call traces it again.",
        "Each `tf.function` object keeps its own trace cache. One defined or wrapped inside a body "
        "is a new object, with an empty cache, on each call of that body: it traces (often "
        "0.2-0.6 s) on every call and never reuses a graph, which is what TensorFlow's warning "
        '"5 out of the last 5 calls triggered retracing" usually means. Create it once: at module '
        "level, in `__init__`, or cached on the object. Not flagged: one stored on `self` or in a "
        "cache, returned to the caller, or created in a cached or set-up function.",
        "def fast_eval(model, x):\n    @tf.function\n    def _run(x):\n"
        "        return model(x, training=False)\n    return _run(x)",
        "class Evaluator:\n    def __init__(self, model):\n        self.model = model\n"
        "        self._run = tf.function(self._eval)\n\n    def _eval(self, x):\n"
        "        return self.model(x, training=False)\n\n    def __call__(self, x):\n"
        "        return self._run(x)",
        "display_only",
        blocking=False,
    ),
    _c(
        "TH201",
        "excessive-retracing",
        "retracing",
        "runtime",
        "The calls seen under the tests would produce more distinct traces than the threshold.",
        "Each new trace costs tracing and graph building (often 0.2-0.6 s); a function that "
        "retraces on most calls runs slower as a graph than eagerly.",
        "@tf.function\ndef f(x):\n    ...\nf(tf.zeros([1])); f(tf.zeros([2])); f(tf.zeros([3]))",
        "@tf.function(reduce_retracing=True)\ndef f(x):\n    ...",
        "safe",
    ),
    _c(
        "TH202",
        "untraceable-argument",
        "unsupported",
        "runtime",
        "An argument seen under the tests cannot be keyed by `tf.function` (a set, an unhashable dataclass).",
        "`tf.function` raises `TypeError: Could not generate a generic TraceType for ...` on such "
        "a value.",
        "@dataclass\nclass Cfg:\n    lr: float\n\nstep(x, Cfg(0.1))",
        "@dataclass(frozen=True)\nclass Cfg:\n    lr: float\n\nstep(x, Cfg(0.1))",
    ),
    _c(
        "TH203",
        "keras-symbolic-argument",
        "unsupported",
        "runtime",
        "Called with a Keras symbolic tensor (a functional-model `Input`).",
        "`tf.function` refuses KerasTensors; the function is part of model construction, not of "
        "execution.",
        "inp = keras.Input((4,))\nout = block(inp)",
        "(leave `block` eager; Keras compiles the model itself)",
    ),
    _c(
        "TH205",
        "python-number-retracing",
        "retracing",
        "runtime",
        "Retraces because a Python number it is passed changes between calls; a synthesized "
        "`input_signature` with a scalar `tf.TensorSpec` for it traces once.",
        "`tf.function` keys a Python bool, int or float by its value, so every new value traces "
        "a new graph and `reduce_retracing` cannot help. A scalar spec (float -> `tf.float32`, "
        "int -> `tf.int32`, bool -> `tf.bool`) turns the value into a tensor: one trace serves "
        "every value. The fix is unsafe: the body then sees a tensor, not a Python number, so "
        "`if angle > 0` becomes a tensor condition and `math.cos(angle)` or `[0] * n` break or "
        "change. tracehybrid approves it only when the graph run proves it (outcomes unchanged, "
        "outputs equal, traces counted within the limit); otherwise it is rejected with what broke.",
        "@tf.function\ndef rotate(points, angle):\n    ...\n"
        "for angle in angles:\n    rotate(points, angle)  # one trace per angle",
        "@tf.function(\n    input_signature=[\n"
        "        tf.TensorSpec(shape=[None, 2], dtype=tf.float32),\n"
        "        tf.TensorSpec(shape=[], dtype=tf.float32),\n    ]\n)\n"
        "def rotate(points, angle):\n    ...",
        "unsafe",
        blocking=False,
    ),
    _c(
        "TH210",
        "not-exercised",
        "not_exercised",
        "runtime",
        "No passing test called the function, so there is no runtime proof.",
        "tracehybrid approves a change only after running it under the project's tests. Add a "
        "test that calls the function.",
        "def unused(x):\n    return x * 2",
        "def test_unused():\n    assert unused(tf.constant(1)) == 2",
    ),
    _c(
        "TH211",
        "graph-only-calls",
        "not_exercised",
        "runtime",
        "The function was only called from inside an existing graph (a `tf.function` or Keras `fit`).",
        "AutoGraph runs a converted copy, so its eager calls were never observed; it already runs "
        "as part of its caller's graph.",
        "@tf.function\ndef train(x):\n    return helper(x)",
        "(nothing to change: `helper` is already staged inside `train`)",
    ),
    _c(
        "TH220",
        "static-runtime-disagreement",
        "disagreement",
        "runtime",
        "Static analysis and the observed calls disagree about this function.",
        "For example static analysis saw no effect but a test saw a print, or it inferred a "
        "tensor parameter but the tests only passed Python ints. tracehybrid never approves a "
        "change when its two sources of evidence contradict each other.",
        "def f(x):\n    return g(x)  # g prints through a dynamic call",
        "(inspect the evidence shown for both sides)",
    ),
    _c(
        "TH230",
        "already-optimal",
        "retracing",
        "runtime",
        "An existing tf.function that stays within the trace limit and has no graph-hostile effect.",
        "Nothing to change: its calls under the tests reuse few traces, it has tensor inputs, and "
        "no Python behaviour is lost in the graph. Listed so every candidate has a verdict.",
        "@tf.function\ndef step(x):\n    return tf.reduce_sum(x * x)",
        "(keep it as it is)",
        blocking=False,
    ),
    _c(
        "TH301",
        "graph-failure",
        "graph_failure",
        "measurement",
        "A test passed eagerly but failed or errored with this function as a graph.",
        "The graph-mode rerun of the project's own tests is the proof; a changed outcome means the "
        "refactoring is not safe.",
        "def f(x):\n    return x.numpy() + 1  # fails only as a graph",
        "def f(x):\n    return x + 1",
    ),
    _c(
        "TH302",
        "output-mismatch",
        "output_mismatch",
        "measurement",
        "The graph's outputs differ from the eager outputs on the recorded inputs.",
        "Beyond float rounding, a difference means the graph computes something else, usually "
        "because Python state was frozen at trace time.",
        "def f(x):\n    return x * SCALE  # SCALE changes between calls",
        "def f(x, scale):\n    return x * scale",
    ),
    _c(
        "TH303",
        "no-speedup",
        "no_speedup",
        "measurement",
        "In steady state the graph call is not faster than the eager call by the required margin.",
        "Graphs remove per-op Python dispatch; a function of one large kernel or a few ops gains "
        "nothing and pays the `tf.function` call overhead.",
        "def f(x):\n    return tf.matmul(x, x)",
        "(leave it eager)",
    ),
    _c(
        "TH304",
        "trace-cost-not-recovered",
        "no_speedup",
        "measurement",
        "Tracing costs more than the per-call saving recovers over the expected calls per trace.",
        "Each trace costs hundreds of milliseconds; with few calls per trace the graph is a net "
        "loss.",
        "for lr in rates:\n    step(x, lr)  # a new trace per lr",
        "for lr in rates:\n    step(x, tf.constant(lr))",
    ),
    _c(
        "TH305",
        "runs-inside-graph",
        "no_speedup",
        "measurement",
        "In the graph-mode run it was only called while an outer graph was traced.",
        "Its callers became graphs (approved conversions or existing `tf.function`s), so it is "
        "already staged inside their graphs: converting it too gains nothing, and it was never "
        "called eagerly to be timed. Nothing to change.",
        "def helper(x):\n    return x * 2\n\ndef step(x):  # approved: @tf.function\n"
        "    return helper(x)",
        "(leave `helper` eager: it runs inside the graph of `step`)",
    ),
    _c(
        "TH306",
        "not-timed",
        "no_speedup",
        "measurement",
        "Proven as a graph, but no steady-state call could be timed, so no speedup is shown.",
        "A conversion is approved only when it is measured faster. Its sampled calls could not be "
        "replayed for timing, and the tests made too few graph calls that did not trace to time "
        "those instead.",
        "def test_step():\n    step(x)  # one call: nothing to time",
        "def test_step():\n    for _ in range(10):\n        step(x)",
    ),
    _c(
        "TH307",
        "graph-warning",
        "graph_failure",
        "measurement",
        "As a graph it made TensorFlow or Keras warn that a variable was created inside the graph "
        "or that gradients do not exist, while every test still passed.",
        "Variables first created inside a trace are not the ones training updates: their "
        "gradients are None and the weights stop changing, which few tests assert. The warning "
        "is the evidence, raised while its own graph form ran.",
        "class Block(keras.layers.Layer):\n    @tf.function\n    def call(self, x):\n"
        "        return self.dense(x)  # dense built inside the trace",
        "class Block(keras.layers.Layer):\n    def build(self, shape):\n"
        "        self.dense.build(shape)  # built before any trace",
    ),
    _c(
        "TH308",
        "graph-warning-unsafe",
        "graph_failure",
        "measurement",
        "Proven and faster, but a graph warning appeared where it ran as a graph (AutoGraph could "
        "not transform a function, retracing, missing gradients in a test): an unsafe fix.",
        "The tests passed, yet TensorFlow said something in the graph differs from the eager "
        "code. The fix is written only with `apply --unsafe-fixes`, after reading the warning.",
        "@tf.function\ndef f(x):\n    return helper(x)  # AutoGraph could not transform helper",
        "(read the warning; apply with --unsafe-fixes once it is understood)",
        "unsafe",
        blocking=False,
    ),
)

BY_CODE: dict[str, Code] = {c.code: c for c in _REGISTRY}

# Rejections that leave nothing to change. results.json calls them `rejected` (its verdicts are
# approved or rejected), but summaries count them apart: after a successful `apply`, a run whose
# functions are all already optimal is a success, not "0 approved, 35 rejected".
NOTHING_TO_CHANGE: dict[str, str] = {
    "TH230": "already_optimal",  # an existing tf.function that needs no change
    "TH194": "inside_graph",  # static: every caller is already a tf.function
    "TH211": "inside_graph",  # traced run: called only inside existing graphs
    "TH305": "inside_graph",  # graph-mode run: called only inside its converted callers
}


def nothing_to_change(reason_codes: Iterable[str]) -> str | None:
    """`already_optimal` or `inside_graph` when every one of a rejected function's reasons says
    it needs no change; None when any reason is a real obstacle (or there are none)."""
    kinds = {NOTHING_TO_CHANGE.get(code) for code in reason_codes}
    if len(kinds) != 1 or None in kinds:
        return None
    return kinds.pop()


BY_NAME: dict[str, Code] = {c.name: c for c in _REGISTRY}


def all_codes() -> tuple[Code, ...]:
    """Every registered code, in code order."""
    return _REGISTRY


def get(code_or_name: str) -> Code:
    """Look up a code by `TH...` code or by kebab-case name (case-insensitive)."""
    key = code_or_name.strip()
    found = BY_CODE.get(key.upper()) or BY_NAME.get(key.lower())
    if found is None:
        raise UnknownCodeError(
            f"unknown code {code_or_name!r}; `tracehybrid explain --list` shows them all"
        )
    return found
