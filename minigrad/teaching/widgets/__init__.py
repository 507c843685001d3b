"""Slider-driven explorers for JupyterLab and Voila (``pip install minigrad-lab`` brings ipywidgets).

* ``Walkthrough``: the forward and backward passes of a function, step by step, on its graph;
* ``FunctionPlot``: f(x), the tangent autograd computed, inner functions, a shrinking secant;
* ``NeuronLab``: the sigmoid/BCE neuron on the CGPA data, its gradient and its training;
* ``GradientLab``: backward(), zero_(), no_grad(), detach(), requires_grad_(False), retain_graph;
* ``explore``: a FunctionPlot and a Walkthrough sharing one x slider;
* ``check``: a self-check box for exercises (type a number, hear whether it is right and why);
* ``set_language("hinglish")`` / ``set_language("english")``: the language every widget speaks (English by
  default; each widget also has an English | Hinglish switch). See ``minigrad.teaching.i18n``.
"""

from ..i18n import language, set_language
from .check import check
from .function_plot import FunctionPlot
from .gradient_lab import GradientLab
from .neuron_lab import NeuronLab
from .walkthrough import Walkthrough

__all__ = ["Walkthrough", "FunctionPlot", "NeuronLab", "GradientLab", "explore", "check", "set_language", "language"]


def explore(source, x=(-3.0, 3.0, 0.01, 1.0), inner=True, frames=False):
    """A FunctionPlot beside a Walkthrough of the same function, their x sliders linked."""
    import ipywidgets as widgets

    plot = FunctionPlot(source, x=x, inner=inner)
    walk = Walkthrough(source, frames=frames, **{plot.name: x})
    link = widgets.link((plot.x_slider, "value"), (walk.sliders[plot.name], "value"))
    box = widgets.VBox([plot, walk])
    box.plot, box.walkthrough, box.link = plot, walk, link
    return box
