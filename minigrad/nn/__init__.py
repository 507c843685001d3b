"""``minigrad.nn``: the functional API (``minigrad.nn.functional``)."""

from . import functional

__all__ = ["functional"]
