"""``Tensor``: NumPy data plus the four things autograd needs.

* ``requires_grad``: should gradients flow to this tensor?
* ``grad_fn``: the node that made it (``None`` for a leaf, one the user created);
* ``grad``: where ``backward()`` accumulates d(output)/d(this tensor), for leaves;
* ``is_leaf``: no ``grad_fn``. Only leaves get ``.grad`` (unless ``retain_grad()``).

Operators and math methods only check their arguments and hand the NumPy data to an op
from ``ops.py``; ``Function.apply`` records the graph.

Storage: an n-dim tensor holds an ``ndarray``; a 0-dim tensor holds a NumPy scalar
(``np.float32(3.0)``), the same number, but arithmetic on it is several times faster,
and scalar graphs are what the walkthroughs are made of. NumPy scalars cannot be changed
in place, so one-number tensors that share memory in PyTorch (``x.detach()``, ``x.data``,
``x.flatten()``, ``x[None]`` of a 0-dim x, ...) are kept in one *alias group* and an in-place
change is written to every member.

Versions: tensors that share memory share a ``Storage`` (made on first need: a view, an
in-place change), which counts the in-place changes made to it (``x._version``), as PyTorch
does. The engine compares them with what each node saw, and raises PyTorch's error when a
value a gradient formula needs was changed in place after it was saved.
"""

import bisect
import numbers
import operator
import warnings
import weakref

import numpy as np

from . import device as device_module
from . import dtypes, ops, printing
from .autograd import engine, function
from .autograd.function import AccumulateGrad, RemovableHandle
from .autograd.grad_mode import STATE as _GRAD_MODE
from .dtypes import torch_type_name
from .numeric import ZERO, quietly

NON_LEAF_GRAD_WARNING = (  # PyTorch's whole text, but for its C++ source position
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. "
    "See github.com/pytorch/pytorch/pull/30531 for more information."
)
LEAF_INPLACE_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
PARTIAL_OVERLAP_ERROR = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
NO_GRAD_VIEW_INPLACE_ERROR = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
    "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both "
    "outside (if you want the inplace to be tracked)."
)
NON_LEAF_FLAG_ERROR = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
INTEGER_GRAD_ERROR = "only Tensors of floating point and complex dtype can require gradients"




class Storage:
    """What tensors sharing memory share: their version (the in-place changes so far) and,
    for one-number tensors (which hold immutable NumPy scalars), the list of its members.

    ``stamps``: the sequence number (the clock nodes are numbered with) of each in-place change,
    so the engine can tell how many came after a node was built. ``members``: weak references
    to the one-number tensors that must all see a change (None for bigger tensors, whose
    NumPy views already share memory).
    """

    __slots__ = ("stamps", "members", "view_of_leaf")

    def __init__(self, members=None):
        self.stamps = []
        self.members = members
        self.view_of_leaf = False  # a view of a leaf that requires grad shares it: no in-place change then

    @property
    def version(self):
        return len(self.stamps)

    def version_at(self, sequence_nr):
        """The version when the node numbered ``sequence_nr`` was built.

        Stamps come from one increasing counter, so the list is sorted: a binary search, not a count
        (a training loop's ``w -= lr * w.grad`` adds a stamp every epoch; counting them all was quadratic).
        """
        return bisect.bisect_left(self.stamps, sequence_nr)


T_DEPRECATED_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
    "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
    "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
)
_NO_DIM = object()  # sum() and sum(dim=None) are different calls in PyTorch (SumBackward0 and 1)
_NO_KEEPDIM = object()

_WARNED_ONCE = set()


def _warn_once(message):
    """A UserWarning the first time only, in the whole session (PyTorch's TORCH_WARN_ONCE), wherever it
    comes from: Python's own filter would repeat it for each line of code that triggers it."""
    if message not in _WARNED_ONCE:
        _WARNED_ONCE.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


class Size(tuple):
    """A shape, printed like PyTorch's: ``minigrad.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        return int(np.prod(self))


NUMBER_TYPES = (numbers.Number, np.generic)
# The tensors that are nn.Parameters, by id (weakly: an entry goes when its tensor does). A
# Parameter is a plain Tensor, not a subclass: apply recognises tensors by ``type(x) is Tensor``.
PARAMETERS = weakref.WeakValueDictionary()
FLOAT_SCALARS = (np.float16, np.float32, np.float64)  # what a 0-dim float tensor holds


class Tensor:
    """A multi-dimensional array that can remember how it was computed."""

    # ``_node`` is the node this tensor's gradient flows into: its grad_fn for a result,
    # its AccumulateGrad for a leaf that requires grad, None otherwise.
    # ``requires_grad``, ``grad_fn`` and ``is_leaf`` are all read off it.
    # ``_storage``: the Storage shared with the tensors that share this one's memory (views,
    # detach, data), made on first need; None until then (no view, no in-place change yet).
    __slots__ = ("_data", "_node", "_grad", "name", "_storage", "__weakref__")
    __array_ufunc__ = None  # NumPy must not take over ``ndarray + tensor``: we say it is unsupported

    def __init__(self, data=()):
        # ``minigrad.Tensor([1, 2])`` makes float32 data, like ``torch.Tensor``
        array = np.array(unwrap_nested(data), dtype=dtypes.DEFAULT_FLOAT.numpy)
        self._data = array[()] if array.ndim == 0 else array
        self._node = None
        self._grad = self.name = self._storage = None

    @classmethod
    def _wrap(cls, data):
        """A plain tensor around existing NumPy data (no copy, no graph)."""
        tensor = object.__new__(cls)
        tensor._data = data[()] if type(data) is np.ndarray and data.ndim == 0 else data
        tensor._node = None
        tensor._grad = tensor.name = tensor._storage = None
        return tensor

    def _alias(self, own_version=False):
        """A new tensor outside the graph that shares this one's memory (and its version,
        unless ``own_version``: ``x.data`` is not counted with x, as in PyTorch)."""
        alias = Tensor._wrap(self._data)
        self._share_memory_with(alias, own_version)
        return alias

    def _share_memory_with(self, view, own_version=False):
        """``view`` shares this tensor's memory: one Storage (version), one alias group if one number."""
        storage = self._storage
        if storage is None:
            one_number = self._data.size == 1
            storage = self._storage = Storage([weakref.ref(self)] if one_number else None)
        if storage.members is not None:
            storage.members.append(weakref.ref(view))
        view._storage = Storage(storage.members) if own_version else storage

    @property
    def _version(self):
        """How many in-place changes this tensor's memory has had (PyTorch's ``x._version``)."""
        return 0 if self._storage is None else self._storage.version

    def _bump_version(self):
        storage = self._storage
        if storage is None:
            storage = self._storage = Storage()
        stamp = function.next_sequence_number()
        storage.stamps.append(stamp)
        function.INPLACE_CLOCK.last = stamp

    def _write(self, values):
        """Change this tensor's values in place (every tensor sharing its memory sees it)."""
        node = self._node
        if node is not None and type(node) is not AccumulateGrad and node.saved_tensors:
            node._note_output_change(self)  # its grad_fn saved this value: backward will check
        self._bump_version()
        data = self._data
        members = self._storage.members
        if type(data) is np.ndarray:
            np.copyto(data, values, casting="same_kind")
            if members is None:
                return
            new = data.reshape(())[()]
        else:
            new = values if type(values) is type(data) else data.dtype.type(np.asarray(values).reshape(())[()])
            if members is None:
                self._data = new
                return
        for reference in members:  # one number shared by scalars and arrays: write it to each
            member = reference()
            if member is None or member is self:
                continue
            if type(member._data) is np.ndarray:
                member._data[...] = new
            else:
                member._data = new
        if type(data) is not np.ndarray:
            self._data = new

    # ----------------------------------------------------------------- printing
    def __repr__(self):
        if id(self) in PARAMETERS:  # an nn.Parameter
            return "Parameter containing:\n" + printing.tensor_repr(self)
        return printing.tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        # PyTorch: a 0-dim tensor formats as its Python number (f"{loss}" prints 0.6931471824645996,
        # f"{loss:.3f}" 0.693); any other tensor only without a spec (its str)
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:  # PyTorch names the class: Parameter.__format__ for an nn.Parameter
            name = "Parameter" if id(self) in PARAMETERS else "Tensor"
            raise TypeError(f"unsupported format string passed to {name}.__format__")
        return repr(self)

    # ----------------------------------------------------------------- shape and type
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return device_module.CPU  # device(type='cpu'): the data is NumPy's

    is_cuda = False

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise AssertionError(device_module.NO_CUDA)

    def is_floating_point(self):
        return _is_float(self._data)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # ----------------------------------------------------------------- conversions
    def item(self):
        """The single value as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        return np.asarray(self._data).tolist()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return np.asarray(self._data)

    def __array__(self, dtype=None, copy=None):
        array = np.asarray(self._data)
        return array if dtype is None else array.astype(dtype)

    def _scalar(self, convert):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return convert(self._data.reshape(()).item())

    def __float__(self):
        if self.requires_grad:  # PyTorch warns for float() (not for int(), bool() or item())
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                          "behavior.\nConsider using tensor.detach() first.", UserWarning, stacklevel=2)
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    __hash__ = object.__hash__  # tensors are hashable by identity, as in PyTorch

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        """``x.to(torch.float64)``, ``x.to("cpu")``, ``x.to(device, dtype)``, ``x.to(other)``: the same
        tensor if nothing changes (unless ``copy=True``), else a copy (ToCopyBackward0)."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, device_module.device)):
                device = arg
            elif isinstance(arg, dtypes.dtype) or arg in (float, int, bool):
                dtype = arg
            else:
                raise TypeError(f"to() received an invalid combination of arguments - got "
                                f"({', '.join(type(a).__name__ for a in args)}), but expected one of:")
        device_module.checked(device)
        target = self._data.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)
        if target == self._data.dtype and not copy:
            return self
        if target.kind != "f":  # an integer or bool result cannot require grad: outside the graph
            # inf or nan to an integer: no NumPy warning (PyTorch has none)
            return Tensor._wrap(quietly(np.asarray(self._data).astype, target)[()])
        return ops.ToCopy.apply(self, dtype=target)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    # ----------------------------------------------------------------- autograd state
    @property
    def requires_grad(self):
        return self._node is not None

    @property
    def grad_fn(self):
        """The node that computed this tensor (``None`` for a leaf)."""
        node = self._node
        return None if node is None or isinstance(node, AccumulateGrad) else node

    @requires_grad.setter
    def requires_grad(self, value):
        if value and self.grad_fn is not None:  # PyTorch's shorter message for this one
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        self.requires_grad_(value, _message=INTEGER_GRAD_ERROR)

    def requires_grad_(self, requires_grad=True, _message=None):
        """Start (or stop) tracking operations on this leaf. Returns the tensor itself."""
        requires_grad = bool(requires_grad)
        if type(self._node) is function.NoGradView:  # a view made under no_grad: PyTorch keeps it as it is
            return self
        if self._node is not None and not isinstance(self._node, AccumulateGrad):  # a result, not a leaf
            if not requires_grad:
                raise RuntimeError(NON_LEAF_FLAG_ERROR)
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(_message or "only Tensors of floating point dtype can require gradients")
        if requires_grad and self._node is None:
            self._node = AccumulateGrad(self)
        elif not requires_grad:
            self._node = None
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        node = self._node
        if node is not None and not isinstance(node, AccumulateGrad) and not self.retains_grad:  # not a leaf
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                kind = type(value).__name__
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {kind}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @property
    def retains_grad(self):
        hooks = self._node._tensor_prehooks if self.grad_fn is not None else None
        return bool(hooks) and isinstance(hooks[-1], _RetainGrad)

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in ``.grad`` during backward."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if not self.retains_grad:
            self._tensor_hooks().append(_RetainGrad(self))

    def _tensor_hooks(self):
        """Hooks on this tensor live on the node its gradient flows into (PyTorch does the same)."""
        node = self._node
        if node._tensor_prehooks is None:
            node._tensor_prehooks = []
            node._has_hooks = True
        return node._tensor_prehooks

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        position = len(self._tensor_hooks()) - (1 if self.retains_grad else 0)
        hooks = self._tensor_hooks()  # retain_grad always sees the final grad
        hooks.insert(position, hook)
        return RemovableHandle(hooks, hook)

    def _accumulate_grad(self, grad):
        """Add a gradient into ``.grad`` (the AccumulateGrad node calls this)."""
        if self._grad is None:
            # our own copy, never a view of another gradient (scalars are immutable: no copy needed)
            data = self._data
            if type(grad) is np.ndarray:
                self._grad = Tensor._wrap(np.array(grad, dtype=data.dtype))
            else:
                self._grad = Tensor._wrap(grad if type(grad) is type(data) else data.dtype.type(grad))
        else:  # in place, as PyTorch does: x.grad stays the same object
            self._grad._write(self._grad._data + grad)

    # x.backward(gradient=None, retain_graph=None): the engine's entry point, called directly
    backward = engine.backward

    def detach(self):
        """The same data (shared, not copied), cut from the graph: requires_grad=False."""
        return self._alias()

    def detach_(self):
        self._node = None
        return self

    @property
    def data(self):
        """The values as a tensor outside the graph (shares memory, not the version, with this tensor)."""
        return self._alias(own_version=True)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        if self._data.ndim == 0 and value._data.ndim == 0:
            self._write(value._data)
        else:
            self._data = value._data

    def clone(self):
        return ops.Clone.apply(self)

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other):
        return binary(ops.Add, self, other)

    def __radd__(self, other):
        return binary(ops.Add, other, self)

    def __sub__(self, other):
        check_not_bool_subtraction(self, other)
        return binary(ops.Sub, self, other)

    def __rsub__(self, other):
        check_not_bool_subtraction(other, self)
        if isinstance(other, NUMBER_TYPES) and not isinstance(other, np.ndarray):
            # number - tensor is PyTorch's rsub (RsubBackward1), computed in the result type
            converted = _converted(self, _result_dtype_with_number(self, other, False))
            return ops.Rsub.apply(converted, _constant(other, converted))
        return binary(ops.Sub, other, self)

    def __mul__(self, other):
        return binary(ops.Mul, self, other)

    def __rmul__(self, other):
        return binary(ops.Mul, other, self)

    def __truediv__(self, other):
        return binary(ops.Div, self, other, floating=True)

    def __rtruediv__(self, other):
        # PyTorch computes  c / x  as  (1/x) · c
        if isinstance(other, NUMBER_TYPES):
            return binary(ops.Mul, ops.Reciprocal.apply(as_float(self)), other)
        return NotImplemented

    def __pow__(self, exponent):
        data = self._data
        # the common x ** 2 first (_is_float, inlined)
        if type(exponent) is int and exponent >= 0 and (type(data) in FLOAT_SCALARS or data.dtype.kind == "f"):
            return ops.Pow.apply_to_tensor(self, exponent)
        if data.dtype.kind == "b" and isinstance(exponent, (bool, np.bool_)):
            # PyTorch takes a Python bool exponent (x ** True is x, x ** False all True), not a bool tensor
            return Tensor._wrap(data.copy() if exponent else np.ones_like(data))
        if data.dtype.kind == "b" and _is_bool(exponent):
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        if isinstance(exponent, Tensor):
            return binary(ops.PowTensor, self, exponent)
        if isinstance(exponent, numbers.Number) and not isinstance(exponent, complex):
            base = _converted(self, _result_dtype_with_number(self, exponent, False))
            if base._data.dtype.kind != "f" and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            return ops.Pow.apply(base, exponent=exponent)
        return NotImplemented

    def __rpow__(self, base):
        if self._data.dtype.kind == "b" and _is_bool(base):
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        if isinstance(base, numbers.Number) and not isinstance(base, complex):
            exponent = _converted(self, _result_dtype_with_number(self, base, False))
            return ops.RPow.apply(exponent, base=exponent._data.dtype.type(base))
        return NotImplemented

    def __neg__(self):
        _float_input(self, "neg", keep_integers=True)  # torch.neg(None): PyTorch's TypeError
        if self._data.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                "invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return ops.Neg.apply(_float_input(self, "neg", keep_integers=True))

    def __pos__(self):
        if self._data.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def __matmul__(self, other):
        return matmul(self, other)

    def mm(self, mat2):
        return mm(self, mat2)

    def __rmatmul__(self, other):
        return matmul(other, self)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__
    neg = __neg__
    matmul = __matmul__

    def exp(self):
        return ops.Exp.apply_to_tensor(_float_input(self, "exp"))

    def log(self):
        return ops.Log.apply_to_tensor(_float_input(self, "log"))

    def sqrt(self):
        return ops.Sqrt.apply_to_tensor(_float_input(self, "sqrt"))

    def sin(self):
        return ops.Sin.apply_to_tensor(_float_input(self, "sin"))

    def cos(self):
        return ops.Cos.apply_to_tensor(_float_input(self, "cos"))

    def tanh(self):
        return ops.Tanh.apply_to_tensor(_float_input(self, "tanh"))

    def sigmoid(self):
        return ops.Sigmoid.apply_to_tensor(_float_input(self, "sigmoid"))

    def relu(self):
        _float_input(self, "relu", keep_integers=True)
        if self._data.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        return ops.Relu.apply(self)

    def reciprocal(self):
        return ops.Reciprocal.apply_to_tensor(_float_input(self, "reciprocal"))

    def abs(self):
        x = _float_input(self, "abs", keep_integers=True)
        if x._data.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return ops.Abs.apply(x)

    __abs__ = abs

    def dot(self, other):
        return dot(self, other)

    def norm(self, p="fro", dim=None, keepdim=False):
        """The Euclidean length √(Σ xᵢ²), of everything or along ``dim`` (the 2-norm only)."""
        if p not in ("fro", 2, 2.0):
            raise NotImplementedError(f"minigrad's norm is the 2-norm only (got p={p!r})")
        if self._data.dtype.kind != "f":
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                               f"Got {torch_type_name(self._data.dtype)}")
        return ops.VectorNorm.apply(self, dim=_reduction_dims(dim, self._data.ndim), keepdim=keepdim)

    def clamp(self, min=None, max=None):
        """Each value limited to [min, max] (``min``, ``max``: numbers, tensors, or None for no bound)."""
        return clamp(self, min, max)

    clip = clamp

    def clamp_(self, min=None, max=None):
        """``clamp`` in place (``with torch.no_grad(): w.clamp_(0, 1)``); in a graph, ClampBackward1."""
        self._check_inplace()
        result = clamp(self, min, max)
        if not isinstance(min, Tensor) and not isinstance(max, Tensor) and result._data.dtype != self._data.dtype \
                and not np.can_cast(result._data.dtype, self._data.dtype, "same_kind"):
            # with number bounds PyTorch names the tensor's dtype as C++ does ("bool", "long int")
            raise RuntimeError(f"result type {torch_type_name(result._data.dtype)} can't be cast to the "
                               f"desired output type {CPP_TYPE_NAMES.get(self._data.dtype.name)}")
        return self._inplace(result)

    clip_ = clamp_

    # ----------------------------------------------------------------- comparisons (no grad)
    def _compare(self, other, compare):
        other_data = other._data if isinstance(other, Tensor) else other
        check_broadcast(self._data, np.asarray(other_data))
        return Tensor._wrap(np.asarray(compare(self._data, other_data)))

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # ----------------------------------------------------------------- reductions
    def sum(self, dim=_NO_DIM, keepdim=_NO_KEEPDIM):
        """The sum of all values (SumBackward0), or over ``dim`` (SumBackward1; ``dim=None`` or ``[]``: all)."""
        if dim is _NO_DIM:
            if keepdim is not _NO_KEEPDIM:
                raise TypeError(_reduction_signature_error("sum"))
            return ops.Sum.apply(self)
        dims, keepdim = _reduction_dims(dim, self._data.ndim), bool(keepdim) and keepdim is not _NO_KEEPDIM
        return ops.SumDim.apply(self, dims=dims, keepdim=keepdim)

    def mean(self, dim=_NO_DIM, keepdim=_NO_KEEPDIM):
        """The mean of all values (MeanBackward0), or over ``dim`` (MeanBackward1)."""
        if self._data.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {torch_type_name(self._data.dtype)}"
            )
        if dim is _NO_DIM:
            if keepdim is not _NO_KEEPDIM:
                raise TypeError(_reduction_signature_error("mean"))
            return ops.Mean.apply(self)
        dims, keepdim = _reduction_dims(dim, self._data.ndim), bool(keepdim) and keepdim is not _NO_KEEPDIM
        return ops.MeanDim.apply(self, dims=dims, keepdim=keepdim)

    # ----------------------------------------------------------------- shape ops (views)
    def _as_view_of(self, base):
        """This result of a shape op shares ``base``'s memory, as in PyTorch (returns itself)."""
        data, base_data = self._data, base._data
        if type(data) is np.ndarray and type(base_data) is np.ndarray:
            if data.base is not None or data is base_data:  # NumPy made a view (reshape may copy)
                base._share_memory_with(self)
        elif base_data.size == 1:  # a number on one side: the alias group keeps them equal
            base._share_memory_with(self)
        if type(base._node) is AccumulateGrad and self._storage is not None and _GRAD_MODE.enabled:
            self._storage.view_of_leaf = True
        if self._node is None and base._node is not None and not _GRAD_MODE.enabled:
            # PyTorch: a view made under no_grad of a tensor that requires grad requires grad too,
            # as a leaf without a grad_fn, and no gradient reaches it (nor its base) through it
            self._node = function.NoGradView(self)
        return self

    def view(self, *shape):
        return ops.View.apply(self, shape=_checked_shape(shape, self._data.size))._as_view_of(self)

    reshape = view

    def flatten(self):
        if self._data.ndim == 1:  # PyTorch returns the tensor itself
            return self
        return self.view(-1)

    def transpose(self, dim0, dim1):
        ndim = self._data.ndim
        dim0, dim1 = normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
        return ops.Transpose.apply(self, dim0=dim0, dim1=dim1)._as_view_of(self)

    def t(self):
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        # TBackward0, for a vector or a number too (as PyTorch); a view, so under no_grad it keeps requires_grad
        return ops.T.apply(self)._as_view_of(self)

    @property
    def T(self):
        ndim = self._data.ndim
        if ndim == 0:
            _warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.")
        elif ndim != 2:
            _warn_once(T_DEPRECATED_WARNING)
        return ops.Permute.apply(self, dims=tuple(reversed(range(ndim))))._as_view_of(self)

    def permute(self, *dims):
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        if len(dims) != self._data.ndim:
            raise RuntimeError(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
                f"the desired ordering of dimensions i.e. input.dim() = {self._data.ndim} is not equal to "
                f"len(dims) = {len(dims)}"
            )
        dims = tuple(normalize_dim(d, self._data.ndim) for d in dims)
        return ops.Permute.apply(self, dims=dims)._as_view_of(self)

    def squeeze(self, dim=None):
        shape = self._data.shape
        if dim is None:
            return ops.Squeeze.apply(self, shape=tuple(s for s in shape if s != 1))._as_view_of(self)
        dim = normalize_dim(dim, self._data.ndim)
        if self._data.ndim == 0 or shape[dim] != 1:
            return ops.SqueezeDim.apply(self, shape=shape)._as_view_of(self)
        return ops.SqueezeDim.apply(self, shape=shape[:dim] + shape[dim + 1:])._as_view_of(self)

    def unsqueeze(self, dim):
        dim = normalize_dim(dim, self._data.ndim + 1)
        shape = self._data.shape
        return ops.Unsqueeze.apply(self, shape=shape[:dim] + (1,) + shape[dim:])._as_view_of(self)

    def __getitem__(self, key):
        return _index(self, key)

    def __setitem__(self, key, value):
        if self.requires_grad and _GRAD_MODE.enabled:
            if self.grad_fn is None:
                raise RuntimeError(LEAF_INPLACE_ERROR)
            raise NotImplementedError("minigrad does not record item assignment inside a graph; use torch.no_grad()")
        values = value._data if isinstance(value, Tensor) else value
        try:
            if self._data.ndim == 0:
                updated = np.array(self._data)
                updated[key] = values
                self._write(updated)
            else:
                self._data[key] = values
        except (ValueError, OverflowError):  # NaN or ±inf into an integer tensor: PyTorch's error, not NumPy's
            if self._data.dtype.kind not in "iu" or not isinstance(values, numbers.Number):
                raise
            kind = f"{self._data.dtype.name}_t"  # C's name, as PyTorch's message gives it: int64_t
            raise RuntimeError(f"value cannot be converted to type {kind} without overflow") from None

    # ----------------------------------------------------------------- in-place ops
    def _inplace(self, op_result):
        """Make this tensor hold ``op_result`` (already computed out of place), in its own memory
        (so its views see the change) and, if ``op_result`` is an op's output, with its history."""
        data, result = self._data, op_result._data
        if data.shape != np.shape(result):  # PyTorch checks the shape first, then the dtype
            raise RuntimeError(
                f"output with shape {list(data.shape)} doesn't match the broadcast shape {list(np.shape(result))}"
            )
        if result.dtype != data.dtype and not np.can_cast(result.dtype, data.dtype, "same_kind"):
            raise RuntimeError(
                f"result type {torch_type_name(result.dtype)} can't be cast to the desired "
                f"output type {torch_type_name(data.dtype)}"
            )
        node = op_result._node
        if node is not None and type(data) is np.ndarray:
            # the new node saved this very array as its input: it keeps a copy of the old values
            # (PyTorch's in-place ops save the original too), since the array now gets the new ones
            old = data.copy()
            node.saved_tensors = tuple(old if value is data else value for value in node.saved_tensors)
            node._inputs = [old if value is data else value for value in node._inputs]
        self._write(result)  # every tensor sharing this memory sees the change; the version goes up
        if node is not None:
            self._node = node  # part of a graph now: the in-place op is this tensor's grad_fn
            node._modifies_first_input = True
        return self

    def _check_inplace(self):
        if not _GRAD_MODE.enabled:
            return
        if type(self._node) is function.NoGradView:
            raise RuntimeError(NO_GRAD_VIEW_INPLACE_ERROR)
        if isinstance(self._node, AccumulateGrad):
            raise RuntimeError(LEAF_INPLACE_ERROR)
        storage = self._storage
        if storage is not None and storage.view_of_leaf and self._node is not None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")

    def _update(self, op, other, out_of_place):
        """The body of add_, sub_, mul_ and div_: compute ``out_of_place(self, other)``, keep it here."""
        data = self._data
        if (not _GRAD_MODE.enabled and type(other) is Tensor and type(other._data) is type(data)
                and type(data) in FLOAT_SCALARS):
            # a training loop's  w -= lr * w.grad  on numbers: nothing to record, nothing to convert
            self._write(quietly(op.forward, function.NO_CONTEXT, data, other._data))
            return self
        if not isinstance(other, (Tensor, *NUMBER_TYPES)):
            name = {ops.Add: "add_", ops.Sub: "sub_", ops.Mul: "mul_", ops.Div: "div_"}[op]
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {_type_name(other)}")
        self._check_inplace()
        if type(other) is Tensor and other._storage is not None and other._storage is self._storage:
            _check_no_partial_overlap(data, other._data)  # PyTorch checks this before the shapes
        return self._inplace(out_of_place(self, other))

    def add_(self, other):
        return self._update(ops.Add, other, operator.add)

    def sub_(self, other):
        return self._update(ops.Sub, other, operator.sub)

    def mul_(self, other):
        return self._update(ops.Mul, other, operator.mul)

    def div_(self, other):
        return self._update(ops.Div, other, operator.truediv)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def fill_(self, value):
        """Every value becomes ``value`` (converted to this tensor's dtype, as PyTorch: 2.7 in an
        int64 tensor is 2). Inside a graph it is recorded (FillBackward2: no gradient flows back)."""
        value = value.item() if isinstance(value, Tensor) else value
        dtype = self._data.dtype
        if dtype.kind in "iu" and not (isinstance(value, numbers.Number) and np.iinfo(dtype).min <= value
                                       <= np.iinfo(dtype).max):
            type_name = "int64_t" if dtype == np.int64 else "int" if dtype == np.int32 else dtype.name
            raise RuntimeError(f"value cannot be converted to type {type_name} without overflow")
        return self._fill(ops.Fill, dtype.type(value))

    def zero_(self):
        return self._fill(ops.Zero, ZERO[self._data.dtype])

    def _fill(self, op, value):
        if self._node is not None:  # a tensor outside any graph (x.grad, say) has nothing to check
            self._check_inplace()
            if _GRAD_MODE.enabled:  # not a leaf that requires grad, so the result of an op: record it
                return self._inplace(op.apply(self, value=value))
        data = self._data
        self._write(np.full(data.shape, value, data.dtype) if type(data) is np.ndarray else value)
        return self


class _RetainGrad:
    """The hook behind ``retain_grad()``: stores (and accumulates) a non-leaf's gradient."""

    def __init__(self, tensor):
        self.tensor = weakref.ref(tensor)

    def __call__(self, grad):
        tensor = self.tensor()
        if tensor is not None:
            if tensor._grad is None:
                tensor._grad = Tensor._wrap(np.array(grad._data))
            else:
                tensor._grad = Tensor._wrap(tensor._grad._data + grad._data)


function.Tensor = Tensor  # function.py cannot import this module (it is imported by it)


# --------------------------------------------------------------------- helpers
def unwrap_nested(data):
    """Turn tensors inside (nested) lists into plain values, so NumPy can read them."""
    if isinstance(data, Tensor):
        return np.asarray(data._data)
    if isinstance(data, (list, tuple)):
        return [unwrap_nested(item) for item in data]
    return data


def _is_float(data):
    """Is this tensor data floating point? (A NumPy scalar's type says so faster than its dtype.)"""
    return type(data) in FLOAT_SCALARS or data.dtype.kind == "f"


def _type_name(value):
    """How PyTorch's TypeErrors name a type: ``float``, ``numpy.ndarray``, ``minigrad.dtype``."""
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__name__
    module = "minigrad" if kind.__module__.startswith("minigrad") else kind.__module__.split(".")[0]
    return f"{module}.{kind.__name__}"


def _float_input(value, name, keep_integers=False):
    """The tensor a math function works on: checked (PyTorch's TypeError for anything else),
    and integers made float32 first unless the op keeps them (relu, neg)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {_type_name(value)}")
    data = value._data
    if keep_integers or type(data) in FLOAT_SCALARS or data.dtype.kind == "f":  # _is_float, inlined: every op asks
        return value
    return as_float(value)


def as_float(tensor):
    """Integer tensors become float32 before float-valued maths (sin, /, ...), as in PyTorch."""
    if tensor._data.dtype.kind in "fc":
        return tensor
    return Tensor._wrap(np.asarray(tensor._data, dtype=dtypes.DEFAULT_FLOAT.numpy))


def _constant(value, like):
    """A Python number as NumPy data of ``like``'s dtype (already the result type): an op's constant."""
    return like._data.dtype.type(value)


def binary(op, a, b, floating=False):
    """Check and convert the operands of a binary op, then apply it.

    Operands of different dtypes are converted first to PyTorch's result type
    (``dtypes.result_numpy_dtype``, the rule of ``torch.result_type``); ``floating``: the result
    is floating point even for integer operands (true division: int / int is float32).
    """
    if type(b) is Tensor and type(a) is Tensor:
        a_data, b_data = a._data, b._data
        kind = type(a_data)
        if kind is type(b_data) and kind in FLOAT_SCALARS:  # two numbers of one float dtype: x * w
            return op.apply_to_tensors(a, b)
        return _binary_tensors(op, a, b, floating)
    # the common  x * 0.5  and  0.5 * x  on float data: NumPy itself rounds the Python float to
    # the data's dtype (NEP 50), the same as converting it first, and faster. Outside any graph
    # (lr * w.grad in a training loop's update) there is nothing for apply to record: forward only.
    if type(b) is float and type(a) is Tensor and _is_float(a._data):
        if a._node is None or not _GRAD_MODE.enabled:
            return _forward_only(op, a._data, b)
        return op.apply(a, b)
    if type(a) is float and type(b) is Tensor and _is_float(b._data):
        if b._node is None or not _GRAD_MODE.enabled:
            return _forward_only(op, a, b._data)
        return op.apply(a, b)
    if isinstance(a, Tensor) and isinstance(b, NUMBER_TYPES):
        a = _converted(a, _result_dtype_with_number(a, b, floating))
        return op.apply(a, _constant(b, a))
    if isinstance(b, Tensor) and isinstance(a, NUMBER_TYPES):
        b = _converted(b, _result_dtype_with_number(b, a, floating))
        return op.apply(_constant(a, b), b)
    return NotImplemented


def _check_no_partial_overlap(target, source):
    """x += view_of_x: PyTorch refuses when the two overlap without being the same view."""
    if type(target) is not np.ndarray or type(source) is not np.ndarray:  # one number: the alias group
        if np.ndim(target) != np.ndim(source):  # (as PyTorch sees it: other strides, a partial overlap)
            raise RuntimeError(PARTIAL_OVERLAP_ERROR)
        return
    if not np.shares_memory(target, source):
        return
    same_start = target.__array_interface__["data"][0] == source.__array_interface__["data"][0]
    # the same numbers with the same strides (x += x; a (2, 1) column and its transpose) is a full
    # overlap, which PyTorch allows; anything else (x with x.unsqueeze(0)) a partial one
    same_memory = same_start and target.strides == source.strides and target.size == source.size
    if not same_memory:
        raise RuntimeError(PARTIAL_OVERLAP_ERROR)


def check_not_bool_subtraction(a, b):
    """PyTorch refuses ``-`` on bools (it would be a logical xor or a not): so do we."""
    a_bool = _is_bool(a)
    b_bool = _is_bool(b)
    if a_bool and b_bool:  # a Python bool counts as a bool tensor here
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _is_bool(value):
    if isinstance(value, Tensor):
        return value._data.dtype.kind == "b"
    return isinstance(value, (bool, np.bool_))


def _forward_only(op, a, b):
    """``op`` on data outside any graph: no node, no bookkeeping (and no NumPy warning)."""
    return Tensor._wrap(quietly(op.forward, function.NO_CONTEXT, a, b))


def _binary_tensors(op, a, b, floating):
    """Two tensors: check that their shapes broadcast, bring them to one dtype, apply ``op``."""
    a_data, b_data = a._data, b._data
    if a_data.ndim and b_data.ndim and a_data.shape != b_data.shape:  # a 0-dim one always fits
        check_broadcast(a_data, b_data)
    a_dtype, b_dtype = a_data.dtype, b_data.dtype
    if a_dtype == b_dtype and (a_dtype.kind == "f" or not floating):
        return op.apply_to_tensors(a, b)
    target = dtypes.result_numpy_dtype((a_dtype, a_data.ndim), (b_dtype, b_data.ndim))
    if floating and target.kind != "f":
        target = dtypes.DEFAULT_FLOAT.numpy
    output = op.apply(_converted(a, target), _converted(b, target))
    if output._node is not None:  # each gradient goes back in its own input's dtype, as in PyTorch
        output._node.grad_dtypes = (a_dtype, b_dtype)
    return output


def _converted(tensor, target):
    """``tensor`` with its data in dtype ``target`` (itself if it has it), still in its graph."""
    data = tensor._data
    if data.dtype == target:
        return tensor
    converted = Tensor._wrap(np.asarray(data).astype(target))
    converted._node = tensor._node  # the gradient flows to the original (the engine casts it back)
    return converted


def _result_dtype_with_number(tensor, number, floating):
    """The dtype of ``tensor (op) number``: PyTorch's result type (an int tensor times 2.5 is float32)."""
    data = tensor._data
    target = dtypes.result_numpy_dtype((data.dtype, data.ndim), (dtypes.number_dtype(number), None))
    if floating and target.kind != "f":
        return dtypes.DEFAULT_FLOAT.numpy
    return target


def broadcast_error(shape_a, shape_b):
    """PyTorch's message for shapes that cannot broadcast, or None if they can."""
    for offset in range(1, min(len(shape_a), len(shape_b)) + 1):
        size_a, size_b = shape_a[-offset], shape_b[-offset]
        if size_a != size_b and size_a != 1 and size_b != 1:
            dim = max(len(shape_a), len(shape_b)) - offset
            return (f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) "
                    f"at non-singleton dimension {dim}")
    return None


def check_broadcast(a, b):
    message = broadcast_error(np.shape(a), np.shape(b))
    if message:
        raise RuntimeError(message)


def normalize_dim(dim, ndim):
    """A dim in range(-ndim, ndim) as a positive index; PyTorch's IndexError otherwise."""
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    if not isinstance(dim, (int, np.integer)) or not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")
    return int(dim) % max(ndim, 1)


def _reduction_dims(dim, ndim):
    """The dims a reduction runs over, sorted; None for all of them (``dim=None`` or ``[]``).

    On a 0-dim tensor, dim 0 and -1 are accepted (as PyTorch does) and reduce nothing: ().
    """
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    if dim is None or len(dims) == 0:
        return None
    normalized = tuple(sorted(normalize_dim(d, ndim) for d in dims))
    return () if ndim == 0 else normalized


def _reduction_signature_error(name):
    return (f"{name}() received an invalid combination of arguments - got (keepdim=bool, ), but expected one of:\n"
            " * (*, torch.dtype dtype = None)\n"
            " * (tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)\n")


def _checked_shape(shape, size):
    """The target shape of view/reshape, with -1 inferred; PyTorch's error if it does not fit."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    known = int(np.prod([s for s in shape if s != -1]))
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if shape.count(-1) == 1 and known != 0 and size % known == 0:
        shape = tuple(size // known if s == -1 else s for s in shape)
    if int(np.prod(shape)) != size or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


ZERO_DIM_INDEX_ERROR = (
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert "
    "a 0-dim tensor to a number"
)


def _is_basic_key(k):
    return k is None or k is Ellipsis or (isinstance(k, (int, np.integer, slice)) and not isinstance(k, bool))


def _index(tensor, key):
    """``tensor[key]`` with ints, slices, ``None`` and ``...``: one view op per step, with PyTorch's
    names (SelectBackward0, SliceBackward0, UnsqueezeBackward0; AliasBackward0 when nothing moves).

    As in PyTorch, a slice covering a whole dim is skipped inside a tuple (``m[1, :]`` is one
    SelectBackward0) but not on its own (``m[:]`` is a SliceBackward0)."""
    keys = key if isinstance(key, tuple) else (key,)
    if not all(_is_basic_key(k) for k in keys):
        return _advanced_index(tensor, key)
    ndim = tensor._data.ndim
    lone_slice = isinstance(key, slice)
    if ndim == 0 and not isinstance(key, tuple) and key is not None and key is not Ellipsis:
        if lone_slice:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if key != 0:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size 0")
        raise IndexError(ZERO_DIM_INDEX_ERROR)
    used = sum(1 for k in keys if k is not None and k is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    result, dim, expanded = tensor, 0, False
    for k in keys:
        previous = result
        if k is Ellipsis:  # the first one stands for every dim not indexed (any others for none)
            dim += 0 if expanded else ndim - used
            expanded = True
            continue
        if k is None:
            shape = result._data.shape
            result = ops.Unsqueeze.apply(result, shape=shape[:dim] + (1,) + shape[dim:])
            dim += 1
        elif isinstance(k, slice):
            if k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            size = result._data.shape[dim]
            if not lone_slice and k.indices(size) == (0, size, 1):  # the whole dim: nothing to do
                dim += 1
                continue
            result = ops.Slice.apply(result, index=(slice(None),) * dim + (k,))
            dim += 1
        else:
            size = result._data.shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            result = ops.Select.apply(result, index=(slice(None),) * dim + (int(k),))
        result._as_view_of(previous)
    if result is tensor:  # x[...], m[:, :]: a new tensor that is the same view
        result = ops.Alias.apply(tensor)._as_view_of(tensor)
    return result


def _advanced_index(tensor, key):
    """Indexing with tensors, lists, masks, ``None`` or ``...``: one IndexBackward0 node."""
    keys = key if isinstance(key, tuple) else (key,)
    converted = tuple(np.asarray(k._data) if isinstance(k, Tensor) else
                      np.asarray(k) if isinstance(k, list) else k for k in keys)
    if tensor._data.ndim == 0 and any(type(k) is np.ndarray and k.dtype.kind != "b" for k in converted):
        raise IndexError("too many indices for tensor of dimension 0")
    try:
        np.asarray(tensor._data)[converted]
    except IndexError as error:
        raise IndexError(str(error)) from None
    return ops.Index.apply(tensor, index=converted)


def matmul(a, b):
    """Matrix product with PyTorch's names and error messages for each case."""
    for value in (a, b):
        if not isinstance(value, Tensor):
            raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(value).__name__}")
    sa, sb = a._data.shape, b._data.shape
    if len(sa) == 0 or len(sb) == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and {len(sb)}D")
    if len(sa) == 1 and len(sb) == 1:
        if a._data.dtype != b._data.dtype:  # PyTorch's dot checks the dtypes first
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{torch_type_name(a._data.dtype)} and {torch_type_name(b._data.dtype)}"
            )
        if sa != sb:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same "
                f"number of elements, but got {sa[0]} and {sb[0]} elements respectively"
            )
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{torch_type_name(a._data.dtype)} and {torch_type_name(b._data.dtype)}"
            )
        _check_not_bool(a, b, "dot")
        return ops.Dot.apply(a, b)
    if len(sa) == 2 and len(sb) == 1:
        if sa[1] != sb[0]:
            raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})")
        if a._data.dtype != b._data.dtype:
            mat, vec = torch_type_name(a._data.dtype), torch_type_name(b._data.dtype)
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {vec}, {mat}, and {vec}")
        _check_not_bool(a, b, "addmv_impl_cpu")
        return ops.Mv.apply(a, b)
    inner_a, inner_b = sa[-1], sb[0] if len(sb) == 1 else sb[-2]
    if inner_a != inner_b:
        rows_a = int(np.prod(sa[:-1]))
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows_a}x{inner_a} and "
            f"{inner_b}x{sb[-1] if len(sb) > 1 else 1})"
        )
    _check_same_dtype(a, b)
    _check_not_bool(a, b, "addmm_impl_cpu_")
    if len(sa) == 2 and len(sb) == 2:
        return ops.Mm.apply(a, b)
    if len(sa) == 1 and len(sb) == 2:  # PyTorch: the vector as a one-row matrix, mm, then squeezed
        row = a.unsqueeze(0)
        return ops.SqueezeAfterMatmul.apply(ops.Mm.apply(row, b), shape=(sb[1],))
    return ops.MatMul.apply(a, b)


# --------------------------------------------------------------------- clamp / clip
CLAMP_SIGNATURES = (
    " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
    " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n"
)


def clamp(input, min=None, max=None):
    """``torch.clamp(input, min, max)``: numbers as bounds make ClampBackward1, tensors ClampBackward0."""
    bounds = (min, max)
    if not _same_kind_of_bounds(bounds):  # PyTorch reads a 0-dim tensor outside any graph as a number
        bounds = tuple(_number_if_plain_scalar(bound) for bound in bounds)
        min, max = bounds
    if not isinstance(input, Tensor) or not _same_kind_of_bounds(bounds):
        # PyTorch lists the keywords of clamp(x, min=..., max=...) last one first
        got = ", ".join([_torch_type_label(input)] + [f"{name}={_torch_type_label(bound)}"
                                                      for name, bound in (("max", max), ("min", min))
                                                      if bound is not None])
        raise TypeError(f"clamp() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n{CLAMP_SIGNATURES}")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    given = [bound for bound in bounds if bound is not None]
    # the result's dtype is torch.result_type's of the input and the bounds
    target = dtypes.result_numpy_dtype((input._data.dtype, input._data.ndim),
                                       *[(b._data.dtype, b._data.ndim) if isinstance(b, Tensor)
                                         else (dtypes.number_dtype(b), None) for b in given])
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        shape = input._data.shape  # PyTorch's error for bounds that do not broadcast (input first)
        for bound in given:
            check_broadcast(np.empty(shape), bound._data)
            shape = np.broadcast_shapes(shape, bound._data.shape)
        if min is not None and max is not None:  # (one tensor bound is fine: clamp_min, clamp_max)
            _refuse_bool_clamp(target, min, max, "cpu")
        low = _unbounded(target, -1) if min is None else min  # no bound: a constant (see ops.ClampTensor)
        high = _unbounded(target, +1) if max is None else max
        return ops.ClampTensor.apply(input, low, high, dtype=target, bounds_given=(min is not None, max is not None))
    _refuse_bool_clamp(target, min, max, "scalar_cpu")
    if target != input._data.dtype:  # an int tensor with a float bound is float32; bool with int bounds int64
        input = Tensor._wrap(np.asarray(input._data, dtype=target))
    return ops.Clamp.apply(input, min=min, max=max)


# the dtypes an in-place clamp with number bounds can fail to keep, as PyTorch's C++ names them
CPP_TYPE_NAMES = {"bool": "bool", "int64": "long int"}


def _refuse_bool_clamp(dtype, min, max, kernel_suffix):
    """PyTorch has no clamp of bools by bools: its kernel's NotImplementedError (clamp_scalar_cpu, ...)."""
    if dtype.kind == "b":
        kernel = "clamp" if min is not None and max is not None else "clamp_min" if min is not None \
            else "clamp_max"
        raise NotImplementedError(f"\"{kernel}_{kernel_suffix}\" not implemented for 'Bool'")


def _unbounded(dtype, side):
    """The bound that bounds nothing on this side: ±inf, or for ints (which hold no inf) their extreme."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return side * np.inf
    if dtype.kind == "b":
        return side > 0
    return np.iinfo(dtype).max if side > 0 else np.iinfo(dtype).min


def _same_kind_of_bounds(bounds):
    """Both bounds numbers (or None), or both tensors (or None): PyTorch takes no mix."""
    given = [bound for bound in bounds if bound is not None]
    numbers_only = all(isinstance(b, NUMBER_TYPES) and not isinstance(b, complex) for b in given)
    return numbers_only or all(isinstance(b, Tensor) for b in given)


def _number_if_plain_scalar(value):
    if isinstance(value, Tensor) and value._data.ndim == 0 and not value.requires_grad:
        return value.item()
    return value


def _torch_type_label(value):
    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


def dot(input, other):
    """``torch.dot(a, b)``: two 1-D tensors of the same size and dtype (DotBackward0)."""
    for name, position, value in (("input", 1, input), ("tensor", 2, other)):
        if not isinstance(value, Tensor):
            raise TypeError(f"dot(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{torch_type_name(input._data.dtype)} and {torch_type_name(other._data.dtype)}")
    return matmul(input, other)  # two vectors: matmul's Dot, with its size check


def _check_not_bool(a, b, kernel):
    if a._data.dtype.kind == "b" and b._data.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _cpp_type_name(dtype):
    """A dtype as PyTorch's C++ messages name it (float, double, long int, bool)."""
    return {"float32": "float", "float64": "double", **CPP_TYPE_NAMES}.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _check_same_dtype(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_cpp_type_name(a._data.dtype)} != {_cpp_type_name(b._data.dtype)}"
        )


def mm(a, b):
    """``torch.mm``: two matrices only (PyTorch's errors for anything else)."""
    for value, name in ((a, "self"), (b, "mat2")):
        if not isinstance(value, Tensor):
            raise TypeError(f"mm(): argument '{name}' must be Tensor, not {type(value).__name__}")
        if value._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix")
    return matmul(a, b)
