"""The autograd machinery: graph nodes, the backward engine, grad mode."""

from .function import AccumulateGrad, Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradients import grad

__all__ = ["AccumulateGrad", "Function", "Node", "enable_grad", "is_grad_enabled", "no_grad",
           "set_grad_enabled", "backward", "grad"]


def backward(tensors, grad_tensors=None, retain_graph=None):
    """``minigrad.autograd.backward(loss)``, the same as ``loss.backward()``."""
    from .engine import backward as run

    run(tensors, grad_tensors, retain_graph)
