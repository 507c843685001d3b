r"""How numbers and templates are *written* for a student: what is not any one op's.

Each op says how it is shown in its own class (``ops.Sin.notation``: its forward and local
derivative as LaTeX templates, the same in words, its symbol; see ``ops.Notation``). This file
fills those templates, with names (``x``) or with numbers (``2``), and writes numbers the way the
walkthrough and the drawings print them. ``{0!w}`` puts a negative number in parentheses where it
would otherwise read wrongly: ``2 \cdot (-3)``, ``(-2)^{2}``.
"""

import math
import string

import numpy as np

from ..autograd.function import Preview
from .i18n import N_
from .i18n import gettext as _

# the words among the ops' rules (ops.py's Notation.text: the library knows no languages); said() translates them
RULE_WORDS = (N_("reshape back"), N_("transpose back"), N_("permute back"), N_("1 where picked, else 0"),
              N_("∂/∂x = 1 if x > 0 else 0"), N_("∂/∂x = 1 if min ≤ x ≤ max else 0"))


def said(rule):
    """An op's rule as a student reads it now: its words in the chosen language, a formula as it is."""
    return _(rule) if rule in RULE_WORDS else rule


def options(node):
    """The op's own numbers (``node.placeholders()``: exponent, base, count ...) written for an equation,
    and for an average over N values, ``mean_factor``: the 1/N in front of a loss's derivative."""
    numbers = node.placeholders()
    values = {name: latex_number(value) for name, value in numbers.items()}
    count = numbers.get("count")
    if count is not None:
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
