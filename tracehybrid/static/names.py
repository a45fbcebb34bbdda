"""What fully-qualified names mean: TensorFlow APIs and the Python calls that are effects."""

from __future__ import annotations

import builtins
from typing import Literal

# Import roots whose calls are TensorFlow (or Keras / TFP) operations.
TF_ROOTS = frozenset({"tensorflow", "keras", "tf_keras", "tensorflow_probability"})
TF_FUNCTION_NAMES = frozenset(
    {
        "tensorflow.function",
        "tensorflow.python.eager.def_function.function",
        "tensorflow.python.eager.polymorphic_function.polymorphic_function.function",
    }
)
# Public classes whose construction yields a tensor.
TENSOR_CLASSES = frozenset({"Tensor", "SparseTensor", "RaggedTensor", "IndexedSlices"})
# Namespaces whose lower-case functions do not return tensors (configuration, files, strategies).
NON_TENSOR_NAMESPACES = (
    "tensorflow.config",
    "tensorflow.distribute",
    "tensorflow.saved_model",
    "tensorflow.summary.create",
    "tensorflow.io.gfile",
    "tensorflow.train",
    "tensorflow.autograph",
    "tensorflow.compat",
    "tensorflow.keras.utils",
    "tensorflow.keras.callbacks",
    "tensorflow.keras.models.load_model",
    "tensorflow.random.set_seed",
    "tensorflow.executing_eagerly",
    "tensorflow.get_logger",
    "tensorflow.test",
    "tensorflow.keras.backend.clear_session",
    "keras.utils",
    "keras.callbacks",
    "keras.config",
    "keras.saving",
    "keras.backend.clear_session",
)
EAGER_ONLY_METHODS = frozenset({"numpy", "to_list"})
EAGER_ONLY_FUNCTIONS = frozenset(
    {
        "tensorflow.keras.backend.get_value",
        "tensorflow.keras.backend.eval",
        "keras.backend.get_value",
        "keras.backend.eval",
        "tensorflow.config.run_functions_eagerly",
    }
)
TensorKind = Literal["tensor", "variable", "range", "print", "dataset", "function", "tfobj", "none"]

BUILTIN_NAMES = frozenset(dir(builtins))
PRINT_NAMES = frozenset({"builtins.print", "pprint.pprint", "pprint.pp"})
LOGGING_ROOTS = ("logging.", "warnings.warn", "absl.logging.", "tensorflow.get_logger")
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"}
)
IO_CALLS = frozenset(
    {
        "builtins.open",
        "builtins.input",
        "io.open",
        "os.system",
        "os.remove",
        "os.unlink",
        "os.rename",
        "os.replace",
        "os.mkdir",
        "os.makedirs",
        "os.rmdir",
        "os.write",
        "os.popen",
        "pickle.dump",
        "json.dump",
        "numpy.save",
        "numpy.savez",
        "numpy.savetxt",
        "numpy.load",
        "numpy.loadtxt",
        "sys.stdout.write",
        "sys.stderr.write",
    }
)
IO_ROOTS = ("subprocess.", "socket.", "shutil.", "urllib.request.", "requests.", "http.client.")
IO_METHODS = frozenset({"write_text", "write_bytes", "read_text", "read_bytes", "writelines"})
RANDOM_ROOTS = ("random.", "numpy.random.")
CLOCK_CALLS = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.process_time",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
    }
)
DYNAMIC_CALLS = frozenset({"builtins.eval", "builtins.exec"})
# Methods that change a list, dict, set or similar container in place.
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "sort",
        "reverse",
        "popitem",
        "appendleft",
        "extendleft",
        "popleft",
        "__setitem__",
        "__delitem__",
    }
)
VARIABLE = "tensorflow.Variable"  # what `tf.Variable(...)` makes, and an attribute holding one
# Libraries whose objects keep their state in tf.Variables (Sonnet's modules, metrics, moving
# averages and optimizers): a method of one, `ema.update(x)`, is a graph-safe variable update.
STATEFUL_MODULE_ROOTS = frozenset({"sonnet"})
# Calls into these modules are understood well enough not to count as unknown.
QUIET_ROOTS = frozenset(
    {
        "builtins",
        "math",
        "functools",
        "itertools",
        "collections",
        "operator",
        "typing",
        "dataclasses",
        "copy",
        "numpy",
        "re",
        "string",
        "enum",
        "abc",
    }
)


def root_of(qualified: str) -> str:
    return qualified.split(".", 1)[0]


def canonical(qualified: str) -> str:
    """Fold TensorFlow's aliases onto one spelling (`tf.compat.v2.x`, `tf_keras.x` -> canonical)."""
    for prefix, repl in (
        ("tensorflow.compat.v2.", "tensorflow."),
        ("tensorflow.compat.v1.", "tensorflow."),
        ("tf_keras.", "tensorflow.keras."),
        ("tensorflow.python.keras.", "tensorflow.keras."),
    ):
        if qualified.startswith(prefix):
            return repl + qualified[len(prefix) :]
    return qualified


def is_tf(qualified: str) -> bool:
    return root_of(qualified) in TF_ROOTS


def is_tf_function(qualified: str) -> bool:
    return canonical(qualified) in TF_FUNCTION_NAMES


def tf_call_kind(qualified: str) -> TensorKind:
    """What calling the TensorFlow name `qualified` produces."""
    name = canonical(qualified)
    parts = name.split(".")
    last = parts[-1]
    if name in TF_FUNCTION_NAMES:
        return "function"
    if "data" in parts[1:3] or last.endswith("Dataset"):
        return "dataset"
    if last == "Variable":
        return "variable"
    if last == "range":
        return "range"
    if last == "print":
        return "print"
    if any(p in TENSOR_CLASSES for p in parts[1:]):
        return "tensor"
    if name.startswith(NON_TENSOR_NAMESPACES) or last.startswith("_"):
        return "none"
    if last[:1].isupper():
        return "tfobj"
    return "tensor"


def is_keras_base(qualified: str) -> bool:
    """True for Keras `Model` / `Layer` / `Sequential` classes, under any import path."""
    name = canonical(qualified)
    return is_tf(name) and name.rsplit(".", 1)[-1] in {"Model", "Layer", "Sequential"}
