"""The next lecture's ``nn``: ``Module``, ``Parameter``, ``Linear``, ``Sequential``, activations, losses.

A ``Module`` holds parameters (tensors that require grad) and other modules, by the
attribute name they were given; ``model(x)`` calls ``model.forward(x)``, and
``model.parameters()`` lists every parameter of the whole tree, for an optimizer. Names,
reprs and defaults are PyTorch's, so ``print(model)`` and ``named_parameters()`` read the same.
"""

import math

import numpy as np

from .. import creation, dtypes
from .. import device as device_module
from ..optim import zero_grads
from ..tensor import PARAMETERS, Tensor, normalize_dim
from . import functional as F

# --------------------------------------------------------------------------------- Parameter


class _ParameterType(type):
    """``isinstance(t, nn.Parameter)`` asks whether ``t`` was made as one."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and PARAMETERS.get(id(instance)) is instance


class Parameter(metaclass=_ParameterType):
    """A tensor that is a module's parameter: a leaf that requires grad, shown as
    ``Parameter containing:`` above the tensor. It shares its data with the tensor it was made from.

    (In PyTorch a Parameter is a subclass of Tensor; here it is a Tensor registered as a parameter,
    so that every op treats it as the plain tensor it is. ``type(p)`` is therefore ``Tensor``.)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = creation.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        parameter = Tensor._wrap(data._data)
        if requires_grad:
            parameter.requires_grad_(True)
        PARAMETERS[id(parameter)] = parameter
        return parameter


# --------------------------------------------------------------------------------- Module


class Module:
    """Base class of every layer and model: subclass it, set layers as attributes, write ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # attributes: parameters and submodules are kept in their own dicts, in the order they are set
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameters before Module.__init__() call")
        for registry in (self._parameters, self._modules, self.__dict__):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
            if value.name is None:  # drawings and walkthroughs label it "weight" (or "0.weight", below)
                value.name = name
        elif isinstance(value, Module):
            self.add_module(name, value)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):  # only called when ordinary lookup fails
        for registry in ("_parameters", "_modules"):
            found = self.__dict__.get(registry, {})
            if name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        if param is None:
            self._parameters[name] = None
        else:
            setattr(self, name, param)

    def add_module(self, name, module):
        self._modules[name] = module
        if module is not None:  # its parameters' labels get the child's name in front: "0.weight"
            for child_name, param in module.named_parameters():
                if param.name == child_name:
                    param.name = f"{name}.{child_name}"

    register_module = add_module

    # running
    def forward(self, *inputs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *inputs, **options):
        return self.forward(*inputs, **options)

    # the tree
    def named_children(self):
        yield from ((name, module) for name, module in self._modules.items() if module is not None)

    def children(self):
        yield from (module for _, module in self.named_children())

    def named_modules(self, prefix=""):
        """This module and every module below it, with dotted names ("" for this one)."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child}" if name else child, sub) for child, sub in module.named_children()]
            stack.extend(reversed(children))

    def modules(self):
        yield from (module for _, module in self.named_modules())

    def named_parameters(self, prefix="", recurse=True):
        """``("0.weight", tensor)`` pairs: each module's own parameters, then its children's."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, param in module._parameters.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self, recurse=True):
        yield from (param for _, param in self.named_parameters(recurse=recurse))

    def state_dict(self):
        """Every parameter's values, by name (detached: they share the parameters' memory)."""
        return {name: param.detach() for name, param in self.named_parameters()}

    def load_state_dict(self, state_dict):
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(own))
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: missing keys "
                               f"{missing}, unexpected keys {unexpected}")
        for name, values in state_dict.items():
            param = own[name]
            if tuple(values.shape) != tuple(param.shape):
                raise RuntimeError(f"size mismatch for {name}: copying a param with shape {values.shape} from "
                                   f"checkpoint, the shape in current model is {param.shape}.")
            param._data[...] = values._data  # in place, as PyTorch copies into the parameter

    # training
    def zero_grad(self, set_to_none=True):
        zero_grads(self.parameters(), set_to_none)

    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    # where and in what dtype: the CPU only; a dtype converts every parameter in place (the same objects)
    def to(self, *args, dtype=None, device=None, non_blocking=False):
        for arg in args:
            if isinstance(arg, (str, device_module.device)):
                device = arg
            else:
                dtype = arg
        device_module.checked(device)
        if dtype is not None:
            for param in self.parameters():
                param.data = param.data.to(dtype)
                if param.grad is not None:
                    param.grad = param.grad.to(dtype)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise AssertionError(device_module.NO_CUDA)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    # printing, as PyTorch: Name(extra) or Name(\n  (child): ...\n)
    def extra_repr(self):
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): {_indent_after_first_line(repr(module))}" for name, module in self._modules.items()]
        if not children and len(extra) <= 1:
            return f"{self._get_name()}({''.join(extra)})"
        body = "\n  ".join(extra + children)
        return f"{self._get_name()}(\n  {body}\n)"


def _indent_after_first_line(text, spaces=2):
    """A child's repr inside its parent's: every line but the first moved right."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


# --------------------------------------------------------------------------------- layers


def _uniform(shape, bound):
    """Numbers drawn uniformly from [-bound, bound), from minigrad's seeded generator."""
    return creation.rand(*shape) * (2 * bound) - bound


class Linear(Module):
    """y = x Wᵀ + b, from ``in_features`` numbers to ``out_features``.

    PyTorch's initial values: W and b uniform in [-1/√in, 1/√in] (for W that is
    kaiming_uniform with a = √5: gain √(2 / (1 + 5)) times √(3 / in)).
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
        weight = _uniform((out_features, in_features), bound)
        self.weight = Parameter(weight if dtype is None else weight.to(dtype))
        if bias:
            values = _uniform((out_features,), bound)
            self.bias = Parameter(values if dtype is None else values.to(dtype))
        else:
            self.register_parameter("bias", None)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(2, 3), ReLU(), Linear(3, 1))``."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(dict(modules[index]))
        if not -len(modules) <= index < len(modules):
            raise IndexError(f"index {index} is out of range")
        return modules[index][1]

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self


class Sigmoid(Module):
    def forward(self, input):
        return F.sigmoid(input)


class ReLU(Module):
    def forward(self, input):
        return F.relu(input)


class Tanh(Module):
    def forward(self, input):
        return F.tanh(input)


class Identity(Module):
    def forward(self, input):
        return input


class Flatten(Module):
    """Flattens every dimension from ``start_dim`` to ``end_dim`` into one."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        # as PyTorch's flatten: dims checked (a 0-dim input counts as 1-dim), a 0-dim input
        # becomes shape (1,), and nothing to merge returns the input itself (no ViewBackward0)
        shape = input.shape
        start, end = (normalize_dim(dim, len(shape)) for dim in (self.start_dim, self.end_dim))
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if not shape:
            return input.reshape(1)
        if start == end:
            return input
        merged = int(np.prod(shape[start:end + 1]))
        return input.reshape(*shape[:start], merged, *shape[end + 1:])

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


# --------------------------------------------------------------------------------- losses


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = reduction


class MSELoss(_Loss):
    """mean((prediction - target)²)"""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """-mean(t ln p + (1 - t) ln(1 - p)), for probabilities p"""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.weight = weight

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCELoss of σ(z), computed from the logits z without forming σ(z) (stable for large |z|)"""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


__all__ = ["Parameter", "Module", "Linear", "Sequential", "Sigmoid", "ReLU", "Tanh", "Identity", "Flatten",
           "MSELoss", "BCELoss", "BCEWithLogitsLoss"]
