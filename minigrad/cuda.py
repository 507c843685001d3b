"""``minigrad.cuda``: there is no GPU here, as in a CPU-only build of PyTorch.

``torch.cuda.is_available()`` is False, so the usual
``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU; seeding the
GPU's generator does nothing (PyTorch's CPU build accepts that call silently too).
"""

from .device import NO_CUDA


def is_available():
    """False: minigrad computes on the CPU only."""
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Nothing to seed without a GPU."""


manual_seed_all = manual_seed


def current_device():
    raise AssertionError(NO_CUDA)


__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "current_device"]
