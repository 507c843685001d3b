"""``minigrad.nn``: layers and losses (``nn.Linear``, ``nn.MSELoss``, ...) and the functional API."""

from . import functional
from .modules import (
    BCELoss,
    BCEWithLogitsLoss,
    Flatten,
    Identity,
    Linear,
    Module,
    MSELoss,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)

__all__ = ["functional", "Module", "Parameter", "Linear", "Sequential", "Sigmoid", "ReLU", "Tanh", "Identity",
           "Flatten", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]
