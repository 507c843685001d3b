"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, ``linspace``, ``rand``, ``randn``.

Random numbers come from one NumPy generator that ``manual_seed`` resets, so a notebook
gives the same numbers on every Restart & Run All (they are not PyTorch's numbers: the
two libraries use different generators).
"""

import numbers

import numpy as np

from . import dtypes
from .autograd.function import AccumulateGrad
from .numeric import ONE
from .tensor import Tensor, _unwrap_nested

_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reset the random generator (used by ``rand`` and ``randn``)."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def _infer_dtype(data):
    """PyTorch's rule: floats become float32 (the default), ints int64, bools bool."""
    array = np.asarray(data)
    kind = array.dtype.kind
    if kind == "f":
        return dtypes.DEFAULT_FLOAT.numpy
    if kind in "iu":
        return np.dtype(np.int64)
    if kind == "b":
        return np.dtype(np.bool_)
    raise TypeError(f"new(): invalid data type '{_type_name(data)}'")


def _type_name(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return type(data).__name__


def _check_rectangular(data, dim=0):
    """PyTorch's ValueError for ragged nested lists (NumPy would make an object array)."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    lengths = {len(item) if isinstance(item, (list, tuple)) else None for item in data}
    if len(lengths) > 1:
        expected = len(data[0]) if isinstance(data[0], (list, tuple)) else None
        got = next(len(item) if isinstance(item, (list, tuple)) else None for item in data
                   if (len(item) if isinstance(item, (list, tuple)) else None) != expected)
        raise ValueError(f"expected sequence of length {expected} at dim {dim + 1} (got {got})")
    for item in data:
        _check_rectangular(item, dim + 1)


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, or an array)."""
    if type(data) is float and dtype is None:  # the common tensor(3.0): skip the general checks
        # ONE × data: NumPy rounds the Python float to float32 itself (NEP 50) and × 1 is exact;
        # the same number as np.float32(data), made 3x faster
        leaf = Tensor._wrap(ONE[dtypes.DEFAULT_FLOAT.numpy] * data)
        if requires_grad:  # a float leaf can always require grad: what requires_grad_() would do
            leaf._node = AccumulateGrad(leaf)
        return leaf
    data = _unwrap_nested(data)
    if isinstance(data, str) or (isinstance(data, (list, tuple)) and _type_name(data) == "str"):
        raise TypeError(f"new(): invalid data type '{_type_name(data)}'")
    _check_rectangular(data)
    target = dtypes.to_numpy_dtype(dtype) if dtype is not None else _infer_dtype(data)
    array = np.array(data, dtype=target)
    result = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        result.requires_grad_(True)
    return result


def as_tensor(data, dtype=None):
    return data if isinstance(data, Tensor) and dtype is None else tensor(data, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array."""
    return Tensor._wrap(array)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (numbers.Integral, np.integer)):
            raise TypeError(f"size must be a tuple of ints, but got {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _filled(fill, size, dtype, requires_grad):
    target = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT.numpy
    result = Tensor._wrap(np.full(_shape(size), fill, dtype=target))
    return result.requires_grad_(True) if requires_grad else result


def zeros(*size, dtype=None, requires_grad=False):
    return _filled(0, size, dtype, requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _filled(1, size, dtype, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None and isinstance(fill_value, bool):
        dtype = dtypes.bool
    elif dtype is None and isinstance(fill_value, int):
        dtype = dtypes.int64
    return _filled(fill_value, (size,) if isinstance(size, int) else tuple(size), dtype, requires_grad)


def zeros_like(other, dtype=None, requires_grad=False):
    return _filled(0, other.shape, dtype or other.dtype, requires_grad)


def ones_like(other, dtype=None, requires_grad=False):
    return _filled(1, other.shape, dtype or other.dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; int64 for ints, float32 otherwise."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    values = np.arange(start, end, step)
    if dtype is None:
        is_integer = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_integer else dtypes.DEFAULT_FLOAT
    result = Tensor._wrap(values.astype(dtypes.to_numpy_dtype(dtype)))
    return result.requires_grad_(True) if requires_grad else result


def linspace(start, end, steps, dtype=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    target = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT.numpy
    result = Tensor._wrap(np.linspace(start, end, int(steps)).astype(target))
    return result.requires_grad_(True) if requires_grad else result


def rand(*size, dtype=None, requires_grad=False):
    """Uniform random numbers in [0, 1)."""
    target = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT.numpy
    result = Tensor._wrap(_generator.random(_shape(size)).astype(target))
    return result.requires_grad_(True) if requires_grad else result


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    target = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT.numpy
    result = Tensor._wrap(_generator.standard_normal(_shape(size)).astype(target))
    return result.requires_grad_(True) if requires_grad else result
