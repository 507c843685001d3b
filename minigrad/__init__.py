"""minigrad: a small, readable autograd library with PyTorch's API and behaviour.

``import minigrad as torch`` and the course's code runs unchanged::

    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2                # tensor(9., grad_fn=<PowBackward0>)
    torch.sin(y).backward()
    x.grad                    # tensor(-5.4668)

Only NumPy is needed here; ``minigrad.viz`` and ``minigrad.widgets`` bring Graphviz,
ipywidgets and matplotlib when they are imported.
"""

from . import nn, optim
from .autograd import grad_mode as _grad_mode
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    from_numpy,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from .tensor import Size, Tensor, mm
from .tensor import matmul as _matmul

__version__ = "0.1.0"


def _require_tensor(name, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(value).__name__}")
    return value


# ``minigrad.sin(x)`` is ``x.sin()``: the methods check their input themselves and give
# PyTorch's TypeError ("sin(): argument 'input' (position 1) must be Tensor, not float").
sin, cos, exp, log, sqrt, tanh = Tensor.sin, Tensor.cos, Tensor.exp, Tensor.log, Tensor.sqrt, Tensor.tanh
sigmoid, relu, neg, reciprocal = Tensor.sigmoid, Tensor.relu, Tensor.neg, Tensor.reciprocal


def sum(input, *args, **kwargs):  # torch.sum(x) and torch.sum(x, dim=None) differ: x.sum tells them apart
    return _require_tensor("sum", input).sum(*args, **kwargs)


def mean(input, *args, **kwargs):
    return _require_tensor("mean", input).mean(*args, **kwargs)


def matmul(input, other):
    _require_tensor("matmul", input)
    return _matmul(input, other)



def add(input, other):
    return _require_tensor("add", input) + other


def sub(input, other):
    return _require_tensor("sub", input) - other


def mul(input, other):
    return _require_tensor("mul", input) * other


def div(input, other):
    return _require_tensor("div", input) / other


def pow(input, exponent):
    if isinstance(input, Tensor):
        return input**exponent
    return _require_tensor("pow", exponent).__rpow__(input)


def reshape(input, shape):
    return _require_tensor("reshape", input).reshape(shape)


def transpose(input, dim0, dim1):
    return _require_tensor("transpose", input).transpose(dim0, dim1)


def squeeze(input, dim=None):
    return _require_tensor("squeeze", input).squeeze(dim)


def unsqueeze(input, dim):
    return _require_tensor("unsqueeze", input).unsqueeze(dim)


def clone(input):
    return _require_tensor("clone", input).clone()


def is_tensor(value):
    return isinstance(value, Tensor)


def numel(input):
    return _require_tensor("numel", input).numel()


def get_default_dtype():
    return float32


__all__ = [
    "Tensor", "Size", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "zeros_like", "ones_like",
    "arange", "linspace", "rand", "randn", "manual_seed", "sin", "cos", "exp", "log", "sqrt", "tanh",
    "sigmoid", "relu", "neg", "reciprocal", "sum", "mean", "matmul", "mm", "add", "sub", "mul", "div", "pow",
    "reshape", "transpose", "squeeze", "unsqueeze", "clone", "is_tensor", "numel", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "nn", "optim", "dtype", "float32", "float64", "float16", "half",
    "float", "double", "int8", "int16", "int32", "int64", "short", "int", "long", "uint8", "bool",
    "get_default_dtype",
]
del _grad_mode
