"""Shared pieces of every explorer: sliders from specs, the graph box, equations, tables.

Every widget in this package is built from these, so they look and behave alike.
"""

import asyncio
import html
import re

import ipywidgets as widgets
import numpy as np

from .. import i18n, notation
from ..i18n import gettext as _

PRESENT_SCALE = 1.65  # Present mode shows the drawing 1.65 × its natural size: 11 pt labels become 24.2 CSS px
PRESENT_PHASE_FONT = "20px"  # the phase label ("Backward 2 / 11") in Present mode, read from the back of the room
PRESENT_GUESS_PX = 22  # guess mode's question, box, buttons, verdict and score in Present mode (the class poll)

# A layout value that removes the CSS property, so the widget shows as its own CSS says ("none" hides it).
# Not None: the browser site's kernel (Pyodide) sends None as JavaScript's undefined, which the widget
# manager ignores, so a widget hidden once stayed hidden there (guess mode's panel, Present mode's rows).
SHOWN = ""

PRESENT_EQUATION_PX = 23  # the equation's text at 23 px: MathJax draws the maths ~1.28 × that, 29-30 px
# display maths keeps a quarter line above and below (MathJax's default is a whole line): one screen holds more
MATH_STYLE = ("<style>.minigrad-latex mjx-container[display='true']{margin:0.25em 0 !important}"
              ".minigrad-latex .MathJax_Display{margin:0.25em 0 !important}</style>")
DEFAULT_RANGE = (-3.0, 3.0, 0.01)


def is_vector(value):
    """A start value that is a vector, not a slider's spec: a list, a NumPy array or a tensor with at least
    one dimension (``x=[1.0, 2.0, 3.0]``, ``x=torch.tensor([1., 2., 3.])``). A slider's spec is a tuple
    ``(min, max, step[, start])`` or a number; a 0-dim tensor or array is a number."""
    if isinstance(value, tuple) or isinstance(value, (str, bytes)):
        return False
    if isinstance(value, list):
        return True
    return np.ndim(_plain(value)) >= 1 if hasattr(value, "shape") else False


def vector_value(value):
    """A vector start value as float32 NumPy data (a tensor's data is copied, never shared)."""
    return np.array(_plain(value), dtype=np.float32)


def _plain(value):
    numpy = getattr(value, "detach", None)
    return value.detach().numpy() if callable(numpy) else value


def vector_html(name, value, font_px=14):
    """A vector input, shown where its slider would be: ``x = [1.000, 2.000, 3.000]`` (a vector has no slider)."""
    text = notation.format_value(vector_value(value)).replace("-", "−")
    return (f"<span class='minigrad-vector-input' style='font-size:{font_px}px' title='a vector: no slider'>"
            f"<b>{html.escape(name)}</b> = {html.escape(text)}</span>")


def slider_spec(spec, default_value=1.0):
    """``(min, max, step, value)``, ``(min, max, step)``, ``(min, max)`` or a number: a full spec."""
    if is_vector(spec):
        raise ValueError(f"a slider is (min, max, step, value) or a number; {spec!r} is a vector "
                         "(a vector input gets no slider)")
    if hasattr(spec, "item") and np.ndim(_plain(spec)) == 0:  # a 0-dim tensor or NumPy number
        spec = float(_plain(spec))
    if isinstance(spec, (int, float)):
        low, high, step = DEFAULT_RANGE
        value = float(spec)
        return min(low, value), max(high, value), step, value
    spec = tuple(float(v) for v in spec)
    if len(spec) == 2:
        spec += ((spec[1] - spec[0]) / 100,)
    if len(spec) == 3:
        spec += (min(max(default_value, spec[0]), spec[1]),)
    if len(spec) != 4 or not spec[0] < spec[1] or spec[2] <= 0:
        raise ValueError(f"a slider is (min, max, step, value) with min < max and step > 0, not {spec}")
    return spec


def float_slider(name, spec, continuous_update=True):
    low, high, step, value = slider_spec(spec)
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                               continuous_update=continuous_update, readout_format=".2f",
                               style={"description_width": "initial"}, layout=widgets.Layout(width="340px"))


class LanguageToggle(widgets.ToggleButtons):
    """A small English | Hinglish switch on a widget: every widget on the page follows it (``i18n``)."""

    def __init__(self):
        super().__init__(options=[(i18n.LABELS[name], name) for name in i18n.LANGUAGES], value=i18n.language(),
                         tooltips=["English", "Hinglish"], style={"button_width": "auto"},
                         layout=widgets.Layout(width="auto", margin="0 0 0 auto"))
        self.add_class("minigrad-language")
        self.observe(lambda change: i18n.set_language(change["new"]), names="value")
        i18n.on_change(self._follow)

    def _follow(self):
        self.value = i18n.language()


def language_toggle():
    return LanguageToggle()


def row(children):
    """Controls side by side, wrapping onto a new line when the notebook is narrow (never wider than it)."""
    return widgets.HBox(children, layout=widgets.Layout(flex_flow="row wrap", width="100%", align_items="center"))


def graph_box():
    """An HTML widget that holds the graph's SVG (replaced in place: no flicker).

    It is as tall as the drawing (every step of a walkthrough has the same size, so the page
    stays still) and scrolls sideways for a drawing wider than the notebook: the SVG is never
    shrunk below its natural size, so its text stays readable and grows with browser zoom.
    """
    return widgets.HTML(layout=widgets.Layout(width="100%"))


def svg_html(svg, scale=1.0):
    """SVG text at ``scale`` × its natural size (1 or more: never shrunk), in a box that scrolls sideways."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    # width 0 and at least 100 %: as wide as the column, and a wide drawing never widens the column (or the
    # page, in Voila) around it: it scrolls inside this box, the controls and the equation stay on the screen
    return (f'<div class="minigrad-graph" style="width:0;min-width:100%;box-sizing:border-box;overflow-x:auto;'
            f'border:1px solid #ddd;padding:2px">{_at_scale(body, max(1.0, scale))}</div>')


def _at_scale(svg, scale):
    """Width and height in CSS px (Graphviz writes pt); the viewBox keeps the drawing's own units."""
    match = re.match(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not match:
        return svg
    width, height = (float(v) * 96 / 72 * scale for v in match.groups())
    style = "display:block;max-width:none;flex:none"
    return f'<svg width="{width:.0f}px" height="{height:.0f}px" style="{style}"' + svg[match.end():]


def equation_html(step, walk, font_px=None, question=False):
    """The step's equation as display maths, with its explanation in words underneath.

    With ``font_px`` (Present mode) the maths alone, that big: the phase is beside the step slider and
    the words are the teacher's. With ``question`` (guess mode) the step's new numbers are "?" and the
    words, which say them, wait until they are guessed.
    """
    size = f"font-size:{font_px}px;line-height:1.3" if font_px else ""
    if step is None:
        return f"<div style='{size}'>{html.escape(_('Press ▶ or Next to start the forward pass.'))}</div>"
    latex = f"<div class='minigrad-latex'>$${step.question if question else step.latex}$$</div>"
    if font_px:  # the phase is beside the step slider; the words are the teacher's
        return f"{MATH_STYLE}<div style='{size}'>{latex}</div>"
    words = _("What is the new number? Type your guess below.") if question else step.words()
    return (f"{MATH_STYLE}<div><b>{html.escape(walk.phase_label(step.index))}</b> · {html.escape(step.title)}</div>"
            f"{latex}<div style='color:#333'>{html.escape(words)}</div>")


def equation_sizer_html(walk, font_px=None):
    """Every step's equation in one grid cell, invisible: as tall as the tallest step.

    Placed under the current step's equation, it gives the equation area one height for the
    whole walkthrough, so stepping never moves the page.
    """
    cells = "".join(f"<div style='grid-area:1/1'>{equation_html(step, walk, font_px)}</div>"
                    for step in walk.steps)
    return f"<div aria-hidden='true' style='display:grid;visibility:hidden'>{cells}</div>"


def overlay(children, class_name=None):
    """Widgets drawn on top of one another in one grid cell (the box is as tall as the tallest)."""
    for child in children:
        child.layout.grid_area = "1 / 1 / 2 / 2"
    box = widgets.GridBox(children, layout=widgets.Layout(grid_template_columns="100%", width="100%"))
    if class_name:
        box.add_class(class_name)
    return box


def table_html(header, rows, highlight=None):
    """A small HTML table; ``highlight`` is the index of a row to mark."""
    head = "".join(f"<th style='padding:2px 8px;text-align:left'>{html.escape(h)}</th>" for h in header)
    body = []
    for index, row in enumerate(rows):
        style = " style='background:#fff3b0'" if index == highlight else ""
        cells = "".join(f"<td style='padding:2px 8px'>{html.escape(str(c))}</td>" for c in row)
        body.append(f"<tr{style}>{cells}</tr>")
    style = "border-collapse:collapse;font-size:12px"
    return f"<table class='minigrad-table' style='{style}'><tr>{head}</tr>{''.join(body)}</table>"


def error_html(message):
    """A parser or engine message, shown inline with a ⚠, caret lines kept. Dark grey, not red: red means a
    gradient flowing back, and nothing else, in the whole course."""
    return (f"<pre class='minigrad-error' style='color:#3a3a3a;margin:2px 0;white-space:pre-wrap'>"
            f"⚠ {html.escape(message).replace(chr(10), chr(10) + '  ')}</pre>")  # carets stay under their column


def value_text(value):
    """A value in a table or a readout: symbols (−, ∞, NaN), never TeX source."""
    return "—" if value is None else notation.format_value(value).replace("-", "−")


def running_loop():
    """The kernel's asyncio loop when called from a widget callback in a kernel; None in a plain script or a
    test (a widget then does at once what it would otherwise schedule on the loop)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
