"""The backward pass: run every node once, after all of its consumers, and sum the paths.

``Tensor.backward()`` and ``autograd.grad()`` both come here, to ``run_backward``. The algorithm
(no recursion anywhere, so a chain of a million ops is as easy as a chain of three):

1. Start at the output's node with its gradient (1 for a scalar loss).
2. While the node reached passes its gradient on to one place only (sin(x), x ** 2, x * 2: one
   input that needs it), nothing else can add to what the next node receives: run it straight
   away, no list, no sort. ``exp(sin(x ** 2))`` is done entirely in this step, which saves a
   sixth of its forward and backward (docs/speed.md). ``backward()`` only.
3. Otherwise collect the nodes below (a list that grows as it is walked) and sort them newest
   first (by sequence number). A node is always created after its inputs, so in this order
   every node comes after all of its consumers: when its turn comes, its gradient is complete.
   PyTorch's engine takes this order too.
4. Run each node (``run_node``) and add each gradient it returns into the buffer of the node it
   flows to. A value used twice receives two contributions, summed: the multivariable chain rule.
5. A leaf's AccumulateGrad runs as soon as its last consumer has, adding into ``.grad``. For
   ``autograd.grad`` it does not run: the gradient that reached it is returned instead.

Running a node is one function, ``run_node``: PyTorch's in-place version check, the node's
backward with its hooks, each gradient cast back to its input's dtype, the saved values freed
unless ``retain_graph``. Observers (the walkthrough recorder) watch through ordinary node hooks.
"""

import gc
import operator

import numpy as np

from ..numeric import FP_ERROR_STATE, ONE, QUIET, total
from . import function
from .function import FREED_MESSAGE, INPLACE_CLOCK, AccumulateGrad, NoGradView

LARGE_GRAPH = 1000  # nodes: from this many on, the garbage collector pauses during the pass


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Compute d(tensor)/d(leaf) for every leaf that requires grad; accumulate into ``.grad``.

    This is ``Tensor.backward`` itself.
    """
    root = tensor._node  # the tensor's grad_fn, or its AccumulateGrad if it is a leaf
    if type(root) is NoGradView and (gradient is not None or tensor._data.size == 1):
        root = None  # a view made under no_grad requires grad, yet has no graph: PyTorch's error too
    if root is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if create_graph:
        raise NotImplementedError("minigrad does not build a graph of the backward pass (create_graph=True)")
    run_backward({root: root_gradient(tensor, gradient)}, keep_saved=bool(retain_graph))


def run_backward(seeds, keep_saved, wanted=None):
    """Run the graph below ``seeds`` ({node: the gradient it starts with}).

    ``wanted`` None: every leaf's AccumulateGrad runs (``Tensor.backward``). Else a set of nodes:
    no ``.grad`` is touched, and the gradient that reached each wanted node is returned, as
    {node: gradient} (``autograd.grad``).
    """
    quiet = FP_ERROR_STATE.set(QUIET)  # no NumPy warnings from the backward formulas (see numeric.QUIET)
    try:
        if wanted is None and len(seeds) == 1:
            ((root, grad),) = seeds.items()
            root, grad = _run_single_path(root, grad, keep_saved)
            if root is None:  # the whole graph was one path (exp(sin(x ** 2)), a leaf itself)
                return {}
            seeds = {root: grad}
        return _run_in_order(seeds, keep_saved, wanted)
    finally:
        FP_ERROR_STATE.reset(quiet)


def _run_single_path(node, grad, keep_saved):
    """Step 2: run nodes for as long as each passes its gradient to one place (one input, as sin(x);
    or two, the second a constant, as x * 2). Returns the first node that passes it to two or more
    places and the gradient it receives, or ``(None, None)`` once the path has ended (at a leaf,
    at a constant, or with no gradient to pass)."""
    while True:
        next_nodes = node._next_nodes
        one_place = len(next_nodes) == 1 or (len(next_nodes) == 2 and next_nodes[1] is None)
        if not one_place and type(node) is not AccumulateGrad:
            return node, grad
        input_grads = run_node(node, grad, keep_saved)
        if not next_nodes or next_nodes[0] is None:  # a leaf has filled its .grad; a constant needs nothing
            return None, None
        grad = input_grads[0]
        if grad is None:  # a hook returned None: nothing flows further
            return None, None
        if grad.shape != node._inputs[0].shape:
            grad = sum_to_shape(grad, node._inputs[0].shape)
        node = next_nodes[0]


def _run_in_order(seeds, keep_saved, wanted):
    """Steps 3 to 5: every node once, newest first; each gradient added into where it flows."""
    nodes, leaf_dependencies = collect_graph(seeds)
    nodes.sort(key=_SEQUENCE_NUMBER, reverse=True)  # each node after all of its consumers (see step 3)
    buffers = dict(seeds)  # node -> the sum of the gradients that reached it so far
    reached = {}
    # the garbage collector paused on a large graph: the pass makes no reference cycles, but its many
    # short-lived objects would trigger collections that scan the whole graph again and again
    pause_collector = len(nodes) >= LARGE_GRAPH and gc.isenabled()
    if pause_collector:
        gc.disable()
    try:
        for leaf, count in leaf_dependencies.items():  # a seed that is a leaf, used by no op below
            if count == 0:
                _finish_leaf(leaf, buffers.pop(leaf), keep_saved, wanted, reached)
        for node in nodes:
            grad = buffers.pop(node, None)
            if wanted is not None and node in wanted:
                reached[node] = grad  # complete now: every consumer has run
            input_grads = run_node(node, grad, keep_saved)
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
                if type(next_node) is AccumulateGrad:  # a leaf: its turn comes once its last consumer has run
                    remaining = leaf_dependencies[next_node] - 1
                    leaf_dependencies[next_node] = remaining
                    if remaining == 0 and next_node in buffers:
                        _finish_leaf(next_node, buffers.pop(next_node), keep_saved, wanted, reached)
    finally:
        if pause_collector:
            gc.enable()
    return reached


def _finish_leaf(leaf, grad, keep_saved, wanted, reached):
    """Step 5: into ``.grad`` (backward), or kept to be returned, after the tensor's hooks (autograd.grad)."""
    if wanted is None:
        run_node(leaf, grad, keep_saved)
    elif leaf in wanted:
        reached[leaf] = grad if leaf._tensor_prehooks is None else _run_tensor_hooks(leaf._tensor_prehooks, grad)


def run_node(node, grad, keep_saved):
    """One node's turn: the version check, its backward (with its hooks), each gradient in its
    input's dtype, its saved values freed unless kept. ``grad`` None (a hook returned None):
    nothing reached the node, so it passes nothing on."""
    if node.sequence_nr < INPLACE_CLOCK.last:  # an in-place change came later: did it touch what it saved?
        node.check_versions()
    if grad is None:
        return (None,) * len(node._next_nodes)
    if node._has_hooks:
        input_grads = _run_with_hooks(node, grad, keep_saved)
    else:
        saved = node.saved_tensors
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        input_grads = node.backward(grad)
        if saved and not keep_saved:
            node.saved_tensors = None
    if node.grad_dtypes is not None:
        input_grads = _cast_back(input_grads, node.grad_dtypes, node._inputs)
    return input_grads


def _run_with_hooks(node, grad, keep_saved):
    """``node.backward`` with the tensor hooks, pre-hooks and post-hooks PyTorch would run."""
    if node._tensor_prehooks is not None:
        grad = _run_tensor_hooks(node._tensor_prehooks, grad)
    if node._prehooks is not None:
        grad = _run_prehooks(node, grad)
    if node.saved_tensors is None:
        raise RuntimeError(FREED_MESSAGE)
    input_grads = node.backward(grad)
    if node._hooks is not None:
        input_grads = _run_posthooks(node, input_grads, grad)
    if not keep_saved:
        node.release_saved()
    return input_grads


def _cast_back(input_grads, dtypes, inputs):
    """Each gradient in its input's dtype (an op on float32 and float64 computed in float64).
    A broadcast input's gradient is summed back to its shape first, in the op's dtype, then cast:
    PyTorch's order (a float64 number added to three float32 values gets 3 · (1/3 in float32) = 1.0)."""
    cast = []
    for grad, dtype, data in zip(input_grads, dtypes, inputs):
        if grad is not None and grad.dtype != dtype:
            if grad.shape != data.shape:  # data: an array, a NumPy number or a Preview, each with a shape
                grad = sum_to_shape(grad, data.shape)
            grad = np.asarray(grad).astype(dtype)[()]  # a plain number has no astype
        cast.append(grad)
    return cast


def root_gradient(tensor, gradient, index=0):
    """The gradient a pass starts with at ``tensor`` (output number ``index``): 1 for a scalar,
    else the one the caller gave, which must have the tensor's shape."""
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
            f"Mismatch in shape: grad_output[{index}] has a shape of {_size(given.shape)} and "
            f"output[{index}] has a shape of {_size(data.shape)}."
        )
    return given.astype(data.dtype, copy=False)


def _size(shape):
    return f"minigrad.Size({list(shape)})"


def collect_graph(roots):
    """Walk the graph from ``roots`` (a node, or several) with a growing list, never recursion.

    Returns the op nodes, and for every AccumulateGrad (leaf) node how many edges point into it,
    so that it can run as soon as its last consumer has (as PyTorch runs it).
    """
    roots = [roots] if isinstance(roots, function.Node) else list(roots)
    nodes, seen, leaf_dependencies = [], set(), {}
    for root in roots:
        if type(root) is AccumulateGrad:  # backward() on a leaf: no op node above it
            leaf_dependencies.setdefault(root, 0)
        elif root not in seen:
            seen.add(root)
            nodes.append(root)
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


__all__ = ["backward", "run_backward", "run_node", "root_gradient", "collect_graph", "sum_to_shape"]
