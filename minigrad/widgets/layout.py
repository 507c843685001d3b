"""Shared pieces of every explorer: sliders from specs, the graph box, equations, tables, plots.

Every widget in this package is built from these, so they look and behave alike.
"""

import html
import io

import ipywidgets as widgets
import numpy as np

from .. import notation

GRAPH_HEIGHT = "360px"  # fixed, so the page does not jump while the graph changes
DEFAULT_RANGE = (-3.0, 3.0, 0.01)


def slider_spec(spec, default_value=1.0):
    """``(min, max, step, value)``, ``(min, max, step)``, ``(min, max)`` or a number: a full spec."""
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


def row(children):
    """Controls side by side, wrapping onto a new line when the notebook is narrow (never wider than it)."""
    return widgets.HBox(children, layout=widgets.Layout(flex_flow="row wrap", width="100%", align_items="center"))


def graph_box():
    """An HTML widget of fixed height that holds the graph's SVG (replaced in place: no flicker)."""
    return widgets.HTML(layout=widgets.Layout(height=GRAPH_HEIGHT, width="100%", overflow="auto",
                                              border="1px solid #ddd"))


def svg_html(svg):
    """SVG text scaled to the box's width."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    return (f'<div class="minigrad-graph" style="width:100%;box-sizing:border-box;padding:4px 10px 4px 4px">'
            f"{_fit(body)}</div>")


def _fit(svg):
    # keep the drawing's own size, but let a wide graph shrink to the box (same shape, no distortion)
    head, _, rest = svg.partition(">")
    return f'{head} style="display:block;max-width:100%;height:auto">{rest}'


def equation_html(step, walk):
    """The step's equation as display maths, with its explanation in words underneath."""
    if step is None:
        return "<p>Press ▶ or Next to start the forward pass.</p>"
    return (f"<div><b>{html.escape(walk.phase_label(step.index))}</b> · {html.escape(step.title)}</div>"
            f"<div>$${step.latex}$$</div><div style='color:#444'>{html.escape(step.text)}</div>")


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
    """A parser or engine message, shown inline in red, caret lines kept."""
    return (f"<pre class='minigrad-error' style='color:#b00020;margin:2px 0;white-space:pre-wrap'>"
            f"{html.escape(message)}</pre>")


def value_text(value):
    return "—" if value is None else notation.format_value(value).replace("-", "−")


PLOT_DPI = 90


def figure_png(figure):
    """A matplotlib figure as PNG bytes (for an Image widget; replaced in place)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PLOT_DPI)
    return buffer.getvalue()


def show_rgba(image_widget, pixels):
    """Put an RGBA pixel array in the Image widget as PNG, at its own size."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
    image_widget.value = buffer.getvalue()
    image_widget.width = str(pixels.shape[1])


def show_figure(image_widget, figure):
    """Put the figure in the Image widget at its own pixel width (never stretched, so never blurred)."""
    image_widget.value = figure_png(figure)
    image_widget.width = str(int(figure.get_figwidth() * PLOT_DPI))


def image():
    return widgets.Image(format="png", layout=widgets.Layout(width="auto"))


def new_figure(*args, **kwargs):
    """A matplotlib figure that is not shown by pyplot (we draw it into an Image widget)."""
    from matplotlib.figure import Figure

    return Figure(*args, **kwargs)


class AnimatedFigure:
    """A figure whose still parts (axes, curves, text, legend) are drawn once and kept as a
    picture; each update draws only the artists that move (made with ``animated=True``) on
    top of that picture. This is what keeps a slider move fast (matplotlib calls it blitting).
    """

    def __init__(self, figure):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure, self.canvas, self.background = figure, FigureCanvasAgg(figure), None

    def redraw_still_parts(self):
        """Call when a still part changed (new axis limits, say): the next show draws them again."""
        self.background = None

    def show(self, image_widget, moving):
        """Put the still picture with the ``moving`` artists on top into the Image widget."""
        if self.background is None:
            self.canvas.draw()  # everything but the animated artists
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self.background)
        for artist in moving:
            artist.axes.draw_artist(artist)
        show_rgba(image_widget, np.asarray(self.canvas.buffer_rgba()))
