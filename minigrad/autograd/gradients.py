"""``torch.autograd.grad(outputs, inputs)``: the gradients of outputs with respect to inputs,
returned instead of accumulated. ``.grad`` is never touched.

The pass is the engine's (nodes newest first, each gradient summed into the node it flows
to), with two differences: a leaf's AccumulateGrad is never run, and the gradient that
reaches each input's node is kept, leaf or not, to be returned.
"""

import numpy as np

from ..numeric import FP_ERROR_STATE, QUIET
from . import engine, function
from .function import AccumulateGrad

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
    quiet = FP_ERROR_STATE.set(QUIET)  # no NumPy warnings from the backward formulas, as in backward()
    try:
        reached = _run(seeds, {tensor._node for tensor in inputs}, keep_saved=bool(retain_graph))
    finally:
        FP_ERROR_STATE.reset(quiet)
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
        if given is not None and tuple(np.shape(given._data if isinstance(given, function.Tensor) else given)) \
                != output._data.shape:
            shape = np.shape(given._data if isinstance(given, function.Tensor) else given)
            raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of {engine._size(shape)} "
                               f"and output[{index}] has a shape of {engine._size(output._data.shape)}.")
        seed = engine._root_gradient(output, given)
        node = output._node
        seeds[node] = seeds[node] + seed if node in seeds else seed
    return seeds


def _run(seeds, wanted, keep_saved):
    """Run the graph below the seeds; return the gradient that reached each wanted node."""
    nodes, seen = [], set()
    for root in seeds:
        for node in engine.collect_graph(root)[0]:
            if node not in seen:
                seen.add(node)
                nodes.append(node)
    nodes.sort(key=engine._SEQUENCE_NUMBER, reverse=True)  # each node after all of its consumers
    buffers, reached = dict(seeds), {}
    for node in nodes:
        gradient = buffers.pop(node, None)
        if node in wanted:
            reached[node] = gradient  # complete now: every consumer has run
        if gradient is None:
            continue
        input_grads = engine._run_node(node, gradient, keep_saved)
        for next_node, input_grad, input_data in zip(node._next_nodes, input_grads, node._inputs):
            if next_node is None or input_grad is None:
                continue
            if input_grad.shape != input_data.shape:
                input_grad = engine.sum_to_shape(input_grad, input_data.shape)
            buffers[next_node] = buffers[next_node] + input_grad if next_node in buffers else input_grad
    for node in wanted:  # the leaves: their AccumulateGrad is not run, the gradient is returned instead
        if type(node) is AccumulateGrad and node in buffers:
            gradient = buffers[node]
            if node._tensor_prehooks is not None:  # x.register_hook(...) sees it, as in PyTorch
                gradient = engine._run_tensor_hooks(node._tensor_prehooks, gradient)
            reached[node] = gradient
    return reached


def _result(tensor, gradient, index, allow_unused, materialize_grads):
    if gradient is None:
        if materialize_grads:
            return function.Tensor._wrap(np.zeros_like(tensor._data))
        if not allow_unused:
            raise RuntimeError(UNUSED_MESSAGE.format(index))
        return None
    # a fresh array in the input's dtype (a gradient may be a read-only broadcast view)
    return function.Tensor._wrap(np.array(gradient, dtype=tensor._data.dtype))
