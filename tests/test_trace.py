"""Walkthroughs of the course's functions: every step, name and number against the chain rule by hand."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import expr
from minigrad.trace import Walkthrough, named, neuron


def kinds(walk):
    return [(s.phase, s.title) for s in walk.steps]


@pytest.mark.parametrize("x", [2.0, 3.0])
def test_square(x):
    walk = Walkthrough.run(lambda x: x**2, x=x)
    assert kinds(walk) == [("forward", "y = x²"), ("backward", "PowBackward0"), ("backward", "x.grad")]
    assert walk.steps[0].latex == f"y = x^{{2}} = {x:g}^{{2}} = {x * x:g}"
    assert walk.grad("x") == pytest.approx(2 * x)  # 4 at x = 2, 6 at x = 3
    assert walk.steps[1].contributions[walk.value("x").id] == pytest.approx(2 * x)
    assert walk.phase_label(0) == "Forward 1 / 1" and walk.phase_label(2) == "Backward 2 / 2"


def test_sin_of_square_follows_the_chain_rule():
    x = 1.3
    walk = Walkthrough.run(lambda x: mg.sin(x**2), x=x)
    assert [s.title for s in walk.steps] == ["y = x²", "z = sin(y)", "SinBackward0", "PowBackward0", "x.grad"]
    sin_step, pow_step = walk.steps[2], walk.steps[3]
    y = walk.value("y").id
    assert sin_step.local[y] == pytest.approx(math.cos(x * x), rel=2e-5)
    assert pow_step.upstream == pytest.approx(math.cos(x * x), rel=2e-5)
    assert walk.grad("x") == pytest.approx(2 * x * math.cos(x * x), rel=2e-5)
    assert r"\cos(1.69)" in sin_step.latex


def test_three_links_and_the_issue_example():
    walk = Walkthrough.run(lambda x: mg.exp(mg.sin(x**2)), x=2.0)
    assert [s.phase for s in walk.steps] == ["forward"] * 3 + ["backward"] * 4
    assert [v.name for v in walk.graph.values] == ["x", "y", "z", "u"]
    assert walk.steps[4].latex == (
        r"\frac{\partial u}{\partial y} = \frac{\partial u}{\partial z} \cdot \frac{\partial z}{\partial y}"
        r" = 0.4692 \cdot \cos(4) = -0.3067")
    expected = math.exp(math.sin(4)) * math.cos(4) * 4  # e^{sin x²} · cos x² · 2x
    assert walk.grad("x") == pytest.approx(expected, rel=2e-5)
    assert walk.steps[6].leaf.name == "x" and walk.steps[6].text.endswith("x.grad = -1.2267")
    assert "u = 0.4692" in walk.steps[2].text and walk.phase_label(4) == "Backward 2 / 4"


def test_neuron_single_sample_matches_the_hand_formulas():
    walk = Walkthrough.run(neuron, constants=("x", "t"), w=1.0, b=0.0, x=6.7, t=0.0)
    assert [v.name for v in walk.graph.values] == ["w", "b", "x", "t", "wx", "z", "ŷ", "L"]
    assert [s.title for s in walk.forward_steps] == ["wx = w × x", "z = wx + b", "ŷ = σ(z)", "L = BCE(ŷ, t)"]
    assert [s.title for s in walk.backward_steps] == [
        "BinaryCrossEntropyBackward0", "SigmoidBackward0", "AddBackward0", "b.grad", "MulBackward0", "w.grad"]
    y_hat = 1 / (1 + math.exp(-6.7))
    assert walk.grad("w") == pytest.approx((y_hat - 0) * 6.7, rel=1e-5)  # dL/dw = (ŷ − y)·x
    assert walk.grad("b") == pytest.approx(y_hat - 0, rel=1e-5)  # dL/db = ŷ − y
    bce, sigmoid = walk.backward_steps[:2]
    assert bce.local[walk.value("ŷ").id] == pytest.approx(y_hat / (y_hat * (1 - y_hat)), rel=1e-3)
    assert sigmoid.local[walk.value("z").id] == pytest.approx(y_hat * (1 - y_hat), rel=1e-3)
    assert all(v.role == "data" for v in (walk.value("x"), walk.value("t")))


def test_a_value_used_twice_sums_its_paths():
    a = 0.8
    walk = Walkthrough.run(lambda a: a * a + mg.sin(a), a=a)
    mul_step = next(s for s in walk.steps if s.title == "MulBackward0")
    assert mul_step.latex.count(r"\text{so far: }") == 2  # both paths of a*a, after the sin path
    sin_path, path = math.cos(a), a
    assert rf"{sin_path:.4f} + {path:.1f} = {sin_path + path:.4f}" in mul_step.latex
    assert walk.grad("a") == pytest.approx(2 * a + math.cos(a), rel=2e-5)
    assert mul_step.accumulated[walk.value("a").id] == pytest.approx(2 * a + math.cos(a), rel=2e-5)


def test_vectors_are_shown_compactly():
    walk = Walkthrough.run(lambda x: (x**2).mean(), x=[1.0, 2.0, 3.0])
    np.testing.assert_allclose(walk.grad("x"), [2 / 3, 4 / 3, 2], rtol=1e-6)
    assert walk.steps[-1].text.endswith("[0.667, 1.333, 2.000]")
    assert r"\left[0.667, 1.333, 2.000\right]" in walk.steps[-2].latex


def test_broadcasting_shows_a_scalar_weight_summing_over_the_batch():
    cgpa, placed = [9.11, 8.9, 7.0, 6.56, 4.56], [1.0, 1.0, 0.0, 1.0, 0.0]
    walk = Walkthrough.run(neuron, constants=("x", "t"), w=0.5, b=-3.0, x=cgpa, t=placed)
    mul_step = next(s for s in walk.steps if s.title == "MulBackward0")
    w = walk.value("w").id
    assert np.shape(mul_step.raw_contributions[w]) == (5,) and np.shape(mul_step.contributions[w]) == ()
    assert "each sample's share" in mul_step.latex
    y_hat = 1 / (1 + np.exp(-(0.5 * np.array(cgpa) - 3.0)))
    assert walk.grad("w") == pytest.approx(np.mean((y_hat - placed) * cgpa), rel=1e-5)
    assert walk.grad("b") == pytest.approx(np.mean(y_hat - placed), rel=1e-5)


def test_rerun_keeps_structure_and_changes_numbers():
    walk = Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0)
    again = walk.rerun(x=3.0)
    assert [s.title for s in again.steps] == [s.title for s in walk.steps]
    assert again.grad("x") == pytest.approx(math.exp(math.sin(9)) * math.cos(9) * 6, rel=1e-5)
    assert walk.steps[4].latex != again.steps[4].latex


def test_names_come_from_parameters_then_user_names_then_the_sequence():
    def f(a, b):
        hidden = named(a * b, "h")
        return mg.tanh(hidden) + a

    walk = Walkthrough.run(f, a=0.5, b=2.0)
    assert [v.name for v in walk.graph.values] == ["a", "b", "h", "y", "z"]
    assert [v.id for v in walk.graph.values] == ["v0", "v1", "v2", "v3", "v4"]


def test_two_runs_give_identical_steps():
    first = Walkthrough.run(lambda x: mg.sigmoid(3 * x - 1) ** 2, x=0.4)
    second = Walkthrough.run(lambda x: mg.sigmoid(3 * x - 1) ** 2, x=0.4)
    assert [(s.title, s.text, s.latex) for s in first.steps] == [(s.title, s.text, s.latex) for s in second.steps]


def test_backward_steps_are_the_engines_own_calls():
    calls = []
    original = mg.ops.Sin.backward

    def spy(ctx, grad):
        calls.append("Sin")
        return original(ctx, grad)

    mg.ops.Sin.backward = spy
    try:
        walk = Walkthrough.run(lambda x: mg.sin(x) * mg.sin(x), x=0.3)
    finally:
        mg.ops.Sin.backward = original
    assert calls == ["Sin", "Sin"]  # the engine ran both sin nodes once, and nothing ran them again
    assert [s.title for s in walk.backward_steps].count("SinBackward0") == 2


def test_bad_calls_say_what_to_do():
    with pytest.raises(ValueError, match="give a value for x"):
        Walkthrough.run(lambda x: x * 2)
    with pytest.raises(ValueError, match="needs one number"):
        Walkthrough.run(lambda x: x * 2, x=[1.0, 2.0])
    with pytest.raises(ValueError, match="must return a tensor"):
        Walkthrough.run(lambda x: 3.0, x=1.0)
