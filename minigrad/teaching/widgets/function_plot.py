"""FunctionPlot: f(x), the point at the slider's x, and the tangent whose slope autograd computed.

::

    FunctionPlot("sin(x**2)", x=(-3, 3, 0.01, 1.5), inner=True, secant=True)

Optionally the inner functions (for sin(x²): y = x² and z = sin(y), each drawn against x)
and a secant through x and x + h: as h shrinks, its slope (a finite difference) closes in
on the tangent's slope, the derivative ``backward()`` gave.
"""

import html
import itertools

import ipywidgets as widgets
import numpy as np

from ... import no_grad
from ...creation import tensor
from .. import expr, i18n, notation, trace
from ..i18n import gettext as _
from . import layout, svg_plot
from .guard import Guard, not_finite_reason
from .svg_plot import BLACK, BLUE, GREEN, GREY, PURPLE

# red means one thing in the course, a gradient flowing back (DESIGN §5): the tangent is purple
TANGENT_COLOUR, SECANT_COLOUR, CURVE_COLOUR = PURPLE, GREEN, BLUE
# the inner functions before the output (which is drawn in f's own blue, as above): matplotlib's own colours
# without its blue and without its red, which would read as a gradient
STEP_COLOURS = (svg_plot.ORANGE, svg_plot.GREEN, svg_plot.BROWN, svg_plot.PINK, svg_plot.GREY, svg_plot.OLIVE,
                svg_plot.CYAN)
WIDTH, LEFT, RIGHT, TOP = 640, 78, 16, 40  # px: the picture, and the room beside the main panel for its words
MAIN_HEIGHT, INNER_HEIGHT, BETWEEN = 250, 200, 96  # the panels' plotting areas, and the room between them


class FunctionPlot(widgets.VBox):
    """A live plot of a one-input function with its tangent (and optionally inner functions and a secant)."""

    def __init__(self, source, x=(-3.0, 3.0, 0.01, 1.0), inner=False, secant=False, h=(0.001, 2.0, 0.001, 1.0),
                 points=400):
        super().__init__()
        self.function = expr.parse(source) if isinstance(source, str) else source
        names = trace.parameter_names(self.function)
        if len(names) != 1:
            raise ValueError(_("FunctionPlot draws a function of one input; this one has {count}: {names}").format(
                count=len(names), names=names))
        self.name = names[0]
        self.title = source if isinstance(source, str) else getattr(source, "__name__", "f")
        self.show_inner, self.show_secant = inner, secant
        self.x_slider = layout.float_slider(self.name, x)
        self.h_slider = layout.float_slider("h", h)
        self.halve_button = widgets.Button(description="h → h / 2", layout=widgets.Layout(width="100px"))
        self.readout = widgets.HTML()
        self.message = widgets.HTML()
        self.guard = Guard(self.message)
        self.halve_button.on_click(self.guard(lambda _click: setattr(self.h_slider, "value",
                                                                     max(self.h_slider.min, self.h_slider.value / 2))))
        self.language = layout.language_toggle()
        self.drawing = widgets.HTML(layout=widgets.Layout(width="100%"))  # the plot, an SVG
        self.grid = np.linspace(self.x_slider.min, self.x_slider.max, points)  # the x values the curves are drawn at
        self.curves = self._curves()
        self.still = None  # the picture's parts that do not move: (under the moving ones, over them)
        for slider in (self.x_slider, self.h_slider):
            slider.observe(self.guard(lambda change: self.refresh()), names="value")
        controls = [self.x_slider] + ([self.h_slider, self.halve_button] if secant else []) + [self.language]
        self.children = [layout.row(controls), self.message, self.readout, self.drawing]
        self.guard.run(self.refresh)  # a function that fails at the first x says so inline, like a slider move
        i18n.on_change(self._on_language)

    def _on_language(self):
        self.still = None  # its words are in the other language now
        self.guard.run(self.refresh)

    # -------------------------------------------------------------------- maths
    def _curves(self):
        """Every value of the graph as a function of x over the plotting range (one forward pass)."""
        graph = trace.record_forward(self.function, **{self.name: self.grid})  # recording needs grad mode on
        return [(value.name, _title(graph, value), np.broadcast_to(value.data, self.grid.shape))
                for value in graph.values if value.role == "result"]

    def value_and_slope(self, x):
        """f(x) and f'(x), the slope computed by minigrad's backward()."""
        leaf = tensor(float(x), requires_grad=True)
        output = self.function(**{self.name: leaf})
        output.backward()
        return output.item(), leaf.grad.item()

    def inner_values(self, x):
        """Each inner function's value at x, in the order of ``self.curves`` (the last one is f(x))."""
        graph = trace.record_forward(self.function, **{self.name: float(x)})
        return [float(value.data) for value in graph.values if value.role == "result"]

    def secant_slope(self, x, h):
        """The finite difference (f(x + h) − f(x)) / h."""
        with no_grad():
            ahead = self.function(**{self.name: tensor(float(x + h))}).item()
            here = self.function(**{self.name: tensor(float(x))}).item()
        return (ahead - here) / h

    # -------------------------------------------------------------------- drawing
    def _legend(self):
        """The main panel's legend entries (label, style), in the current language."""
        entries = [(f"f({self.name}) = {html.unescape(self.title)}", {"colour": CURVE_COLOUR}),
                   (_("tangent: slope from backward()"), {"colour": TANGENT_COLOUR})]
        if self.show_secant:
            entries.append((_("secant through x and x + h"), {"colour": SECANT_COLOUR, "dash": "6 4"}))
        return entries

    def _inner_colours(self):
        """One colour per inner function; the last one, the output f, in f's own colour (as in the panel above)."""
        return [colour for colour, _curve in zip(itertools.cycle(STEP_COLOURS), self.curves[:-1])] + [CURVE_COLOUR]

    def _inner_legend(self):
        *steps, (name, title, _values) = self.curves
        labels = [f"{step_name} = {step_title}" for step_name, step_title, _values in steps]
        labels.append(f"{name} = {title}" + (f" = f({self.name})" if steps else ""))
        return [(label, {"colour": colour}) for label, colour in zip(labels, self._inner_colours())]

    def _panel(self, top, height, curves, legend):
        """A panel over the slider's x range; its y range fits the curves (∞ and NaN left out) and leaves
        room at the top for the legend, in whichever upper corner needs less."""
        finite = np.concatenate([values[np.isfinite(values)] for values in curves])
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        margin = 0.1 * (high - low if high > low else 1.0)
        low, high = low - margin, high + margin
        box_width, box_height = svg_plot.legend_size(svg_plot.legend_rows(legend, 0))
        covered = (box_width + 16) / (WIDTH - LEFT - RIGHT) * (self.grid[-1] - self.grid[0])  # the box's x span
        tops = []
        for under_box in (self.grid <= self.grid[0] + covered, self.grid >= self.grid[-1] - covered):
            below = np.concatenate([values[under_box][np.isfinite(values[under_box])] for values in curves])
            peak = float(below.max()) if below.size else low
            tops.append(svg_plot.headroom(low, high, peak + margin / 2, box_height + 16, height))
        corner = "upper left" if tops[0] <= tops[1] else "upper right"
        panel = svg_plot.Panel(LEFT, top, WIDTH - LEFT - RIGHT, height, (self.grid[0], self.grid[-1]),
                               (low, min(tops)))
        return panel, corner

    def _draw_still_parts(self):
        """The panels, their curves and words, made once (and again in another language): (under, over)."""
        output, legend = self.curves[-1][2], self._legend()
        self.main, corner = self._panel(TOP, MAIN_HEIGHT, [output], legend)
        under = [self.main.frame(_("{function}: the tangent's slope is the derivative").format(function=self.title),
                                 self.name, f"f({self.name})"),
                 self.main.clipped([self.main.line(self.grid, output, CURVE_COLOUR)])]
        over = [self.main.legend(legend, corner)]
        self.inner = None
        if self.show_inner:
            inner_legend = self._inner_legend()
            self.inner, corner = self._panel(TOP + MAIN_HEIGHT + BETWEEN, INNER_HEIGHT,
                                             [values for _name, _title, values in self.curves], inner_legend)
            under += [self.inner.frame(_("the inner functions, each against {x}").format(x=self.name), self.name,
                                       _("value")),
                      self.inner.clipped([self.inner.line(self.grid, values, colour) for (_n, _t, values), colour
                                          in zip(self.curves, self._inner_colours())])]
            over.append(self.inner.legend(inner_legend, corner))
        self.height = TOP + MAIN_HEIGHT + 60 + (BETWEEN - 60 + INNER_HEIGHT + 60 if self.show_inner else 0)
        self.still = ("".join(under), "".join(over))

    def _moving_parts(self, x, value, slope, secant, h):
        """The tangent, the secant through x and x + h (with its second point), the point at x (and, on the inner
        functions, x's marker with a dot where each of them is at x)."""
        span = (self.grid[-1] - self.grid[0]) / 6
        xs = np.array([x - span, x + span])
        main = [self.main.line(xs, value + slope * (xs - x), TANGENT_COLOUR)]
        if secant is not None:
            reach = np.array([min(x - span, x + h), max(x + span, x + h)])  # always through x + h
            main.append(self.main.line(reach, value + secant * (reach - x), SECANT_COLOUR, dash="6 4"))
            main.append(self.main.markers([x + h], [value + secant * h], SECANT_COLOUR, size=7))
        main.append(self.main.markers([x], [value], BLACK))
        parts = [self.main.clipped(main)]
        if self.inner is not None:
            dots = [self.inner.markers([x], [at_x], colour, size=8)
                    for at_x, colour in zip(self.inner_values(x), self._inner_colours())]
            parts.append(self.inner.clipped([self.inner.vertical_line(x, GREY)] + dots))
        return "".join(parts)

    def snapshot(self):
        """The plot as it is now, an SVG (for a copy of the notebook without a kernel: ``SVG(plot.snapshot())``)."""
        return self.svg

    def refresh(self):
        """Compute first, then draw: a failure leaves the last good picture (the guard says why)."""
        x, h = self.x_slider.value, self.h_slider.value
        value, slope = self.value_and_slope(x)
        secant = self.secant_slope(x, h) if self.show_secant else None
        if self.still is None:
            self._draw_still_parts()
        under, over = self.still
        self.svg = svg_plot.picture(WIDTH, self.height, [under, self._moving_parts(x, value, slope, secant, h), over])
        self.drawing.value = svg_plot.shown(self.svg)
        f = notation.format_number
        text = f"f({f(x)}) = {f(value)}, " + _("slope from backward(): {slope}").format(
            slope=f"f′({f(x)}) = <b>{f(slope)}</b>")
        if self.show_secant:
            text += "<br>" + _("secant with h = {h}: slope {slope} (off by {error})").format(
                h=f(h), slope=f(secant), error=f(abs(secant - slope)))
        self.readout.value = f"<div class='minigrad-slope'>{text}{_not_finite_note(value, slope)}</div>"
        self.slope = slope


def _not_finite_note(*numbers):
    """One line on why a value shows as ∞ or NaN: not an error, float32 arithmetic (PyTorch gives the same)."""
    reason = not_finite_reason(numbers)
    return f"<br><span class='minigrad-note' style='color:#555'>{reason}</span>" if reason else ""


def _title(graph, value):
    for operation in graph.operations:
        if operation.output is value:
            return trace.title(operation)
    return value.name
