"""Stand-ins for tensor-likes from packages the dev environment does not install.

`DeferredTensor` and `TransformedVariable` mimic tensorflow-probability's
(tensorflow_probability/python/util/deferred_tensor.py): a `tf.Module` whose metaclass registers a
tensor conversion function and forwards Tensor's operators to the concrete value, with `dtype` and
`shape` properties (TFP 0.25 also makes it a CompositeTensor: `MaskedTensor` stands for that side).
`Parameter` is gpflow.Parameter's place: a TransformedVariable subclass defined outside TFP.
Their `__module__` is set to the real one, which is what the tracer reads.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

TFP_MODULE = "tensorflow_probability.python.util.deferred_tensor"


def _forward(name: str) -> Any:
    def method(self: Any, *args: Any) -> Any:
        return getattr(self._value(), name)(*args)

    return method


def _tensorize(value: Any, dtype: Any = None, name: Any = None, as_ref: bool = False) -> Any:
    return value._value(dtype)


class TensorMetaClass(type):
    """As TFP's: Tensor's operators act on the concrete value; conversion is registered."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        for attr in ("__add__", "__radd__", "__mul__", "__rmul__", "__sub__", "__neg__"):
            attrs[attr] = _forward(attr)
        cls = super().__new__(mcs, name, bases, attrs)
        tf.register_tensor_conversion_function(cls, conversion_func=_tensorize)
        return cls


class _ModuleMeta(TensorMetaClass, type(tf.Module)):  # type: ignore[misc]
    pass


class DeferredTensor(tf.Module, metaclass=_ModuleMeta):
    """A variable seen through a transform, converted to a tensor when used."""

    def __init__(self, transform_fn: Any, pretransformed_input: Any) -> None:
        super().__init__(name="deferred")
        self._transform_fn = transform_fn
        self._pretransformed_input = pretransformed_input

    @property
    def dtype(self) -> Any:
        return self._pretransformed_input.dtype

    @property
    def shape(self) -> Any:
        return self._pretransformed_input.shape

    def _value(self, dtype: Any = None) -> Any:
        return tf.convert_to_tensor(self._transform_fn(self._pretransformed_input), dtype=dtype)


class TransformedVariable(DeferredTensor):
    """A trainable variable holding the inverse-transformed initial value."""

    def __init__(self, initial_value: Any, forward: Any, inverse: Any) -> None:
        super().__init__(forward, tf.Variable(inverse(tf.convert_to_tensor(initial_value))))


class Parameter(TransformedVariable):
    """gpflow.Parameter: positive by default (softplus), defined outside TFP."""

    def __init__(self, value: Any) -> None:
        super().__init__(value, tf.math.softplus, lambda y: tf.math.log(tf.math.expm1(y)))


DeferredTensor.__module__ = TransformedVariable.__module__ = TFP_MODULE
Parameter.__module__ = "gpflow.base"


class MaskedTensor(tf.experimental.ExtensionType):
    """A composite tensor defined in user code (TFP 0.25's DeferredTensor is one too)."""

    values: tf.Tensor
    mask: tf.Tensor


class Protocol:
    """Implements the `__tf_tensor__` protocol only (as Keras 3 variables do)."""

    def __init__(self, value: Any) -> None:
        self.value = tf.constant(value)

    def __tf_tensor__(self, dtype: Any = None, name: Any = None) -> Any:
        return tf.convert_to_tensor(self.value, dtype=dtype, name=name)
