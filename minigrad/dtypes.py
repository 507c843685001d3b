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


# --------------------------------------------------------------------- type promotion
# PyTorch's rule (``torch.result_type``), in three steps:
# 1. each operand falls in one of three groups: tensors with dimensions, 0-dim tensors,
#    and Python numbers (a Python float counts as the default dtype, float32; an int as
#    int64; a bool as bool);
# 2. within each group the dtypes are promoted as usual (the larger wins);
# 3. the groups are combined from the lowest priority up (Python numbers, then 0-dim,
#    then n-dim): a lower-priority group only matters if it is of a higher *category*
#    (bool < integer < floating point) than the group above it. So a float64 0-dim tensor
#    times a float32 vector is float32, but an int64 vector times a float32 0-dim is float32.
def _promote(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a.kind == "b" and b.kind == "b":
        return a
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    if (a.kind == "f") != (b.kind == "f"):  # an integer with a float: the float wins, whatever its size
        return a if a.kind == "f" else b
    return np.promote_types(a, b)


def _combine(higher, lower):
    """c10's combine_categories: ``lower`` matters only if its category is higher."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return _promote(higher, lower)
    return higher


_PYTHON_NUMBER_DTYPES = {builtins.bool: np.dtype(np.bool_), builtins.int: np.dtype(np.int64)}


def number_dtype(value):
    """The dtype a Python number takes part in promotion with (a NumPy scalar: its kind's)."""
    kind = type(value)
    if kind in _PYTHON_NUMBER_DTYPES:
        return _PYTHON_NUMBER_DTYPES[kind]
    if kind is builtins.float:
        return DEFAULT_FLOAT.numpy
    kind = np.asarray(value).dtype.kind
    return np.dtype(np.bool_) if kind == "b" else np.dtype(np.int64) if kind in "iu" else DEFAULT_FLOAT.numpy


def result_numpy_dtype(*operands):
    """``torch.result_type`` for NumPy arrays/scalars (tensor data) and Python numbers.

    ``operands`` are ``(numpy_dtype, ndim)`` pairs for tensors and ``(numpy_dtype, None)``
    for Python numbers.
    """
    dimensioned = zero_dim = number = None
    for dtype_, ndim in operands:
        if ndim is None:
            number = _promote(number, dtype_)
        elif ndim:
            dimensioned = _promote(dimensioned, dtype_)
        else:
            zero_dim = _promote(zero_dim, dtype_)
    return _combine(dimensioned, _combine(zero_dim, number))


def torch_type_name(numpy_dtype):
    """How PyTorch's messages name a dtype: ``Float`` for float32, ``Long`` for int64 (``FloatTensor``)."""
    names = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool",
             "float16": "Half", "int16": "Short", "int8": "Char", "uint8": "Byte"}
    return names.get(np.dtype(numpy_dtype).name, np.dtype(numpy_dtype).name)
