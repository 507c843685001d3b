"""Nodes of the backward graph, and ``Function.apply``, the one place where graphs are built.

Every op in ``minigrad/ops.py`` is a ``Function``. Calling ``Sin.apply(x)`` runs the
op's ``forward`` on NumPy data and, when grad mode is on and an input requires grad,
makes a node (an instance of the op class, shown to students as ``SinBackward0``) that
remembers:

* the node each input's gradient flows into, one per input, in order (``None`` for
  constants), so ``a + a`` has two edges into the same node; PyTorch shows them as
  ``next_functions``, pairs ``(node, 0)``;
* whatever ``forward`` saved with ``ctx.save_for_backward`` (freed after backward);
* each input's data and its output's, so the engine can sum a broadcast gradient back to
  the input's shape (no op has to think about broadcasting), and a drawing can show every
  value. Of a big array (a batch, not a lesson) only a ``Preview`` is kept.

Leaves that require grad end in an ``AccumulateGrad`` node, as in PyTorch.
"""

import itertools
import math
import weakref

import numpy as np

from ..dtypes import torch_type_name
from ..numeric import QUIET_CONTEXTS as _QUIET_CONTEXTS
from .grad_mode import STATE as _GRAD_MODE

_next_sequence_number = next_sequence_number = itertools.count().__next__


class INPLACE_CLOCK:  # noqa: N801 - a namespace for one number
    """The sequence number of the latest in-place change anywhere: a node built after it can
    have seen no value changed since (the engine skips its version check, one comparison)."""

    last = -1
_ndarray = np.ndarray
Tensor = None  # set by minigrad.tensor once the class exists (tensor.py imports this module)
FORWARD_OBSERVERS = []  # callables told of every node built; minigrad.trace records walkthroughs with it

INPLACE_ERROR = "one of the variables needed for gradient computation has been modified by an inplace operation"
INPLACE_HINT = (
    "Hint: the in-place operation changed a value that a gradient formula needs; compute the new value out "
    "of place (y = y * 2, not y.mul_(2)), or clone() the tensor before changing it."
)
FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Preview:
    """What a node keeps of a big array: its shape, its dtype and the numbers a drawing shows.

    Nodes keep the data they were built from so that ``viz.draw(loss)`` can show every value.
    Kept whole, the big arrays of a batch would stay alive from forward until the node is
    freed: in a training step, every intermediate result at once, where PyTorch keeps only
    what backward needs (three times the memory for a tanh layer, and the time to map fresh
    memory in again). A drawing shows a vector's first values and its last, so for an array
    of more than ``PREVIEW_ABOVE`` numbers that is all a node keeps.
    """

    __slots__ = ("shape", "dtype", "head", "last")

    def __init__(self, array):
        self.shape, self.dtype = array.shape, array.dtype
        self.head = array.flat[:PREVIEW_LENGTH]  # a copy: the big array itself can be freed
        self.last = array.flat[-1]

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return math.prod(self.shape)

    def __repr__(self):
        return f"Preview(shape={self.shape}, dtype={self.dtype})"


PREVIEW_ABOVE = 65_536  # numbers: an array this size or smaller is kept whole
PREVIEW_LENGTH = 8  # the first values a drawing shows (then "…" and the last)


def kept(data):
    """The data itself, or a ``Preview`` of it if it is a big array."""
    if type(data) is np.ndarray and data.size > PREVIEW_ABOVE:
        return Preview(data)
    return data


def _keep_previews(node):
    """Swap the big arrays a node keeps (its output, its inputs) for their Previews."""
    node._value = kept(node._value)
    for data in node._inputs:
        if type(data) is np.ndarray and data.size > PREVIEW_ABOVE:  # a big input: take the slow way
            node._inputs = [kept(data) for data in node._inputs]
            # nor the input tensors themselves (they would keep the big arrays alive): so there is
            # no version check on a big batch (see check_versions)
            node._tensors = ()
            return


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook away again."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Node:
    """A node of the backward graph (what ``tensor.grad_fn`` points to)."""

    # ``saved_tensors``: what forward saved, () for nothing, None once freed (the engine checks
    # before it calls backward, and raises PyTorch's error). A plain slot, read by every op's backward.
    # ``_inputs`` and ``_value``: the inputs' and the output's data (or a Preview of a big array),
    # for broadcasting and drawings (the data only, never the output tensor itself: that would
    # be a reference cycle).
    # ``_tensors``: the input tensors themselves (or constants), for the version check (see
    # check_versions); ``_inputs`` holds their data as it was when the node was built.
    __slots__ = ("_next_nodes", "sequence_nr", "_inputs", "_tensors", "saved_tensors", "_value", "__dict__",
                 "__weakref__")
    grad_fn_name = "Node"
    _hooks = _prehooks = _tensor_prehooks = None  # shared defaults until a hook is registered
    _has_hooks = False  # ... and then True: the engine checks this one flag
    # the inputs' dtypes, when an op converted them to a common one (float32 * float64): the
    # engine casts each gradient back to its input's dtype. None (the usual case): nothing to cast
    grad_dtypes = None
    saved_names = ()  # names under which saved values are shown: ``_saved_self``, ...
    _modifies_first_input = False  # True for an in-place op's node (its first input's old values are its own copy)
    _changed_output = None  # (weak tensor, Storage, version) once its saved output is changed in place

    def needs_saved_input(self, index):
        """Does backward need the saved data of input ``index``? (Then changing it in place is an error.)"""
        data = self._inputs[index]
        return any(value is data for value in self.saved_tensors)

    def _note_output_change(self, tensor):
        """``tensor`` (this node's output) is about to change in place: if this node saved its
        value (exp, tanh, sigmoid save their result), backward must refuse to use it."""
        if self._changed_output is None and any(value is tensor._data for value in self.saved_tensors):
            storage = tensor._storage
            self._changed_output = (weakref.ref(tensor), tensor._version if storage is None else storage.version)

    def check_versions(self):
        """PyTorch's error if a value this node saved was changed in place after it was saved."""
        if not self.saved_tensors:
            return
        for index, tensor in enumerate(self._tensors):
            if type(tensor) is not Tensor or tensor._storage is None:
                continue
            if index == 0 and self._modifies_first_input:  # x.mul_(y): its node kept x's old values
                continue
            storage = tensor._storage
            expected = storage.version_at(self.sequence_nr)
            if storage.version != expected and self.needs_saved_input(index):
                raise RuntimeError(inplace_error(tensor, storage.version, expected))
        if self._changed_output is not None:
            reference, expected = self._changed_output
            tensor = reference()
            if tensor is not None:  # PyTorch names the op that saved its output, this one
                raise RuntimeError(inplace_error(tensor, tensor._version, expected, made_by=self))

    def name(self):
        """PyTorch's name for this node, e.g. ``'PowBackward0'``."""
        return self.grad_fn_name

    @property
    def needs_input_grad(self):
        """One bool per input: does a gradient for it go anywhere? (Ops may skip the others.)"""
        return tuple([node is not None for node in self._next_nodes])

    @property
    def next_functions(self):
        """One ``(node, 0)`` pair per input, ``(None, 0)`` for an input that needs no gradient."""
        return tuple([(node, 0) for node in self._next_nodes])

    def __repr__(self):
        return f"<{type(self).display_name()} object at {id(self):#x}>"

    @classmethod
    def display_name(cls):
        return cls.grad_fn_name

    # hooks, with PyTorch's signatures
    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        self._has_hooks = True
        return RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        if self._prehooks is None:
            self._prehooks = []
        self._prehooks.append(hook)
        self._has_hooks = True
        return RemovableHandle(self._prehooks, hook)

    # saved values
    def save_for_backward(self, *values):
        """Keep what backward will need. Freed after backward unless ``retain_graph=True``."""
        self.saved_tensors = values

    def release_saved(self):
        """Free saved values (called by the engine). Nodes that saved nothing stay usable."""
        if self.saved_tensors:
            self.saved_tensors = None

    def __getattr__(self, attribute):
        # ``grad_fn._saved_self`` and friends: a saved tensor (freed after backward), or a
        # plain value the op kept as an attribute (an exponent, a shape), which is never freed
        if attribute.startswith("_saved_"):
            name = attribute[len("_saved_"):]
            if name in type(self).saved_names:
                if self.saved_tensors is None:
                    raise RuntimeError(FREED_MESSAGE)
                return Tensor._wrap(self.saved_tensors[type(self).saved_names.index(name)])
            if name in self.__dict__ or hasattr(type(self), name):
                return getattr(self, name)
        raise AttributeError(f"'{type(self).display_name()}' object has no attribute '{attribute}'")

    def __dir__(self):
        # values an op keeps as attributes: in the instance dict, or in a slot of the op's own class
        op_slots = {name for cls in type(self).__mro__[:-2] for name in cls.__dict__.get("__slots__", ())
                    if not name.startswith("_")}
        names = set(type(self).saved_names) | set(self.__dict__) | op_slots
        return sorted(set(super().__dir__()) | {"_saved_" + name for name in names})


def inplace_error(tensor, version, expected, made_by=None):
    """PyTorch's message, with the tensor's type and shape and the op that made it (its grad_fn)."""
    kind = f"minigrad.{torch_type_name(tensor._data.dtype)}Tensor {list(tensor._data.shape)}"
    made_by = made_by or tensor.grad_fn
    which = "" if made_by is None else f", which is output 0 of {_short_name(made_by)},"
    return (f"{INPLACE_ERROR}: [{kind}]{which} is at version {version}; expected version {expected} instead. "
            f"{INPLACE_HINT}")


def _short_name(node):
    """``MulBackward0`` → ``Mul``, ``PowBackward1`` → ``Pow1``: how PyTorch's message names the op."""
    name = type(node).display_name()
    if "Backward" not in name:
        return name
    op, number = name.rsplit("Backward", 1)
    return op if number == "0" else op + number


class AccumulateGrad(Node):
    """The node at a leaf that requires grad: it adds the incoming gradient into ``.grad``.

    It holds its tensor weakly (the tensor holds it), so there is no reference cycle.
    """

    __slots__ = ("_variable",)
    grad_fn_name = "torch::autograd::AccumulateGrad"

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self._next_nodes = ()
        self._inputs = self._tensors = ()
        self.saved_tensors = ()
        self._value = None
        # PyTorch runs AccumulateGrad as soon as it is ready: give it the top priority
        self.sequence_nr = (1 << 62) + _next_sequence_number()

    @classmethod
    def display_name(cls):
        return "AccumulateGrad"

    @property
    def variable(self):
        """The leaf tensor whose ``.grad`` this node fills."""
        return self._variable()

    def backward(self, grad):
        variable = self._variable()
        # a leaf whose requires_grad was switched off after the graph was built gets nothing (PyTorch)
        if variable is not None and variable._node is self:
            variable._accumulate_grad(grad)
        return ()


class NoGradView(AccumulateGrad):
    """The node of a view made under ``no_grad`` of a tensor that requires grad. As in PyTorch,
    the view requires grad and is a leaf without a grad_fn, yet no gradient is kept through it."""

    __slots__ = ()

    def backward(self, grad):
        return ()


class _NoContext:
    """Stands in for ``ctx`` when no graph is built: saving is then a no-op."""

    def save_for_backward(self, *values):
        pass


NO_CONTEXT = _NoContext()


class Function(Node):
    """Base class of every op. Subclasses define ``forward(ctx, *arrays)`` and ``backward(ctx, grad)``.

    ``forward`` receives NumPy data (plus any non-tensor options as keywords) and returns
    NumPy data; it never calls another op (it runs in the quiet context of numeric.quietly,
    which cannot be entered twice). ``backward`` receives the gradient of the output and returns one gradient
    per tensor input (``None`` where an input needs none). The engine, not the op, owns
    accumulation and broadcasting. How a student sees the op is its ``notation`` (see ``ops.Notation``).
    """

    __slots__ = ()
    # Can the output hold fewer numbers than an input (a sum, a matrix product, an index)?
    # Then apply looks at the inputs' sizes too (see Preview). Element-wise ops say no.
    can_shrink = True

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on its inputs (tensors, or constants: NumPy data, numbers); record a node when
        grad mode is on and an input requires grad. ``options`` go to forward as keywords."""
        # inputs sorted out by hand for two (a + b, x * 0.5), in statements, no generators: this is
        # the hottest path of the whole library
        if len(inputs) == 2:
            a, b = inputs
            a_data, a_node = (a._data, a._node) if type(a) is Tensor else (a, None)
            b_data, b_node = (b._data, b._node) if type(b) is Tensor else (b, None)
            track = a_node is not None or b_node is not None
            return record(cls, inputs, [a_data, b_data], (a_node, b_node), track, options, ())
        arrays = [x._data if type(x) is Tensor else x for x in inputs]
        next_nodes = tuple([x._node if type(x) is Tensor else None for x in inputs])
        return record(cls, inputs, arrays, next_nodes, next_nodes.count(None) != len(next_nodes), options, ())

    @classmethod
    def apply_to_tensor(cls, x, *constants):
        """``apply`` for one tensor and the op's plain-number arguments, given in forward's order
        (``Pow.apply_to_tensor(x, 2)`` for x ** 2): the numbers are forward's arguments, not inputs
        of the graph (no edge for them)."""
        return record(cls, (x,), [x._data], (x._node,), x._node is not None, None, constants)

    @classmethod
    def apply_to_tensors(cls, a, b):
        """``apply(a, b)`` for two tensors (a + b, w * x: the course's commonest call)."""
        a_node, b_node = a._node, b._node
        return record(cls, (a, b), [a._data, b._data], (a_node, b_node), a_node is not None or b_node is not None,
                      None, ())

    def _finish(self, inputs, output, options):
        """What a new node may still need: Previews instead of big arrays (see Preview; an
        element-wise op's inputs are no bigger than its output, so only its output needs a
        look), and telling a recording walkthrough."""
        value = self._value
        if (type(value) is _ndarray and value.size > PREVIEW_ABOVE) or self.can_shrink:
            _keep_previews(self)
        for observe in FORWARD_OBSERVERS:
            observe(self, inputs, output, options)

    def forward(ctx, *arrays):
        raise NotImplementedError

    def local_derivatives(ctx):
        """The local derivative for each input, value by value, where the op has a simple one
        (shown by the walkthrough). ``None`` where it has none (a matrix product, a reshape)."""
        return None

    def placeholders(ctx):
        """The op's own numbers that its notation shows (an exponent, the N of a mean): name -> number."""
        return {}

    def backward(ctx, grad):
        raise NotImplementedError


def record(cls, inputs, arrays, next_nodes, track, options, constants):
    """Graph building, written once (``Function.apply`` and its two shortcuts call it): op ``cls``'s
    forward on the data, and, when grad mode is on and an input requires grad (``track``), the node:
    an instance of ``cls`` (the ``ctx`` forward saves into) remembering where each input's gradient
    flows (``next_nodes``), the inputs and the output. ``constants``: forward's plain-number
    arguments after the inputs' data (``apply_to_tensor``'s); ``options``: its keywords, or None.

    A function of the module, not a method: the call every op makes, made the cheapest way."""
    output = object.__new__(Tensor)
    output._grad = output.name = output._storage = None
    if track and _GRAD_MODE.enabled:
        ctx = node = object.__new__(cls)
        node._next_nodes = next_nodes
        node._inputs = arrays
        node._tensors = inputs
        node.saved_tensors = ()
        node.sequence_nr = _next_sequence_number()
    else:
        ctx = NO_CONTEXT
        node = None
    # forward runs with NumPy's floating-point warnings off (PyTorch computes 1/0 = inf silently)
    # in the quiet context (numeric.quietly, written out: the hottest call of all); the common
    # calls spelt out (unpacking even an empty *args or **options costs a tenth of the call)
    run_quietly = _QUIET_CONTEXTS.context.run
    if options:
        value = run_quietly(cls.forward, ctx, *arrays, *constants, **options)
    elif constants:  # apply_to_tensor(x, 2)
        value = run_quietly(cls.forward, ctx, arrays[0], *constants)
    elif len(arrays) == 1:
        value = run_quietly(cls.forward, ctx, arrays[0])
    elif len(arrays) == 2:
        value = run_quietly(cls.forward, ctx, arrays[0], arrays[1])
    else:
        value = run_quietly(cls.forward, ctx, *arrays)
    output._data = value
    output._node = node
    if node is not None:
        node._value = value
        if cls.can_shrink or type(value) is _ndarray or FORWARD_OBSERVERS:
            node._finish(inputs, output, options or {})
    return output
