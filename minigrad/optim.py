"""``SGD``: the update every training loop in the notebooks uses.

One step is  w ← w − lr · ∂L/∂w  for every parameter, done under ``no_grad`` so the
update itself is not recorded in the next graph.
"""

from .autograd.grad_mode import no_grad
from .tensor import Tensor


class SGD:
    """Stochastic gradient descent: ``step()`` moves each parameter against its gradient."""

    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for param in self.params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self._velocity = [None] * len(self.params)

    @no_grad()
    def step(self):
        for i, param in enumerate(self.params):
            if param.grad is None:
                continue
            step = param.grad
            if self.weight_decay:
                step = step + self.weight_decay * param
            if self.momentum:
                velocity = step.clone() if self._velocity[i] is None else self._velocity[i] * self.momentum + step
                self._velocity[i] = step = velocity
            param.sub_(self.lr * step)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients (PyTorch 2's default sets them to None)."""
        for param in self.params:
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.zero_()
