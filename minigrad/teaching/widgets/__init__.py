"""Slider-driven explorers for JupyterLab and Voila (``pip install minigrad-lab`` brings ipywidgets).

* ``Walkthrough``: the forward and backward passes of a function, step by step, on its graph
  (``guess=True``: the student types each new number before it is shown);
* ``FunctionPlot``: f(x), the tangent autograd computed, inner functions, a shrinking secant;
* ``NeuronLab``: the sigmoid/BCE neuron on the CGPA data, its gradient and its training;
* ``GradientLab``: backward(), zero_(), no_grad(), detach(), requires_grad_(False), retain_graph;
* ``explore``: a FunctionPlot and a Walkthrough sharing one x slider;
* ``check``, ``choice``, ``score``: self-checks (a number or one of a few answers; a hint, a second try, then
  the solution) and the notebook's count of them;
* ``set_language("hinglish")`` / ``set_language("english")``: the language every widget speaks (English by
  default; each widget also has an English | Hinglish switch). See ``minigrad.teaching.i18n``.
"""

from ..i18n import language, set_language
from .check import check, choice, score
from .function_plot import FunctionPlot
from .gradient_lab import GradientLab
from .neuron_lab import NeuronLab
from .walkthrough import Walkthrough

__all__ = ["Walkthrough", "FunctionPlot", "NeuronLab", "GradientLab", "explore", "check", "choice", "score",
           "set_language", "language"]


def explore(source, x=(-3.0, 3.0, 0.01, 1.0), inner=True, frames=False, guess=False):
    """A FunctionPlot beside a Walkthrough of the same function, their x sliders linked.

    ``x`` is a slider's spec ``(min, max, step[, start])`` or a number; a vector (a list or a tensor,
    ``x=[1.0, 2.0, 3.0]``) has no one curve to plot: the walkthrough of the vector comes alone
    (``box.plot`` is None).
    """
    import ipywidgets as widgets

    from .. import expr, trace
    from . import layout

    if layout.is_vector(x):
        function = expr.parse(source) if isinstance(source, str) else source
        walk = Walkthrough(function if not isinstance(source, str) else source, frames=frames, guess=guess,
                           **{trace.parameter_names(function)[0]: x})
        box = widgets.VBox([walk])
        box.plot, box.walkthrough, box.link = None, walk, None
        return box
    plot = FunctionPlot(source, x=x, inner=inner)
    walk = Walkthrough(source, frames=frames, guess=guess, **{plot.name: x})
    link = widgets.link((plot.x_slider, "value"), (walk.sliders[plot.name], "value"))
    box = widgets.VBox([plot, walk])
    box.plot, box.walkthrough, box.link = plot, walk, link
    return box
