"""``SGD``: the update every training loop in the notebooks uses.

One step is  w ← w − lr · ∂L/∂w  for every parameter, done under ``no_grad`` so the
update itself is not recorded in the next graph. With momentum μ it is PyTorch's
v ← μ v + (1 − dampening) g,  w ← w − lr · v  (v starts as the first g).
"""

import numpy as np

from .autograd.grad_mode import no_grad
from .tensor import Tensor


def zero_grads(params, set_to_none=True):
    """Each parameter's ``.grad`` set to None (PyTorch 2's default) or to zeros in place (optimizers and modules)."""
    for param in params:
        if param.grad is None:
            continue
        if set_to_none:
            param.grad = None
        else:
            param.grad.zero_()


class Optimizer:
    """What every optimizer has: parameter groups (``param_groups``), ``zero_grad`` and PyTorch's repr."""

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got torch.FloatTensor")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = defaults
        self.state = {}
        self.param_groups = [self._group(group) for group in groups]

    def _group(self, group):
        params = list(group["params"]) if not isinstance(group["params"], Tensor) else [group["params"]]
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        return {"params": params, **{key: group.get(key, value) for key, value in self.defaults.items()}}

    @property
    def params(self):
        return [param for group in self.param_groups for param in group["params"]]

    def zero_grad(self, set_to_none=True):
        """Forget the gradients (PyTorch 2's default sets them to None)."""
        zero_grads(self.params, set_to_none)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines + [")"])


class SGD(Optimizer):
    """Stochastic gradient descent: ``step()`` moves each parameter against its gradient."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        # PyTorch 2.13's options, in its order (param_groups[0].keys()); the repr sorts them
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach, "differentiable": differentiable,
                    "fused": fused}
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, group)
        return loss

    def _update(self, param, group):
        step = -param.grad if group["maximize"] else param.grad
        if group["weight_decay"]:
            step = _add_scaled(step, param, group["weight_decay"])
        if group["momentum"]:
            step = self._momentum(param, step, group)
        param._inplace(_add_scaled(param, step, -group["lr"]))

    def _momentum(self, param, step, group):
        """v ← μ v + (1 − dampening) g (v = g at the first step); Nesterov looks one step ahead."""
        state = self.state.setdefault(param, {})
        velocity = state.get("momentum_buffer")
        if velocity is None:
            velocity = step.clone()
        else:
            velocity = _add_scaled(velocity * group["momentum"], step, 1 - group["dampening"])
        state["momentum_buffer"] = velocity
        return _add_scaled(step, velocity, group["momentum"]) if group["nesterov"] else velocity


def _add_scaled(a, b, alpha):
    """a + α·b rounded once, as PyTorch's CPU kernel for ``a.add(b, alpha=α)`` (a fused multiply-add)
    does: rounding α·b first can differ in the last bit (and turn a tiny weight into 0 or not).
    For float32 the float64 sum is exact enough; α is first rounded to the tensor's dtype, as PyTorch does."""
    dtype = a._data.dtype
    wide = np.float64 if dtype == np.float32 else dtype
    with np.errstate(all="ignore"):  # inf and nan as PyTorch gives them, without NumPy's warnings
        scaled = np.asarray(alpha, dtype=dtype).astype(wide) * b._data.astype(wide)
        return Tensor._wrap(np.asarray(a._data.astype(wide) + scaled).astype(dtype))


__all__ = ["Optimizer", "SGD"]
