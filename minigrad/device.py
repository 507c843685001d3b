"""``minigrad.device``: where a tensor lives. Always the CPU (the data is NumPy's).

Students' code says ``device="cpu"``, ``x.to(device)`` and
``device = "cuda" if torch.cuda.is_available() else "cpu"``; all of it runs unchanged.
Asking for a GPU gives the error a CPU-only build of PyTorch gives.
"""

import re

DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
NO_CUDA = "Torch not compiled with CUDA enabled"
_DEVICE_STRING = re.compile(r"([a-z_]+)(?::(\d+))?$")


class device:
    """``minigrad.device("cpu")``, printed ``device(type='cpu')`` like PyTorch's."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({_kind(type)})")
        else:
            type, index = _parse(type, index)
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __format__(self, spec):
        return format(str(self), spec)

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


def _parse(text, index):
    match = _DEVICE_STRING.match(text)
    if match is None or match.group(1) not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {text}")
    if match.group(2) is not None:
        if index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {text}")
        index = int(match.group(2))
    return match.group(1), index


def _kind(value):
    return type(value).__name__


CPU = device("cpu")


def checked(where):
    """The device a tensor may be made on (``None``, "cpu", a device); PyTorch's error otherwise.

    A CPU-only PyTorch raises AssertionError("Torch not compiled with CUDA enabled") for CUDA,
    and a RuntimeError for the other accelerators it was not built with.
    """
    if where is None:
        return CPU
    where = where if isinstance(where, device) else device(where)
    if where.type == "cpu":
        return CPU
    if where.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise RuntimeError(f"PyTorch is not linked with support for {where.type} devices")
