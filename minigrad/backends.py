"""``minigrad.backends``: no accelerator back-ends, as in a CPU-only build of PyTorch.

For the device choice students write:
``"cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"``.
"""

from types import SimpleNamespace


def _no():
    return False


mps = SimpleNamespace(is_available=_no, is_built=_no)
cudnn = SimpleNamespace(is_available=_no, enabled=True, deterministic=False, benchmark=False)

__all__ = ["mps", "cudnn"]
