"""Make the measuring wrapper look, to every introspection real code uses, like the form it runs.

The graph run puts a `MeasuredFunction` where `apply` would put `@tf.function`. Libraries inspect
what they are given: tf_keras builds a layer's call spec with `tf_inspect.getfullargspec`, which
follows TensorFlow's `_tf_decorator` chain but not `__wrapped__`; `inspect.getfullargspec` reads
`__signature__` and nothing else; AutoGraph converts any callable object whose `__call__` it does
not know. A wrapper that answered `(*args, **kwargs)` to any of these would fail where the real
decorator works (tf_keras passes `training=` to a `call(self, x)`), so it copies the form's own
answers: the TensorFlow decorator record, the signature, the names, and the function's attributes.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

#: What `functools.wraps`, TensorFlow's `make_decorator` and `inspect` read from a decorated
#: function. `__wrapped__` is left out: the wrapper keeps its own (the eager function).
_COPIED = (
    "_tf_decorator",
    "__original_wrapped__",
    "__module__",
    "__name__",
    "__qualname__",
    "__doc__",
)


def mirror(wrapper: Any, form: Any) -> None:
    """Copy FORM's introspection answers onto WRAPPER (FORM: a function, method or tf.function)."""
    for name in _COPIED:
        if hasattr(form, name):
            setattr(wrapper, name, getattr(form, name))
    for name, value in getattr(form, "__dict__", {}).items():
        # Attributes other decorators set on the function (`__check_shapes__`, `_tf_api_names`).
        if not name.startswith("_") and name not in vars(wrapper):
            setattr(wrapper, name, value)
    signature = _signature(form)
    if signature is not None:
        wrapper.__signature__ = signature
    # AutoGraph calls an artifact as it is, as it calls a tf.function (whose `__call__` lives in
    # TensorFlow), instead of converting the wrapper's own Python code.
    wrapper.autograph_info__ = {}


def _signature(form: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(form)
    except (TypeError, ValueError):  # builtins and some C callables have none
        return None


def load_by_name(module: str, qualname: str) -> Any:
    """What MODULE.QUALNAME names now: how pickle finds a function, decorated or not."""
    value: Any = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value
