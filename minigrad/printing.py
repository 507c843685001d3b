"""``repr(tensor)`` exactly as PyTorch prints it, so a student's output matches the course.

PyTorch's rules, in short:
* one format for the whole tensor: integers-as-floats print as ``3.``; otherwise 4
  decimals (``0.6667``); scientific (``1.0000e-05``) when the values span more than
  1000x, exceed 1e8, or go below 1e-4;
* every element padded to the same width, lines wrapped at 80 characters, and more
  than 1000 elements summarised with ``...`` (3 items at each edge);
* suffixes: a dtype that is not the default, ``grad_fn=<PowBackward0>`` for results,
  ``requires_grad=True`` for leaves that require grad.
"""

import math

import numpy as np

LINE_WIDTH = 80
PRECISION = 4
THRESHOLD = 1000
EDGE_ITEMS = 3
_DEFAULT_DTYPES = ("float32", "int64", "bool")


class _Formatter:
    """Chooses one width and one style (int-like, fixed or scientific) for all elements."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            self.max_width = max((len(_plain(v)) for v in flat.tolist()), default=1)
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        low, high = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = high / low > 1000.0 or high > 1.0e8 or (not self.int_mode and low < 1.0e-4)
        pad = 1 if self.int_mode and not self.sci_mode else 0  # room for the trailing "."
        # like PyTorch, only finite non-zero values set the width
        self.max_width = max(len(self._style(v)) + pad for v in finite.tolist())

    def _style(self, value):
        if self.sci_mode:
            return f"{value:.{PRECISION}e}"
        if self.int_mode:
            return f"{value:.0f}"
        return f"{value:.{PRECISION}f}"

    def format_unpadded(self, value):
        if not self.floating:
            return _plain(value)
        if self.int_mode and not self.sci_mode:
            text = f"{value:.0f}"
            return text if math.isinf(value) or math.isnan(value) else text + "."
        return self._style(value)

    def format(self, value):
        return self.format_unpadded(value).rjust(self.max_width)


def _plain(value):
    return str(value)


def _vector(values, indent, summarize, formatter):
    element_width = formatter.max_width + 2
    per_line = max(1, (LINE_WIDTH - indent) // element_width)
    if summarize and values.shape[0] > 2 * EDGE_ITEMS:
        items = [formatter.format(v) for v in values[:EDGE_ITEMS].tolist()] + [" ..."]
        items += [formatter.format(v) for v in values[-EDGE_ITEMS:].tolist()]
    else:
        items = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values, indent, summarize, formatter):
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, formatter)
    rows = range(values.shape[0])
    if summarize and values.shape[0] > 2 * EDGE_ITEMS:
        rows = [*range(EDGE_ITEMS), None, *range(values.shape[0] - EDGE_ITEMS, values.shape[0])]
    parts = ["..." if i is None else _nested(values[i], indent + 1, summarize, formatter) for i in rows]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _summary_values(values):
    """The elements that will actually be printed (edges only, for a summarised tensor)."""
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * EDGE_ITEMS:
        values = np.concatenate([values[:EDGE_ITEMS], values[-EDGE_ITEMS:]])
    return np.stack([_summary_values(v) for v in values]) if values.ndim > 1 else values


def format_values(values, indent):
    """The bracketed body of a tensor's repr, starting at column ``indent``."""
    if values.size == 0:
        return "[]"
    summarize = values.size > THRESHOLD
    formatter = _Formatter(_summary_values(values) if summarize else values)
    return _nested(values, indent, summarize, formatter)


def tensor_repr(tensor, prefix="tensor("):
    """PyTorch's ``repr`` for a minigrad tensor."""
    values = np.asarray(tensor._data)
    body = prefix + format_values(values, len(prefix))
    suffixes = []
    if values.size == 0 and values.ndim != 1:
        suffixes.append(f"size={tuple(values.shape)}")
    if values.dtype.name not in _DEFAULT_DTYPES or (values.size == 0 and values.dtype.name != "float32"):
        # an empty tensor shows any dtype but the default float: tensor([], dtype=torch.int64)
        suffixes.append(f"dtype=minigrad.{values.dtype.name}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(tensor.grad_fn).display_name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(body, suffixes, len(prefix))


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINE_WIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
