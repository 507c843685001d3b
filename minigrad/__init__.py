"""minigrad: a small, readable autograd library with PyTorch's API and behaviour.

``import minigrad as torch`` and the course's code runs unchanged::

    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2                # tensor(9., grad_fn=<PowBackward0>)
    torch.sin(y).backward()
    x.grad                    # tensor(-5.4668)

Only NumPy is needed here; ``minigrad.viz`` and ``minigrad.widgets`` bring Graphviz and
ipywidgets when they are imported (the widgets draw their plots as SVG themselves).
"""

import builtins as _builtins
import operator as _operator

from . import backends, cuda, nn, optim
from . import ops as _ops
from .autograd import grad_mode as _grad_mode
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .device import device
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
from .tensor import Size, Tensor, as_float, binary, check_not_bool_subtraction, clamp, dot, mm
from .tensor import matmul as _matmul

_NUMBERS = (_builtins.int, _builtins.float, _builtins.bool)

__version__ = "0.1.0"


def _require_tensor(name, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(value).__name__}")
    return value


# ``minigrad.sin(x)`` is ``x.sin()``: the methods check their input themselves and give
# PyTorch's TypeError ("sin(): argument 'input' (position 1) must be Tensor, not float").
sin, cos, exp, log, sqrt, tanh = Tensor.sin, Tensor.cos, Tensor.exp, Tensor.log, Tensor.sqrt, Tensor.tanh
sigmoid, relu, neg, reciprocal = Tensor.sigmoid, Tensor.relu, Tensor.neg, Tensor.reciprocal
abs, norm = Tensor.abs, Tensor.norm


clip = clamp


def sum(input, *args, **kwargs):  # torch.sum(x) and torch.sum(x, dim=None) differ: x.sum tells them apart
    return _reduction("sum", input, args, kwargs)


def mean(input, *args, **kwargs):
    return _reduction("mean", input, args, kwargs)


# torch.sum(x, keepdim=True): PyTorch's TypeError, in the function's words (the input is one of its arguments)
_BY_DIM = " * (Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n"
_FUNCTION_SIGNATURES = {
    "sum": " * (Tensor input, *, torch.dtype dtype = None)\n" + _BY_DIM,
    "mean": " * (Tensor input, *, torch.dtype dtype = None, Tensor out = None)\n" + _BY_DIM,
}


def _reduction(name, input, args, kwargs):
    tensor = _require_tensor(name, input)
    if not args and "dim" not in kwargs and "keepdim" in kwargs:  # keepdim, but no dim to keep
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, keepdim=bool), but "
                        f"expected one of:\n{_FUNCTION_SIGNATURES[name]}")
    return getattr(tensor, name)(*args, **kwargs)


def matmul(input, other):
    _require_tensor("matmul", input)
    return _matmul(input, other)



def _arithmetic(name, operator, input, other):
    """``torch.add(x, 2)``, and ``torch.add(2, x)`` too: PyTorch takes a number first (it makes the
    same node as ``x + 2`` would, with the number as its first input: SubBackward0 for ``sub(2, x)``)."""
    if not isinstance(input, Tensor):
        if not isinstance(input, _NUMBERS) or not isinstance(other, (Tensor, *_NUMBERS)):
            _require_tensor(name, input)
        if not isinstance(other, Tensor):  # two numbers: PyTorch makes the first one a tensor
            input = tensor(input)
    elif not isinstance(other, (Tensor, *_NUMBERS)):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    return operator(input, other)


def add(input, other):
    return _arithmetic("add", _operator.add, input, other)


def sub(input, other):
    if isinstance(input, Tensor):
        return _arithmetic("sub", _operator.sub, input, other)
    # sub(2, x) is SubBackward0 in PyTorch (the operator 2 - x is RsubBackward1); Sub itself does
    # not refuse bools, the operators do: so check here (sub(False, x), sub(1, bool_tensor))
    def subtract(a, b):
        check_not_bool_subtraction(a, b)
        return binary(_ops.Sub, a, b)
    return _arithmetic("sub", subtract, input, other)


def mul(input, other):
    return _arithmetic("mul", _operator.mul, input, other)


def div(input, other):
    if isinstance(input, Tensor):
        return _arithmetic("div", _operator.truediv, input, other)
    # div(2, x) is DivBackward0 in PyTorch (the operator 2 / x is a reciprocal times 2)
    divide = lambda a, b: binary(_ops.Div, a, as_float(b))  # noqa: E731
    return _arithmetic("div", divide, input, other)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """``torch.binary_cross_entropy_with_logits``: F's function with PyTorch's numbered reductions
    (0 none, 1 mean, 2 sum). Unlike F's, PyTorch 2.13's torch. function reduces nothing by default."""
    if isinstance(reduction, str):
        raise TypeError("binary_cross_entropy_with_logits(): argument 'reduction' must be int, not str")
    by_number = {number: name for name, number in _ops.REDUCTION_NUMBERS.items()}
    return nn.functional.binary_cross_entropy_with_logits(input, target, weight, reduction=by_number[reduction],
                                                          pos_weight=pos_weight)


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


def load_ipython_extension(ipython):
    """``%load_ext minigrad``: the ``%%walkthrough`` cell magic (IPython is imported only then)."""
    from .teaching.magic import load_ipython_extension as load

    load(ipython)


__all__ = [
    "Tensor", "Size", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "zeros_like", "ones_like",
    "arange", "linspace", "rand", "randn", "manual_seed", "sin", "cos", "exp", "log", "sqrt", "tanh",
    "sigmoid", "relu", "neg", "reciprocal", "sum", "mean", "matmul", "mm", "add", "sub", "mul", "div", "pow",
    "reshape", "transpose", "squeeze", "unsqueeze", "clone", "is_tensor", "numel", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "nn", "optim", "dtype", "float32", "float64", "float16", "half",
    "float", "double", "int8", "int16", "int32", "int64", "short", "int", "long", "uint8", "bool",
    "get_default_dtype", "clamp", "clip", "abs", "dot", "eye", "empty", "full_like", "empty_like", "rand_like",
    "randn_like", "device", "cuda", "backends", "binary_cross_entropy_with_logits", "norm",
]
del _grad_mode
