"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``eye``, ``empty``, ``arange``, ``linspace``,
``rand``, ``randn`` and their ``*_like`` forms, each with PyTorch's ``device="cpu"``.

Random numbers come from one NumPy generator that ``manual_seed`` resets, so a notebook
gives the same numbers on every Restart & Run All (they are not PyTorch's numbers: the
two libraries use different generators).
"""

import numbers

import numpy as np

from . import dtypes
from .autograd.function import AccumulateGrad
from .device import checked as checked_device
from .numeric import ONE
from .tensor import Tensor, unwrap_nested

# the generator behind manual_seed, rand and randn (public: a widget re-running a cell copies and restores it)
default_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reset the random generator (used by ``rand`` and ``randn``)."""
    global default_generator
    default_generator = np.random.default_rng(int(seed))
    return default_generator


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


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, or an array)."""
    if device is not None:
        checked_device(device)
    if type(data) is float and dtype is None:  # the common tensor(3.0): skip the general checks
        # ONE × data: NumPy rounds the Python float to float32 itself (NEP 50) and × 1 is exact;
        # the same number as np.float32(data), made 3x faster
        leaf = Tensor._wrap(ONE[dtypes.DEFAULT_FLOAT.numpy] * data)
        if requires_grad:  # a float leaf can always require grad: what requires_grad_() would do
            leaf._node = AccumulateGrad(leaf)
        return leaf
    data = unwrap_nested(data)
    if isinstance(data, str) or (isinstance(data, (list, tuple)) and _type_name(data) == "str"):
        raise TypeError(f"new(): invalid data type '{_type_name(data)}'")
    _check_rectangular(data)
    target = dtypes.to_numpy_dtype(dtype) if dtype is not None else _infer_dtype(data)
    try:
        array = np.array(data, dtype=target)
    except (ValueError, OverflowError):  # NaN, ±inf or a huge number for an integer dtype: PyTorch's error
        if np.dtype(target).kind not in "iu":
            raise
        raise RuntimeError(f"value cannot be converted to type {np.dtype(target).name} without overflow") from None
    result = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(CREATION_GRAD_ERROR)
        result.requires_grad_(True)
    return result


def as_tensor(data, dtype=None, device=None):
    return data if isinstance(data, Tensor) and dtype is None else tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array."""
    return Tensor._wrap(array)


def _shape(size, function_name="zeros"):
    """The shape given as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(size=(2, 3))``; PyTorch's errors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
        for s in size:
            if not _is_int(s):
                raise TypeError(f"{function_name}(): argument 'size' failed to unpack the object at pos "
                                f"{size.index(s) + 1} with error \"type must be tuple of ints,but got "
                                f"{type(s).__name__}\"")
    for s in size:
        if not _is_int(s):
            raise TypeError(f"{function_name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(s)}: {[int(n) for n in size]}")
    return tuple(int(s) for s in size)


def _is_int(value):
    """An int, a NumPy int or a one-element integer tensor (PyTorch takes ``zeros(torch.tensor(3))``)."""
    if isinstance(value, Tensor):
        return value._data.dtype.kind in "iu" and value._data.size == 1
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)


def _size_argument(function_name, shape, size):
    """``shape`` from ``f(*shape)``, or the ``size=`` keyword; PyTorch's TypeErrors for neither or both."""
    if size is not None:
        if shape:
            raise TypeError(f"{function_name}() got multiple values for argument 'size'")
        shape = (size,)
    elif not shape:
        raise TypeError(f'{function_name}() missing 1 required positional arguments: "size"')
    return _shape(shape, function_name)


def _target_dtype(dtype):
    return dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT.numpy


# what PyTorch's creation functions say (x.requires_grad_() on an int tensor says it in other words)
CREATION_GRAD_ERROR = "Only Tensors of floating point and complex dtype can require gradients"


def _leaf(array, requires_grad):
    result = Tensor._wrap(array)
    return result.requires_grad_(True, _message=CREATION_GRAD_ERROR) if requires_grad else result


def _filled(fill, shape, dtype, requires_grad, device=None):
    checked_device(device)
    target = np.dtype(_target_dtype(dtype))
    if target.kind == "i" and isinstance(fill, float) and not -2.0 ** 63 <= fill < 2.0 ** 63:  # nan, ±inf too
        raise RuntimeError("value cannot be converted to type int64_t without overflow")  # not NumPy's warning
    return _leaf(np.full(shape, fill, dtype=target), requires_grad)


def zeros(*shape, size=None, dtype=None, device=None, requires_grad=False):
    return _filled(0, _size_argument("zeros", shape, size), dtype, requires_grad, device)


def ones(*shape, size=None, dtype=None, device=None, requires_grad=False):
    return _filled(1, _size_argument("ones", shape, size), dtype, requires_grad, device)


def empty(*shape, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor of this shape whose values do not matter. PyTorch leaves whatever memory held;
    minigrad gives zeros, so a notebook that prints one still prints the same thing every run."""
    return _filled(0, _size_argument("empty", shape, size), dtype, requires_grad, device)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of shape ``size`` (a tuple) filled with ``fill_value``; int64 for an int, bool for a bool."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    return _filled(fill_value, _shape(tuple(size), "full"), dtype or _number_dtype(fill_value), requires_grad, device)


def _number_dtype(value):
    """The dtype PyTorch gives a tensor filled with this Python number."""
    if isinstance(value, (bool, np.bool_)):
        return dtypes.bool
    if isinstance(value, (numbers.Integral, np.integer)):
        return dtypes.int64
    return None  # the default float


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The n × m identity matrix (ones on the diagonal); m = n if not given."""
    for name, value, position in (("n", n, 1), ("m", m, 2)):
        if value is not None and not _is_int(value):
            raise TypeError(f"eye(): argument '{name}' (position {position}) must be int, not {type(value).__name__}")
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {int(value)}")
    checked_device(device)
    return _leaf(np.eye(int(n), int(n if m is None else m), dtype=_target_dtype(dtype)), requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    return _filled(0, input.shape, dtype or input.dtype, requires_grad, device)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    return _filled(1, input.shape, dtype or input.dtype, requires_grad, device)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    return _filled(0, input.shape, dtype or input.dtype, requires_grad, device)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return _filled(fill_value, input.shape, dtype or input.dtype, requires_grad, device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; int64 for ints, float32 otherwise."""
    checked_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    values = np.arange(start, end, step)
    if dtype is None:
        is_integer = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_integer else dtypes.DEFAULT_FLOAT
    return _leaf(values.astype(dtypes.to_numpy_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    checked_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _leaf(np.linspace(start, end, int(steps)).astype(_target_dtype(dtype)), requires_grad)


def _random(kernel, draw, shape, dtype, device, requires_grad):
    """Random numbers of a float dtype (PyTorch has no integer rand/randn)."""
    checked_device(device)
    target = _target_dtype(dtype)
    if target.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_name(target)}\'')
    values = np.asarray(draw(shape)).astype(target)
    return _leaf(values, requires_grad)


def _torch_name(numpy_dtype):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(numpy_dtype.name, numpy_dtype.name)


def _shape_or_error(function_name, shape, size):
    if size is None and not shape:
        raise TypeError(f"{function_name}() received an invalid combination of arguments - got (), "
                        "but expected one of:")
    if size is not None and shape:
        got = ", ".join([type(s).__name__ for s in shape] + [f"size={type(size).__name__}"])
        raise TypeError(f"{function_name}() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:")
    return _size_argument(function_name, shape, size)


def rand(*shape, size=None, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform random numbers in [0, 1); ``rand(2, 3)``, ``rand((2, 3))`` or ``rand(size=())``."""
    shape = _shape_or_error("rand", shape, size)
    return _random("check_uniform_bounds", default_generator.random, shape, dtype, device, requires_grad)


def randn(*shape, size=None, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    shape = _shape_or_error("randn", shape, size)
    return _random("normal_kernel_cpu", default_generator.standard_normal, shape, dtype, device, requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False):
    return rand(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False):
    return randn(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)
