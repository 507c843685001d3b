r"""How each op is *written*: the table the walkthrough and the drawings read.

``ops.py`` says what an op computes; this file says how to show it to a student. For each
op there is

* ``forward``: the op applied to its inputs, in LaTeX, e.g. ``\sin({0})``;
* ``local``: the local derivative with respect to each input, in LaTeX, in terms of the
  inputs ``{0}, {1}`` and the output ``{out}``, e.g. ``\cos({0})``;
* ``text``: the same derivative in plain text for the graph drawing, e.g. ``cos(y)``.

The placeholders are filled with names (``x``) or with numbers (``2``). ``{0!w}`` puts a
negative number in parentheses where it would otherwise read wrongly: ``2 \cdot (-3)``,
``(-2)^{2}``.
"""

import math
import string
from dataclasses import dataclass

import numpy as np

from .. import ops
from ..autograd.function import Preview
from .i18n import _


@dataclass(frozen=True)
class Notation:
    forward: str  # LaTeX of the output in terms of the inputs
    local: tuple  # LaTeX of d(output)/d(input i), one per input
    text: str  # plain-text local derivative, for the drawing
    symbol: str  # what the op node shows


def _n(forward, local, text, symbol):
    return Notation(forward, tuple(local), text, symbol)


TABLE = {
    ops.Add: _n("{0} + {1}", ["1", "1"], "∂/∂a = 1, ∂/∂b = 1", "+"),
    ops.Sub: _n("{0} - {1!w}", ["1", "-1"], "∂/∂a = 1, ∂/∂b = −1", "−"),
    ops.Rsub: _n("{1} - {0!w}", ["-1"], "∂/∂x = −1", "−"),
    ops.Mul: _n(r"{0!w} \cdot {1!w}", ["{1}", "{0}"], "∂/∂a = b, ∂/∂b = a", "×"),
    ops.Div: _n(r"\frac{{{0}}}{{{1}}}", [r"\frac{{1}}{{{1}}}", r"-\frac{{{0}}}{{{1}^2}}"],
                "∂/∂a = 1/b, ∂/∂b = −a/b²", "÷"),
    ops.Neg: _n("-{0}", ["-1"], "∂/∂x = −1", "−x"),
    ops.Reciprocal: _n(r"\frac{{1}}{{{0}}}", ["-{out!w}^2"], "∂/∂x = −1/x²", "1/x"),
    ops.Pow: _n("{0!w}^{{{exponent}}}", ["{exponent} \\cdot {0!w}^{{{exponent_less_one}}}"], "∂/∂x = n·xⁿ⁻¹", "xⁿ"),
    ops.PowTensor: _n("{0!w}^{{{1}}}", ["{1!w} \\cdot {0!w}^{{{1} - 1}}", r"{out!w} \ln {0!w}"],
                      "∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a", "aᵇ"),
    ops.RPow: _n("{base}^{{{0}}}", [r"{base}^{{{0}}} \ln {base}"], "∂/∂x = cˣ·ln c", "cˣ"),
    ops.Exp: _n("e^{{{0}}}", ["e^{{{0}}}"], "∂/∂x = eˣ", "exp"),
    ops.Log: _n(r"\ln {0!w}", [r"\frac{{1}}{{{0}}}"], "∂/∂x = 1/x", "ln"),
    ops.Sqrt: _n(r"\sqrt{{{0}}}", [r"\frac{{1}}{{2 \cdot {out}}}"], "∂/∂x = 1/(2√x)", "√"),
    ops.Sin: _n(r"\sin({0})", [r"\cos({0})"], "∂/∂x = cos x", "sin"),
    ops.Cos: _n(r"\cos({0})", [r"-\sin({0})"], "∂/∂x = −sin x", "cos"),
    ops.Tanh: _n(r"\tanh({0})", ["1 - {out!w}^2"], "∂/∂x = 1 − tanh²x", "tanh"),
    ops.Sigmoid: _n(r"\sigma({0})", [r"{out} \cdot (1 - {out})"], "∂/∂x = σ(x)(1 − σ(x))", "σ"),
    ops.Relu: _n(r"\max(0, {0})", [r"[{0} > 0]"], "∂/∂x = 1 if x > 0 else 0", "relu"),
    ops.Clone: _n("{0}", ["1"], "∂/∂x = 1", "clone"),
    ops.Sum: _n(r"\sum {0}", ["1"], "∂/∂xᵢ = 1", "Σ"),
    ops.SumDim: _n(r"\sum {0}", ["1"], "∂/∂xᵢ = 1", "Σ"),
    ops.Mean: _n(r"\operatorname{{mean}}({0})", [r"\frac{{1}}{{{count}}}"], "∂/∂xᵢ = 1/n", "mean"),
    ops.MeanDim: _n(r"\operatorname{{mean}}({0})", [r"\frac{{1}}{{{count}}}"], "∂/∂xᵢ = 1/n", "mean"),
    ops.MatMul: _n("{0} {1}", [r"(\cdot)\,{1}^\top", r"{0}^\top (\cdot)"], "∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G", "@"),
    ops.Mm: _n("{0} {1}", [r"(\cdot)\,{1}^\top", r"{0}^\top (\cdot)"], "∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G", "@"),
    ops.Mv: _n("{0} {1}", [r"(\cdot)\,{1}^\top", r"{0}^\top (\cdot)"], "∂/∂A = g·vᵀ, ∂/∂v = Aᵀ·g", "@"),
    ops.Dot: _n(r"{0!w} \cdot {1!w}", ["{1}", "{0}"], "∂/∂a = b, ∂/∂b = a", "·"),
    ops.View: _n(r"\operatorname{{reshape}}({0})", ["1"], "reshape back", "view"),
    ops.Squeeze: _n(r"\operatorname{{squeeze}}({0})", ["1"], "reshape back", "squeeze"),
    ops.SqueezeDim: _n(r"\operatorname{{squeeze}}({0})", ["1"], "reshape back", "squeeze"),
    ops.Unsqueeze: _n(r"\operatorname{{unsqueeze}}({0})", ["1"], "reshape back", "unsqueeze"),
    ops.Transpose: _n("{0}^\\top", ["1"], "transpose back", "ᵀ"),
    ops.Permute: _n("{0}^\\top", ["1"], "permute back", "ᵀ"),
    ops.Index: _n("{0}[\\dots]", ["1"], "1 where picked, else 0", "[ ]"),
    ops.Select: _n("{0}[\\dots]", ["1"], "1 where picked, else 0", "[i]"),
    ops.Slice: _n("{0}[\\dots]", ["1"], "1 where picked, else 0", "[a:b]"),
    ops.BinaryCrossEntropy: _n(
        r"-\operatorname{{mean}}\left[{1} \ln {0} + (1 - {1}) \ln(1 - {0})\right]",
        [r"{mean_factor}\frac{{{0} - {1}}}{{{0}(1 - {0})}}", r"{mean_factor}\ln\frac{{1 - {0}}}{{{0}}}"],
        "∂L/∂p = (p − t) / (N·p(1 − p))",
        "BCE",
    ),
    ops.MseLoss: _n(
        r"\operatorname{{mean}}\left[({0} - {1})^2\right]",
        [r"\frac{{2}}{{{count}}} ({0} - {1})", r"-\frac{{2}}{{{count}}} ({0} - {1})"],
        "∂L/∂p = 2(p − t)/N",
        "MSE",
    ),
    ops.Clamp: _n(r"\operatorname{{clamp}}({0}, {min}, {max})", [r"[{min} \le {0} \le {max}]"],
                  "∂/∂x = 1 if min ≤ x ≤ max else 0", "clamp"),
    ops.ClampTensor: _n(r"\operatorname{{clamp}}({0}, {1}, {2})",
                        [r"[{1} \le {0} \le {2}]", r"[{0} < {1} < {2}]", r"[{0} > {2} \text{{ or }} {2} < {1}]"],
                        "∂/∂x = 1 if min ≤ x ≤ max else 0", "clamp"),
    ops.Abs: _n(r"\left|{0}\right|", [r"\operatorname{{sign}}({0})"], "∂/∂x = sign(x)", "|x|"),
    ops.ToCopy: _n("{0}", ["1"], "∂/∂x = 1", "to"),
    ops.BinaryCrossEntropyWithLogits: _n(
        r"-\operatorname{{mean}}\left[{1} \ln \sigma({0}) + (1 - {1}) \ln(1 - \sigma({0}))\right]",
        [r"{mean_factor}(\sigma({0}) - {1})", r"-{mean_factor}{0}"],
        "∂L/∂z = (σ(z) − t) / N",
        "BCE",
    ),
    ops.T: _n("{0}^\\top", ["1"], "transpose back", "ᵀ"),
    ops.Addmm: _n("{0} + {1} {2}", ["1", r"(\cdot)\,{2}^\top", r"{1}^\top (\cdot)"],
                  "∂/∂b = Σ G, ∂/∂X = G·Wᵀ, ∂/∂W = Xᵀ·G", "addmm"),
    ops.VectorNorm: _n(r"\lVert {0} \rVert", [r"\frac{{{0}}}{{{out}}}"], "∂/∂xᵢ = xᵢ/‖x‖", "‖x‖"),
}


def of(op_class):
    """The notation of an op class (every op in the derivative table has one)."""
    return TABLE[op_class]


def options(node):
    """The extra placeholders an op's notation uses (exponent, base, count)."""
    values = {}
    if hasattr(node, "exponent"):
        values["exponent"] = format_number(node.exponent)
        values["exponent_less_one"] = format_number(node.exponent - 1)
    if isinstance(node, ops.Clamp):  # a bound not given is no bound: -inf or +inf
        values["min"] = r"-\infty" if node.min is None else format_number(node.min)
        values["max"] = r"\infty" if node.max is None else format_number(node.max)
    if hasattr(node, "base"):
        values["base"] = format_number(node.base)
    if hasattr(node, "self_sym_numel"):
        values["count"] = str(node.self_sym_numel)
    elif isinstance(node, (ops.BinaryCrossEntropy, ops.MseLoss, ops.BinaryCrossEntropyWithLogits)):
        # N of the mean, read from the input's data (kept by the node even after its saved values are freed)
        shape = np.broadcast_shapes(*(np.shape(data) for data in node._inputs))
        count = int(np.prod(shape)) if node.reduction == "mean" else 1
        values["count"] = str(count)
        values["mean_factor"] = rf"\frac{{1}}{{{count}}} \cdot " if count != 1 else ""
    return values


class _Formatter(string.Formatter):
    """``str.format`` plus the ``!w`` conversion (wrap negatives in parentheses)."""

    def convert_field(self, value, conversion):
        if conversion == "w":
            return wrap(str(value))
        return super().convert_field(value, conversion)


def fill(template, *args, **kwargs):
    """Fill a notation template (``{0}``, ``{out}``, ``{0!w}``, ``{exponent}``)."""
    return _Formatter().format(template, *args, **kwargs)


# --------------------------------------------------------------------------------- numbers
def format_number(value, digits=4):
    """A number the way the walkthrough prints it: ``4``, ``0.4692``, ``-0.3067``, ``1.2e-05``, ``∞``, ``NaN``.

    Plain text (tables, drawings, sentences); ``latex_number`` is the same number inside an equation.
    """
    value = float(value)
    if value != value:
        return "NaN"  # a symbol, as a person writes it (never the code spelling nan, never TeX)
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "-∞"
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    if abs(value) < 10 ** (-digits + 1) or abs(value) >= 1e6:
        return f"{value:.{digits - 1}e}"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value, digits=4, vector_digits=3, limit=8):
    """A scalar as ``format_number``; a vector compactly: ``[0.667, 1.333, 2.000]``."""
    if not isinstance(value, Preview) and np.ndim(value) == 0:
        return format_number(value, digits)
    text, shape = _vector_text(value, vector_digits, limit)
    return f"[{text}]" if len(shape) == 1 else f"[{text}] (shape {shape})"


def latex_number(value, digits=4):
    r"""``format_number`` for an equation: ``\infty``, ``-\infty``, ``\mathrm{NaN}`` (upright, not italic *nan*)."""
    return _latex_symbols(format_number(value, digits))


def _latex_symbols(text):
    return text.replace("∞", r"\infty").replace("NaN", r"\mathrm{NaN}")


def latex_value(value):
    """A value inside an equation: a number as it is, a vector in LaTeX brackets."""
    if not isinstance(value, Preview) and np.ndim(value) == 0:
        return latex_number(value)
    text, shape = _vector_text(value, 3, 8)
    suffix = "" if len(shape) == 1 else r"_{" + r"\times".join(str(n) for n in shape) + "}"
    return r"\left[" + _latex_symbols(text.replace("…", r"\dots")) + r"\right]" + suffix


FLOAT32_MAX = "3.4 × 10³⁸"


def why_not_finite(result, computed_from):
    """One line saying why a step's result is ∞ or NaN when what it came from was finite.

    ``result`` is the value, ``computed_from`` a short text of the computation (``e¹⁰⁰⁰``);
    None when there is nothing to explain (a finite result, or infinite inputs already).
    """
    array = _as_array(result)
    if array is None or np.all(np.isfinite(array)):
        return None
    if np.any(np.isnan(array)):
        return _("{computed} is undefined here (like 0/0, ∞ − ∞ or the log of a negative number), "
                 "so PyTorch gives NaN").format(computed=computed_from)
    return _("{computed} is larger than float32 can hold (about {limit}), so PyTorch gives ∞").format(
        computed=computed_from, limit=FLOAT32_MAX)


def _as_array(value):
    if value is None:
        return None
    if isinstance(value, Preview):
        return np.append(np.asarray(value.head), value.last)
    return np.asarray(value, dtype=np.float64)


def _vector_text(value, digits, limit):
    """``0.667, 1.333, …, 2.000``: the first values and the last, and the shape (a tuple).

    Works on a node's ``Preview`` of a big array too: it keeps exactly these values.
    """
    if isinstance(value, Preview):
        head, last, shape = value.head, value.last, value.shape
    else:
        array = np.asarray(value)
        flat = array.reshape(-1)
        head, last, shape = flat, flat[-1] if flat.size else None, array.shape
    items = [_vector_item(v, digits) for v in head[:limit]]
    if math.prod(shape) > limit:
        items[-1:] = ["…", _vector_item(last, digits)]
    return ", ".join(items), tuple(shape)


def _vector_item(value, digits):
    """One number of a vector, fixed digits (``0.667``); ``∞``, ``-∞`` and ``NaN`` as symbols."""
    value = float(value)
    if not math.isfinite(value):
        return format_number(value)
    return f"{value + 0.0:.{digits}f}".replace(f"-0.{'0' * digits}", f"0.{'0' * digits}")


def wrap(term):
    """Parenthesise a negative number or a compound term before it is multiplied or raised."""
    if term.startswith("-") or (" " in term and not term.startswith(r"\left[")):
        return f"({term})"
    return term
