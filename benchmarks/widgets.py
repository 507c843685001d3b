"""Issue 4's benchmark: from a slider change (or a click) to the new graph SVG, equation and plots.

Targets: the neuron Walkthrough < 40 ms; a NeuronLab update, plots included, < 150 ms.
The in-process renderer is used (what a student's laptop without Graphviz gets) unless
MINIGRAD_RENDERER says otherwise.
"""

import itertools

from minigrad.data import CGPA, PLACED
from minigrad.trace import neuron
from minigrad.widgets import FunctionPlot, GradientLab, NeuronLab, Walkthrough

from .harness import format_time, measure, table

TARGETS = {"Walkthrough (neuron, 5 rows)": 0.040, "Walkthrough (neuron, 1 sample)": 0.040, "NeuronLab": 0.150}
NEURON_CELL = """
import torch

x = torch.tensor(6.7)
y = torch.tensor(0.0)
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)

def binary_cross_entropy_loss(prediction, target):
    epsilon = 1e-8
    prediction = torch.clamp(prediction, epsilon, 1 - epsilon)
    return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))

z = w * x + b
y_pred = torch.sigmoid(z)
loss = binary_cross_entropy_loss(y_pred, y)
"""  # the lecture's cell under %%walkthrough: the cell runs again on every slider move


def mover(slider, values):
    cycle = itertools.cycle(values)

    def run():
        slider.value = next(cycle)

    return run


def run(torch=None, rounds=15):
    walk_rows = Walkthrough(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 1.0), b=(-5, 5, 0.01, 0.0), x=CGPA,
                            t=PLACED)
    walk_rows.step_slider.value = 6
    walk_one = Walkthrough(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 1.0), b=(-5, 5, 0.01, 0.0), x=6.7, t=0.0)
    walk_one.step_slider.value = 6
    chain = Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))
    cell = Walkthrough.from_code(NEURON_CELL)
    cell.step_slider.value = 6
    plot = FunctionPlot("sin(x**2)", x=(-3, 3, 0.01, 1.0), inner=True, secant=True)
    lab = NeuronLab()
    gradient_lab = GradientLab()
    implementations = {
        "Walkthrough (neuron, 5 rows)": mover(walk_rows.sliders["w"], [0.5, 1.0, 1.5, 2.0]),
        "Walkthrough (neuron, 1 sample)": mover(walk_one.sliders["w"], [0.5, 1.0, 1.5, 2.0]),
        "Walkthrough (exp(sin(x²)))": mover(chain.sliders["x"], [1.0, 1.5, 2.0, 2.5]),
        "%%walkthrough (the neuron cell, hand BCE)": mover(cell.sliders["w"], [0.5, 1.0, 1.5, 2.0]),
        "FunctionPlot (inner + secant)": mover(plot.x_slider, [0.5, 1.0, 1.5, 2.0]),
        "NeuronLab": mover(lab.w_slider, [0.2, 0.4, 0.6, 0.8]),
        "GradientLab backward()": gradient_lab.backward,
    }
    medians = measure(implementations, rounds=rounds, min_time=0.2)
    rows = []
    for name, median in medians.items():
        target = TARGETS.get(name)
        rows.append((name, format_time(median), f"< {format_time(target).strip()}" if target else "",
                     "" if target is None else ("yes" if median < target else "NO")))
    return table("widgets: slider change → new SVG, equation and plots", rows,
                 header=("widget", "median", "target", "ok"))
