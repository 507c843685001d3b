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
from . import layout
from .guard import Guard, not_finite_reason

# red means one thing in the course, a gradient flowing back (DESIGN §5): the tangent is purple
TANGENT_COLOR = "tab:purple"
# the inner functions: matplotlib's own colours without its red (the fourth), which would read as a gradient
INNER_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:brown", "tab:pink", "tab:gray", "tab:olive", "tab:cyan")


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
        self.image = layout.image()
        lows = self.x_slider.min, self.x_slider.max
        self.grid = np.linspace(lows[0], lows[1], points)
        self.curves = self._curves()
        self._setup_figure()
        for slider in (self.x_slider, self.h_slider):
            slider.observe(self.guard(lambda change: self.refresh()), names="value")
        controls = [self.x_slider] + ([self.h_slider, self.halve_button] if secant else []) + [self.language]
        self.children = [layout.row(controls), self.message, self.readout, self.image]
        self.guard.run(self.refresh)  # a function that fails at the first x says so inline, like a slider move
        i18n.on_change(self._on_language)

    def _on_language(self):
        self._label_figure()
        self.picture.redraw_still_parts()
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

    def secant_slope(self, x, h):
        """The finite difference (f(x + h) − f(x)) / h."""
        with no_grad():
            ahead = self.function(**{self.name: tensor(float(x + h))}).item()
            here = self.function(**{self.name: tensor(float(x))}).item()
        return (ahead - here) / h

    # -------------------------------------------------------------------- drawing
    def _setup_figure(self):
        """The curves, axes and legend, drawn once; the tangent, secant and point move on top."""
        self.figure = layout.new_figure(figsize=(6.4, 5.2 if self.show_inner else 3.4))
        self.axes = self.figure.subplots(2 if self.show_inner else 1, 1, squeeze=False)[:, 0]
        self.figure.subplots_adjust(left=0.12, right=0.97, top=0.92, bottom=0.1, hspace=0.45)
        main, output_curve = self.axes[0], self.curves[-1][2]
        (self.curve,) = main.plot(self.grid, output_curve, color="tab:blue",
                                  label=f"f({self.name}) = {html.unescape(self.title)}")
        (self.tangent,) = main.plot([], [], color=TANGENT_COLOR, animated=True)
        (self.secant,) = main.plot([], [], color="tab:green", linestyle="--", animated=True)
        (self.point,) = main.plot([], [], "o", color="black", zorder=5, animated=True)
        finite = output_curve[np.isfinite(output_curve)]  # ∞ and NaN are left out of the axis limits
        low, high = (finite.min(), finite.max()) if finite.size else (-1.0, 1.0)
        margin = 0.1 * (high - low if high > low else 1.0)
        main.set(xlim=(self.grid[0], self.grid[-1]), ylim=(low - margin, high + margin))
        if self.show_inner:
            inner = self.axes[1]
            for (name, title, values), colour in zip(self.curves, itertools.cycle(INNER_COLOURS)):
                inner.plot(self.grid, values, color=colour, label=f"{name} = {title}")
            self.marker = inner.axvline(self.grid[0], color="gray", linestyle=":", animated=True)
        self._label_figure()
        self.picture = layout.AnimatedFigure(self.figure)

    def _label_figure(self):
        """The figure's words (legends, titles, axis labels) in the current language; what moves, listed again."""
        main = self.axes[0]
        self.tangent.set_label(_("tangent: slope from backward()"))
        self.secant.set_label(_("secant through x and x + h"))
        self.moving = [self.tangent, self.point] + ([self.secant] if self.show_secant else [])
        legend = _tidy(main, self.name, "f", _("{function}: the tangent's slope is the derivative").format(
            function=self.title), handles=[self.curve, self.tangent] + ([self.secant] if self.show_secant else []))
        legend.set_animated(True)  # drawn after the moving lines, so that they never cross its text
        self.moving.append(legend)
        if self.show_inner:
            legend = _tidy(self.axes[1], self.name, _("value"), _("the inner functions, each against {x}").format(
                x=self.name))
            legend.set_animated(True)
            self.moving += [self.marker, legend]

    def refresh(self):
        """Compute first, then draw: a failure leaves the last good picture (the guard says why)."""
        x, h = self.x_slider.value, self.h_slider.value
        value, slope = self.value_and_slope(x)
        secant = self.secant_slope(x, h) if self.show_secant else None
        span = (self.grid[-1] - self.grid[0]) / 6
        xs = np.array([x - span, x + span])
        self.tangent.set_data(xs, value + slope * (xs - x))
        self.point.set_data([x], [value])
        f = notation.format_number
        text = f"f({f(x)}) = {f(value)}, " + _("slope from backward(): {slope}").format(
            slope=f"f′({f(x)}) = <b>{f(slope)}</b>")
        if self.show_secant:
            self.secant.set_data(xs, value + secant * (xs - x))
            text += "<br>" + _("secant with h = {h}: slope {slope} (off by {error})").format(
                h=f(h), slope=f(secant), error=f(abs(secant - slope)))
        if self.show_inner:
            self.marker.set_xdata([x, x])
        self.picture.show(self.image, self.moving)
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


def _tidy(axes, xlabel, ylabel, title, handles=None):
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    legend = axes.legend(handles=handles, loc="upper left")  # a fixed place, clear of the slider's moves
    layout.readable_axes(axes)
    return legend
