"""Issue 4's benchmark: from a slider change (or a click) to the new graph SVG, equation and plots.

Targets: the neuron Walkthrough < 40 ms; a NeuronLab update, plots included, < 150 ms.
The in-process renderer is used (what a student's laptop without Graphviz gets) unless
MINIGRAD_RENDERER says otherwise.
"""

import itertools

from minigrad.data import CGPA, PLACED
from minigrad.trace import neuron
from minigrad.widgets import FunctionPlot, GradientLab, NeuronLab, Walkthrough

from .harness import KernelLoop, format_time, measure, table

TARGETS = {"Walkthrough (neuron, 5 rows)": 0.040, "Walkthrough (neuron, 1 sample)": 0.040, "NeuronLab": 0.150,
           "Walkthrough frames=True (neuron, 1 sample): current step first": 0.050}


def frames_mover(walk, values, later):
    """A slider move on a frames=True walkthrough: with ``later``, what runs before the picture shows
    (the current step's frame; the rest is drawn when the kernel is idle, not timed); without, every frame."""
    from minigrad.widgets import walkthrough

    cycle = itertools.cycle(values)
    loop = KernelLoop()

    def run():
        original = walkthrough.running_loop
        walkthrough.running_loop = (lambda: loop) if later else (lambda: None)
        try:
            walk.sliders["w"].value = next(cycle)
        finally:
            walkthrough.running_loop = original
        loop.waiting.clear()  # the frames left for later are not part of what the student waits for

    return run


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
    frames = Walkthrough(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 1.0), b=(-5, 5, 0.01, 0.0), x=6.7, t=0.0,
                         frames=True)
    frames.step_slider.value = 6
    lab = NeuronLab()
    gradient_lab = GradientLab()
    implementations = {
        "Walkthrough (neuron, 5 rows)": mover(walk_rows.sliders["w"], [0.5, 1.0, 1.5, 2.0]),
        "Walkthrough (neuron, 1 sample)": mover(walk_one.sliders["w"], [0.5, 1.0, 1.5, 2.0]),
        "Walkthrough (exp(sin(x²)))": mover(chain.sliders["x"], [1.0, 1.5, 2.0, 2.5]),
        "Walkthrough frames=True (neuron, 1 sample): current step first": frames_mover(
            frames, [0.5, 1.0, 1.5, 2.0], later=True),
        "Walkthrough frames=True (neuron, 1 sample): every frame at once": frames_mover(
            frames, [0.5, 1.0, 1.5, 2.0], later=False),
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
