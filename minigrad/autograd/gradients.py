"""``torch.autograd.grad(outputs, inputs)``: the gradients of outputs with respect to inputs,
returned instead of accumulated. ``.grad`` is never touched.

The pass is the engine's own (``engine.run_backward``, the one that ``backward()`` runs), told
which nodes' gradients to return: a leaf's AccumulateGrad is then never run.
"""

import numpy as np

from . import engine, function

UNUSED_MESSAGE = ("The differentiated Tensor at index {} appears to not have been used in the graph. "
                  "Set allow_unused=True if this is the desired behavior.")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """d(outputs)/d(inputs), one tensor per input (``None`` for an unused one if ``allow_unused``).

    ``grad_outputs`` plays the part of ``backward``'s ``gradient``: the vector the Jacobian is
    multiplied by, one per output (``None``: 1 for a scalar output).
    """
    if create_graph:
        raise NotImplementedError(
            "minigrad does not build a graph of the backward pass, so create_graph=True (needed for "
            "second derivatives) is not supported; compute first derivatives with create_graph=False")
    if is_grads_batched:
        raise NotImplementedError("minigrad's autograd.grad has no is_grads_batched")
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} for "
                           f"{len(outputs)} outputs")
    seeds = _seeds(outputs, grad_outputs)  # PyTorch checks the outputs first, then the inputs
    for tensor in inputs:
        if not tensor.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    reached = engine.run_backward(seeds, keep_saved=bool(retain_graph), wanted={tensor._node for tensor in inputs})
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    return tuple(_result(tensor, reached.get(tensor._node), index, allow_unused, materialize_grads)
                 for index, tensor in enumerate(inputs))


def _as_tuple(value):
    if isinstance(value, function.Tensor) or value is None:
        return (value,)
    return tuple(value)


def _seeds(outputs, grad_outputs):
    """The gradient each output starts with, summed per node (two outputs may share one)."""
    seeds = {}
    for index, (output, given) in enumerate(zip(outputs, grad_outputs)):
        if output._node is None:
            raise RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn")
        seed = engine.root_gradient(output, given, index)
        node = output._node
        seeds[node] = seeds[node] + seed if node in seeds else seed
    return seeds


def _result(tensor, gradient, index, allow_unused, materialize_grads):
    if gradient is None:
        if materialize_grads:
            return function.Tensor._wrap(np.zeros_like(tensor._data))
        if not allow_unused:
            raise RuntimeError(UNUSED_MESSAGE.format(index))
        return None
    # a fresh array in the input's dtype (a gradient may be a read-only broadcast view)
    return function.Tensor._wrap(np.array(gradient, dtype=tensor._data.dtype))
