"""The backward pass: run every node once, after all of its consumers, and sum the paths.

The algorithm, in three short steps (no recursion anywhere, so a chain of a million
ops is as easy as a chain of three):

1. Walk the graph from the output and collect its nodes (in a list that grows as it is
   walked).
2. Sort them newest first (by sequence number). A node is always created after its
   inputs, so in this order every node comes after all of its consumers: when its turn
   comes, its gradient is complete. This is the order PyTorch's engine takes too.
3. Call each node's ``backward`` and add each returned gradient into the buffer of the
   node it flows to. A value used twice therefore receives two contributions, summed:
   the multivariable chain rule. A leaf's AccumulateGrad runs as soon as its last
   consumer has.

Observers (the walkthrough recorder) watch through ordinary node hooks.
"""

import gc
import operator

import numpy as np

from ..numeric import FP_ERROR_STATE, ONE, QUIET, total
from . import function
from .function import INPLACE_CLOCK, AccumulateGrad


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Compute d(tensor)/d(leaf) for every leaf that requires grad; accumulate into ``.grad``.

    This is ``Tensor.backward`` itself.
    """
    root = tensor._node  # the tensor's grad_fn, or its AccumulateGrad if it is a leaf
    if type(root) is function.NoGradView and (gradient is not None or tensor._data.size == 1):
        root = None  # a view made under no_grad requires grad, yet has no graph: PyTorch's error too
    if root is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if create_graph:
        raise NotImplementedError("minigrad does not build a graph of the backward pass (create_graph=True)")
    seed = _root_gradient(tensor, gradient)
    keep_saved = bool(retain_graph)
    quiet = FP_ERROR_STATE.set(QUIET)  # no NumPy warnings from the backward formulas (see numeric.QUIET)
    try:
        root, seed = _run_single_path(root, seed, keep_saved)
        if root is None:  # the whole graph was one path (exp(sin(x ** 2)), a leaf itself)
            return
        nodes, leaf_dependencies = collect_graph(root)
        if len(nodes) < LARGE_GRAPH:
            _run_in_order(nodes, leaf_dependencies, root, seed, keep_saved)
        else:
            _run_without_collector(nodes, leaf_dependencies, root, seed, keep_saved)
    finally:
        FP_ERROR_STATE.reset(quiet)


def _run_single_path(node, grad, keep_saved):
    """Run the start of the graph for as long as it is a single path: node after node whose gradient
    goes to one place (one input, as sin(x); or two, the second a constant, as x * 2 or bce(p, target)).

    Nothing else in the graph can reach a node whose only consumer is the node just run, so its
    gradient is already complete: there is nothing to collect, sort or sum. Returns the first node
    whose gradient goes to two or more places and the gradient it receives (the rest of the pass starts
    there), or ``(None, None)`` once the path has ended at a leaf, at a constant, or with no gradient to pass.
    """
    while True:
        next_nodes = node._next_nodes
        passes_to_one_place = len(next_nodes) == 1 or (len(next_nodes) == 2 and next_nodes[1] is None)
        if not passes_to_one_place and type(node) is not AccumulateGrad:
            return node, grad
        input_grads = _input_gradients(node, grad, keep_saved)
        if not next_nodes or next_nodes[0] is None:  # a leaf has filled its .grad; a constant needs nothing
            return None, None
        grad = input_grads[0]
        if grad is None:  # a hook returned None: nothing flows further
            return None, None
        if grad.shape != node._inputs[0].shape:
            grad = sum_to_shape(grad, node._inputs[0].shape)
        node = next_nodes[0]


def _input_gradients(node, grad, keep_saved):
    """One node's turn: its version check, its backward (and hooks), each gradient in its input's dtype."""
    if node.sequence_nr < INPLACE_CLOCK.last:  # an in-place change came later: did it touch what it saved?
        node.check_versions()
    saved = node.saved_tensors
    if saved is not None and not node._has_hooks:  # the common case of _run_node, inlined: the hot path
        input_grads = node.backward(grad)
        if saved and not keep_saved:
            node.saved_tensors = None
    else:
        input_grads = _run_node(node, grad, keep_saved)
    if node._grad_dtypes is not None:
        input_grads = _cast_back(input_grads, node._grad_dtypes)
    return input_grads


def _run_without_collector(nodes, leaf_dependencies, root, seed, keep_saved):
    """``_run_in_order`` with Python's cyclic garbage collector paused: the pass makes no
    reference cycles, but its many short-lived objects would otherwise trigger collections
    that scan the whole (large) graph again and again."""
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        _run_in_order(nodes, leaf_dependencies, root, seed, keep_saved)
    finally:
        if collector_was_on:
            gc.enable()


LARGE_GRAPH = 1000  # nodes


def _root_gradient(tensor, gradient):
    """The gradient that starts the pass: 1 for a scalar, else the one the caller gave."""
    data = tensor._data
    if gradient is None:
        if type(data) is not np.ndarray:  # loss.backward() on a number (a NumPy scalar): the seed is 1
            return ONE[data.dtype]
        if data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return ONE[data.dtype] if data.ndim == 0 else np.ones(data.shape, data.dtype)
    given = gradient._data if isinstance(gradient, function.Tensor) else np.asarray(gradient)
    if given.shape != data.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[0] has a shape of {_size(given.shape)} and "
            f"output[0] has a shape of {_size(data.shape)}."
        )
    return given.astype(data.dtype, copy=False)


def _size(shape):
    return f"minigrad.Size({list(shape)})"


def collect_graph(root):
    """Walk the graph from ``root`` with a growing list (never recursion).

    Returns the op nodes, and for every AccumulateGrad (leaf) node how many edges point
    into it, so it can run as soon as its last consumer has (as PyTorch runs it).
    """
    if type(root) is AccumulateGrad:  # backward() on a leaf: no op nodes at all
        return [], {root: 0}
    nodes, seen, leaf_dependencies = [root], {root}, {}
    for node in nodes:  # the list grows while it is walked: it is its own to-do list
        for next_node in node._next_nodes:
            if next_node is None:
                continue
            if type(next_node) is AccumulateGrad:  # leaves are counted, never walked into
                leaf_dependencies[next_node] = leaf_dependencies.get(next_node, 0) + 1
            elif next_node not in seen:
                seen.add(next_node)
                nodes.append(next_node)
    return nodes, leaf_dependencies


_SEQUENCE_NUMBER = operator.attrgetter("sequence_nr")


def _run_in_order(nodes, leaf_dependencies, root, root_gradient, keep_saved):
    """Run every node once, after all of its consumers; pass each gradient on to where it flows."""
    # Every node is created after its inputs, so it has a higher sequence number than they do.
    # Running the nodes newest first therefore runs each one after all of its consumers, when
    # its gradient is complete: the same order PyTorch's engine picks from its ready queue.
    nodes.sort(key=_SEQUENCE_NUMBER, reverse=True)
    buffers = {root: root_gradient}  # node -> the sum of the gradients that reached it so far
    take = buffers.pop
    for node in nodes:
        grad = take(node, None)
        if grad is None:  # nothing reached this node (a hook returned None): pass nothing on
            if node.sequence_nr < INPLACE_CLOCK.last:
                node.check_versions()
            input_grads = (None,) * len(node._next_nodes)
        else:
            input_grads = _input_gradients(node, grad, keep_saved)
        next_nodes = node._next_nodes
        if len(next_nodes) == 1:  # sin(x), x ** 2, ...: one edge, no zip needed
            edges = ((next_nodes[0], input_grads[0], node._inputs[0]),)
        else:
            edges = zip(next_nodes, input_grads, node._inputs)
        for next_node, input_grad, input_data in edges:
            if next_node is None:
                continue
            if input_grad is not None:
                if input_grad.shape != input_data.shape:
                    input_grad = sum_to_shape(input_grad, input_data.shape)
                previous = buffers.get(next_node)
                buffers[next_node] = input_grad if previous is None else previous + input_grad
            if type(next_node) is AccumulateGrad:  # a leaf: accumulate once its last consumer has run
                remaining = leaf_dependencies[next_node] - 1
                leaf_dependencies[next_node] = remaining
                if remaining == 0 and next_node in buffers:
                    if next_node._has_hooks:
                        _run_node(next_node, take(next_node), keep_saved)
                    else:  # the usual leaf (it saves nothing): straight into .grad
                        next_node.backward(take(next_node))


def _cast_back(input_grads, dtypes):
    """Each gradient in its input's dtype (an op on float32 and float64 computed in float64)."""
    cast = []
    for grad, dtype in zip(input_grads, dtypes):
        if grad is not None and grad.dtype != dtype:
            grad = grad.astype(dtype)  # a NumPy scalar's astype gives a NumPy scalar
        cast.append(grad)
    return cast


def _run_node(node, grad, keep_saved):
    """Call one node's backward (with its hooks, if any); free its saved values unless kept."""
    if node._has_hooks:
        return _run_with_hooks(node, grad, keep_saved)
    if node.saved_tensors is None:
        raise RuntimeError(function.FREED_MESSAGE)
    input_grads = node.backward(grad)
    if not keep_saved and node.saved_tensors:
        node.saved_tensors = None
    return input_grads


def _run_with_hooks(node, grad, keep_saved):
    """The same, with the tensor hooks, pre-hooks and post-hooks PyTorch would run."""
    if node._tensor_prehooks is not None:
        grad = _run_tensor_hooks(node._tensor_prehooks, grad)
    if node._prehooks is not None:
        grad = _run_prehooks(node, grad)
    if node.saved_tensors is None:
        raise RuntimeError(function.FREED_MESSAGE)
    input_grads = node.backward(grad)
    if node._hooks is not None:
        input_grads = _run_posthooks(node, input_grads, grad)
    if not keep_saved:
        node.release_saved()
    return input_grads


def sum_to_shape(grad, shape):
    """Undo broadcasting: sum over the axes that broadcasting added or stretched."""
    if shape == ():  # a scalar used with a whole batch: its gradient is the sum over the batch
        return total(grad)
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1
    )
    summed = np.add.reduce(grad, axis=axes, keepdims=True) if axes else grad
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


__all__ = ["backward", "collect_graph", "sum_to_shape", "AccumulateGrad"]
