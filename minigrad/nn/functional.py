"""Activations and losses, with PyTorch's names: ``import minigrad.nn.functional as F``."""

import warnings

import numpy as np

from .. import ops
from ..dtypes import torch_type_name
from ..tensor import Tensor, as_float, check_broadcast

_REDUCTIONS = ("mean", "sum", "none")


def _require_tensor(function_name, value, argument="input", position=1):
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{function_name}(): argument '{argument}' (position {position}) must be Tensor, "
            f"not {type(value).__name__}"
        )


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def sigmoid(input):
    """σ(x) = 1 / (1 + e^(-x)), computed without overflow for large |x|."""
    _require_tensor("sigmoid", input)
    return input.sigmoid()


def relu(input):
    """max(0, x)."""
    _require_tensor("relu", input)
    return input.relu()


def tanh(input):
    _require_tensor("tanh", input)
    return input.tanh()


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """L = -[t ln p + (1 - t) ln(1 - p)], averaged over the samples (each log clamped at -100)."""
    _require_tensor("binary_cross_entropy", input)
    _require_tensor("binary_cross_entropy", target, "target", 2)
    _check_reduction(reduction)
    if weight is not None:
        raise NotImplementedError("minigrad's binary_cross_entropy has no weight argument")
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    # the op itself checks that input and target lie in [0, 1], as PyTorch's kernel does
    return ops.BinaryCrossEntropy.apply(as_float(input), as_float(target), reduction=reduction)


def mse_loss(input, target, reduction="mean"):
    """L = (p - t)², averaged over the samples."""
    _require_tensor("mse_loss", input)
    _require_tensor("mse_loss", target, "target", 2)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
        check_broadcast(input._data, target._data)
    if input._data.dtype.kind != "f" and target._data.dtype.kind != "f":  # PyTorch's kernel is for floats only
        kind = torch_type_name(np.result_type(input._data.dtype, target._data.dtype))
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{kind}'")
    return ops.MseLoss.apply(as_float(input), as_float(target), reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """L = -[t ln σ(z) + (1 - t) ln(1 - σ(z))] from the logits z, computed without ever forming σ(z)
    (so a large |z| costs no digits), averaged over the samples."""
    _require_tensor("binary_cross_entropy_with_logits", input)
    if not isinstance(target, Tensor):
        raise AttributeError(f"'{type(target).__name__}' object has no attribute 'size'")
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if input._data.dtype.kind != "f":  # PyTorch's log σ(z) kernel is for floats only
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for '{torch_type_name(input._data.dtype)}'")
    z = as_float(input)
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{torch_type_name(target._data.dtype)}")
    constants = {name: None if value is None else as_float(value)._data
                 for name, value in (("weight", weight), ("pos_weight", pos_weight))}
    return ops.BinaryCrossEntropyWithLogits.apply(z, target, reduction=reduction, **constants)


def linear(input, weight, bias=None):
    """y = x Wᵀ + b, built as PyTorch builds it: AddmmBackward0 (with TBackward0 on W) for a batch of
    rows, wrapped in ViewBackward0 for a single vector or for more dimensions."""
    _require_tensor("linear", input)
    _require_tensor("linear", weight, "weight", 2)
    if input._data.ndim == 0 or weight._data.ndim == 0:  # checked first, as PyTorch does
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input._data.ndim}D and {weight._data.ndim}D")
    if bias is None:
        return input @ weight.t()
    _require_tensor("linear", bias, "bias", 3)
    if weight._data.ndim > 2:  # Wᵀ is taken first (not built here: it would be a stray node of the graph)
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {weight._data.ndim}D")
    # PyTorch takes the addmm path for a batch of rows, or (for an input in contiguous memory, not
    # x.t()[None]) a 1-D bias or a vector with a bias that is no number; else matmul, then b added in place
    contiguous = input._data.flags.c_contiguous
    if not (input._data.ndim == 2 or contiguous and (bias._data.ndim == 1 or
                                                     (input._data.ndim == 1 and bias._data.ndim > 0))):
        output = input @ weight.t()
        return output.add_(bias)
    if bias._data.dtype != weight._data.dtype:  # the addmm path checks its "self" (b) and "mat2" (Wᵀ) first
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{torch_type_name(bias._data.dtype)} and {torch_type_name(weight._data.dtype)}")
    if weight._data.ndim == 1:  # W must be a matrix
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    _check_linear(input, weight)
    _check_bias(bias, int(np.prod(input._data.shape[:-1])), weight._data.shape[0])
    if input._data.ndim == 2:
        return ops.Addmm.apply(bias, input, weight.t())
    rows = input.view(-1, input._data.shape[-1])
    return ops.Addmm.apply(bias, rows, weight.t()).view(*input._data.shape[:-1], weight._data.shape[0])


def _check_bias(bias, rows, columns):
    """addmm expands the bias to (rows, columns), PyTorch's expand error if it cannot (NumPy would
    broadcast both ways: a bias of 2 values with 1 output feature would make 2 outputs)."""
    target = (rows, columns)
    if bias._data.ndim > 2:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(bias.shape)}}}, size={list(target)}): the number "
                           f"of sizes provided (2) must be greater or equal to the number of dimensions in the "
                           f"tensor ({bias._data.ndim})")
    for dim in range(-1, -bias._data.ndim - 1, -1):  # from the last dim, as expand checks
        size, wanted = bias._data.shape[dim], target[dim]
        if size not in (1, wanted):
            raise RuntimeError(f"The expanded size of the tensor ({wanted}) must match the existing size ({size}) "
                               f"at non-singleton dimension {dim + 2}.  Target sizes: {list(target)}.  "
                               f"Tensor sizes: {list(bias.shape)}")


def _check_linear(input, weight):
    """PyTorch's messages for a matrix product that cannot be done."""
    rows = int(np.prod(input._data.shape[:-1]))
    if input._data.shape[-1] != weight._data.shape[-1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input._data.shape[-1]} and "
                           f"{weight._data.shape[-1]}x{weight._data.shape[0]})")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {torch_type_name(input._data.dtype)} "
                           f"and {torch_type_name(weight._data.dtype)}")
