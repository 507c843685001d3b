"""The dtypes a student meets: ``minigrad.float32`` (the default), ``float64``, ``int64``, ``bool``.

Each is a thin, named wrapper around a NumPy dtype, so that ``x.dtype`` prints like
PyTorch's (``minigrad.float32``) while the data stays a plain NumPy array.
"""

import builtins

import numpy as np


class dtype:
    """A tensor element type; ``numpy`` is the NumPy dtype that stores it."""

    __slots__ = ("name", "numpy", "is_floating_point", "itemsize")

    def __init__(self, name, numpy_dtype):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return (from_numpy_dtype, (self.numpy,))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)  # noqa: A001 - PyTorch's name

_BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool)}
DEFAULT_FLOAT = float32


def from_numpy_dtype(numpy_dtype):
    """The minigrad dtype stored as ``numpy_dtype``; a clear TypeError for anything else."""
    try:
        return _BY_NUMPY[np.dtype(numpy_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"minigrad does not support the NumPy dtype {numpy_dtype!r}") from None


def to_numpy_dtype(d):
    """Accept a minigrad dtype, a NumPy dtype or a Python type; return the NumPy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    python_types = {builtins.float: DEFAULT_FLOAT, builtins.int: int64, builtins.bool: bool}
    if d in python_types:
        return python_types[d].numpy
    return from_numpy_dtype(d).numpy
