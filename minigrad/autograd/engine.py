"""The backward pass: run every node once, after all of its consumers, and sum the paths.

The algorithm, in three short steps (no recursion anywhere, so a chain of a million
ops is as easy as a chain of three):

1. Walk the graph from the output with an explicit stack and count, for every node,
   how many edges point into it (its *dependencies*).
2. Keep a ready queue of nodes whose gradient is complete. Pop the newest node
   (highest sequence number, as PyTorch's engine does), call its ``backward``, and add
   each returned gradient into the buffer of the node it flows to. A value used twice
   therefore receives two contributions, summed: the multivariable chain rule.
3. When a node's last consumer has run, its gradient is complete: it becomes ready.

Observers (the walkthrough recorder) watch through ordinary node hooks.
"""

import heapq

import numpy as np

from . import function
from .function import AccumulateGrad, Tensor  # noqa: F401  (Tensor is filled in later)


def backward(tensor, gradient=None, retain_graph=None):
    """Compute d(tensor)/d(leaf) for every leaf that requires grad; accumulate into ``.grad``."""
    root_gradient = _root_gradient(tensor, gradient)
    root = tensor.grad_fn if tensor.grad_fn is not None else tensor._edge[0]
    if root is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    run_graph(root, root_gradient, keep_saved=bool(retain_graph))


def _root_gradient(tensor, gradient):
    """The gradient that starts the pass: 1 for a scalar, else the one the caller gave."""
    if gradient is None:
        if tensor._data.size != 1 or tensor._data.ndim != 0 and tensor._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return np.ones(tensor._data.shape, tensor._data.dtype)
    data = gradient._data if isinstance(gradient, function.Tensor) else np.asarray(gradient)
    if data.shape != tensor._data.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[0] has a shape of {_size(data.shape)} and "
            f"output[0] has a shape of {_size(tensor._data.shape)}."
        )
    return data.astype(tensor._data.dtype, copy=False)


def _size(shape):
    return f"minigrad.Size({list(shape)})"


def count_dependencies(root):
    """For every node reachable from ``root``: how many edges point into it."""
    dependencies = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            if next_node in dependencies:
                dependencies[next_node] += 1
            else:
                dependencies[next_node] = 1
                stack.append(next_node)
    return dependencies


def run_graph(root, root_gradient, keep_saved=False):
    """Run the backward pass from ``root`` (a node) seeded with ``root_gradient``."""
    dependencies = count_dependencies(root)
    buffers = {root: root_gradient}
    ready = [(-root.sequence_nr, 0, root)]
    tiebreak = 1  # nodes with equal priority (AccumulateGrad) leave the queue in arrival order
    while ready:
        node = heapq.heappop(ready)[2]
        grad = buffers.pop(node, None)
        input_grads = _run_node(node, grad, keep_saved) if grad is not None else ()
        for index, (next_node, _) in enumerate(node.next_functions):
            if next_node is None:
                continue
            input_grad = input_grads[index] if index < len(input_grads) else None
            if input_grad is not None:
                input_grad = _fit_to_input(input_grad, node._input_meta[index])
                previous = buffers.get(next_node)
                buffers[next_node] = input_grad if previous is None else previous + input_grad
            dependencies[next_node] -= 1
            if dependencies[next_node] == 0:
                heapq.heappush(ready, (-next_node.sequence_nr, tiebreak, next_node))
                tiebreak += 1


def _run_node(node, grad, keep_saved):
    """Call one node's backward with its hooks; free its saved values unless asked to keep them."""
    if node._tensor_prehooks is not None:
        grad = _run_tensor_hooks(node._tensor_prehooks, grad)
    if node._prehooks is not None:
        grad = _run_prehooks(node, grad)
    if node._saved is None:
        raise RuntimeError(function.FREED_MESSAGE)
    input_grads = node.backward(grad)
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if node._hooks is not None:
        input_grads = _run_posthooks(node, input_grads, grad)
    if not keep_saved:
        node.release_saved()
    return input_grads


def _fit_to_input(grad, meta):
    """Sum a broadcast gradient back to the input's shape and cast it to the input's dtype."""
    shape, dtype = meta
    if grad.shape != shape:
        grad = sum_to_shape(grad, shape)
    if grad.dtype != dtype:
        grad = np.asarray(grad).astype(dtype)
    return grad


def sum_to_shape(grad, shape):
    """Undo broadcasting: sum over the axes that broadcasting added or stretched."""
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1
    )
    summed = np.sum(grad, axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape)


# hooks: users see Tensors, the engine passes NumPy data
def _as_tensor(grad):
    return None if grad is None else function.Tensor._wrap(grad)


def _as_data(grad):
    return None if grad is None else grad._data


def _run_tensor_hooks(hooks, grad):
    for hook in list(hooks):
        result = hook(_as_tensor(grad))
        if result is not None:
            grad = result._data
    return grad


def _run_prehooks(node, grad):
    for hook in list(node._prehooks):
        result = hook((_as_tensor(grad),))
        if result is not None:
            grad = _as_data(result[0])
    return grad


def _run_posthooks(node, input_grads, grad):
    for hook in list(node._hooks):
        result = hook(tuple(_as_tensor(g) for g in input_grads), (_as_tensor(grad),))
        if result is not None:
            input_grads = tuple(_as_data(g) for g in result)
    return input_grads


__all__ = ["backward", "run_graph", "count_dependencies", "sum_to_shape", "AccumulateGrad"]
