"""Every widget driven as a student drives it: sliders moved, buttons clicked, steps advanced.

Assertions are on the HTML, the SVG and the numbers the widgets show.
"""

import math
import re
from xml.etree import ElementTree

import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from minigrad.teaching.notation import format_number
from minigrad.teaching.widgets import svg_plot
from minigrad.widgets import FunctionPlot, GradientLab, NeuronLab, Walkthrough, explore
from tests.test_viz import contrast, rgb

CGPA = np.array([9.11, 8.9, 7.0, 6.56, 4.56])
PLACED = np.array([1.0, 1.0, 0.0, 1.0, 0.0])


def highlighted_nodes(svg):
    """The <title>s of the SVG nodes filled gold (the step being explained)."""
    groups = re.findall(r'<g id="\w+" class="node">\s*<title>([^<]+)</title>(.*?)</g>', svg, re.S)
    return sorted(title for title, body in groups if 'fill="gold"' in body and title != "legend")


@pytest.fixture
def walk():
    return Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))


# ------------------------------------------------------------------------------ Walkthrough
def test_walkthrough_starts_at_the_first_forward_step(walk):
    slider = walk.sliders["x"]
    assert (slider.min, slider.max, slider.step, slider.value) == (-3, 3, 0.01, 2.0)
    assert walk.phase.value == "Forward 1 / 3" and (walk.step_slider.min, walk.step_slider.max) == (1, 7)
    assert walk.step == walk.step_slider.value == 1
    assert "y = x^{2} = 2^{2} = 4" in walk.equation.value
    assert highlighted_nodes(walk.graph.value) == ["v1"]  # the compact drawing: y = x² is one box


def test_next_previous_reset_and_the_phase_label(walk):
    for _ in range(4):
        walk.next_button.click()
    assert walk.step == 5 and walk.phase.value == "Backward 2 / 4"
    assert r"0.4692 \cdot \cos(4) = -0.3067" in walk.equation.value
    assert highlighted_nodes(walk.graph.value) == ["v2"]  # SinBackward0 runs at z = sin(y)
    walk.previous_button.click()
    assert walk.phase.value == "Backward 1 / 4" and highlighted_nodes(walk.graph.value) == ["v3"]
    for _ in range(10):
        walk.next_button.click()
    assert walk.step == 7 and walk.phase.value == "Backward 4 / 4"  # stops at the last step
    walk.reset_button.click()
    assert walk.step == 1 and walk.phase.value == "Forward 1 / 3"


def test_play_drives_the_step_slider_at_the_chosen_speed(walk):
    assert (walk.play.min, walk.play.max) == (1, 7)
    walk.play.value = 4
    assert walk.step == 4 and walk.phase.value == "Backward 1 / 4"
    walk.speed.value = 500
    assert walk.play.interval == 500


def test_moving_the_input_reruns_and_keeps_the_step(walk):
    graph_widget = walk.graph
    walk.step_slider.value = 5
    walk.sliders["x"].value = 3.0
    assert walk.step == 5 and walk.graph is graph_widget  # replaced in place
    upstream = math.exp(math.sin(9))
    expected = rf"{format_number(upstream)} \cdot \cos(9) = {format_number(upstream * math.cos(9))}"
    assert expected in walk.equation.value
    assert walk.walk.grad("x") == pytest.approx(math.exp(math.sin(9)) * math.cos(9) * 6, rel=1e-4)
    assert walk.sliders["x"].continuous_update


def test_the_table_fills_in_as_the_backward_pass_proceeds(walk):
    walk.step_slider.value = 3
    assert re.findall(r"<td style='padding:2px 8px'>—</td></tr>", walk.table.value).__len__() == 4
    walk.step_slider.value = 5
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", walk.table.value)[1:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    assert [c[0] for c in cells] == ["x", "y", "z", "u"]
    assert [c[3] for c in cells] == ["—", "−0.3067", "0.4692", "1"]
    assert cells[1][2] == "−0.6536"  # the local derivative cos(4) used for y


def test_view_toggle_and_saved_tensors(walk):
    walk.step_slider.value = 2
    walk.view.value = "autograd"
    assert "AccumulateGrad" in walk.graph.value and "_saved_self" not in walk.graph.value
    walk.saved.value = True
    assert "_saved_self" in walk.graph.value
    assert walk.step == 2


def test_typing_a_new_expression(walk):
    walk.step_slider.value = 3
    walk.expression.value = "sigmoid(3*x - 1)**2"
    assert walk.expression_error.value == "" and walk.step == 1
    assert [s.title for s in walk.walk.forward_steps] == ["y = 3 × x", "z = y − 1", "u = σ(z)", "v = u²"]
    walk.expression.value = "x*y + sin(x)"
    assert list(walk.sliders) == ["x", "y"] and walk.sliders["x"].value == 2.0
    assert len(walk.sliders_box.children) == 2


def test_invalid_text_is_shown_inline_and_the_last_walkthrough_stays(walk):
    before = walk.walk
    walk.expression.value = "__import__('os').system('ls')"
    assert "not allowed" in walk.expression_error.value and "minigrad-error" in walk.expression_error.value
    assert walk.walk is before and walk.expression_error.value.count("^") >= 3
    walk.expression.value = "x **"
    assert "not a formula" in walk.expression_error.value and walk.walk is before


def test_a_python_callable_hides_the_expression_box():
    from minigrad.trace import neuron

    lab = Walkthrough(neuron, constants=("x", "t"), w=(-2, 4, 0.01, 1.0), b=(-5, 5, 0.01, 0.0), x=6.7, t=0.0)
    assert lab.expression.layout.display == "none" and list(lab.sliders) == ["w", "b"]
    assert lab.step_slider.max == 10
    lab.sliders["w"].value = 0.5
    expected_w = (1 / (1 + math.exp(-(0.5 * 6.7))) - 0) * 6.7
    assert lab.walk.grad("w") == pytest.approx(expected_w, rel=1e-4)


def test_snapshot_returns_svg(walk):
    svg = walk.snapshot(5)
    assert svg.lstrip().startswith(("<?xml", "<svg")) and highlighted_nodes(svg) == ["v2"]


def test_the_slider_the_label_the_equation_and_snapshot_number_the_steps_alike(walk):
    """One story: step k on the slider is snapshot(k), and its label counts within its pass."""
    forward = len(walk.walk.forward_steps)
    for step in range(1, len(walk.walk.steps) + 1):
        walk.step_slider.value = step
        phase, number = ("Forward", step) if step <= forward else ("Backward", step - forward)
        assert walk.phase.value.startswith(f"{phase} {number} / ")
        assert f"<b>{walk.phase.value}</b>" in walk.equation.value  # the equation's heading says the same
        drawing = walk.snapshot(step)  # the picture on screen, whatever its displayed size
        assert drawing == walk.snapshot() and drawing[drawing.index(">", drawing.index("<svg")):] in walk.graph.value
        assert f"at step {step}>" in repr(walk)
    for outside in (0, len(walk.walk.steps) + 1, 2.0):
        with pytest.raises(IndexError, match=r"numbered 1 to 7, as on its step slider"):
            walk.snapshot(outside)


def test_kernel_free_frames_are_linked_in_the_browser():
    frames = Walkthrough("x**2", x=(-3, 3, 0.1, 2.0), frames=True)
    for stack in frames._frame_stacks():  # a stack's index is the step slider's number: index 0 is never shown
        assert len(stack.children) == 4 and type(stack.children[0]).__name__ == "Box"
    assert frames.frames_drawn == frames.graph_frames.children[1:] and len(frames.frames_drawn) == 3
    assert frames.graph_frames.selected_index == frames.step_slider.value == 1
    links = [link for link in frames.links if isinstance(link, Link)]  # jslink: a link the browser runs
    graph_links = {(link.source[0], link.source[1], link.target[1]) for link in links
                   if link.target[0] is frames.graph_frames}
    assert graph_links == {(frames.step_slider, "value", "selected_index")}
    targets = {link.target[0] for link in links}
    assert {frames.graph_frames, frames.equation_frames, frames.phase_frames, frames.table_frames,
            frames.step_slider} <= targets
    assert frames.table_frames in frames.children  # the node table follows the step slider in the browser too
    tables = [child.value for child in frames.table_frames.children[1:]]
    assert len(tables) == 3 and "4" in tables[0] and tables[0] != tables[2]
    for index, table in enumerate(tables):
        frames.step_slider.value = index + 1
        assert frames.table_frames.selected_index == index + 1
        assert table == frames._table(index)  # each frame is the table the kernel shows at that step
    titles = [highlighted_nodes(child.value) for child in frames.graph_frames.children[1:]]
    assert titles == [["op0", "v1"], ["op0"], ["v0"]]
    assert [label.value for label in frames.phase_frames.children[1:]] == ["Forward 1 / 1", "Backward 1 / 2",
                                                                           "Backward 2 / 2"]
    assert "x.grad" in frames.frame(frames.equation_frames, 2).value
    frames.sliders["x"].value = 3.0  # with a kernel, moving x rebuilds the frames
    assert r"= 6" in frames.frame(frames.equation_frames, 2).value


# ------------------------------------------------------------------------------ FunctionPlot
def lines_of(svg, colour):
    """The points (px) of each polyline drawn in ``colour``."""
    return [[tuple(map(float, point.split(","))) for point in line.group(1).split()]
            for line in re.finditer(r'<polyline points="([^"]*)"[^>]*stroke="' + colour + '"', svg)]


def test_function_plot_tangent_slope_is_the_autograd_derivative():
    plot = FunctionPlot("sin(x**2)", x=(-3, 3, 0.01, 1.5), inner=True)
    assert plot.slope == pytest.approx(2 * 1.5 * math.cos(2.25), rel=1e-4)
    assert f"<b>{2 * 1.5 * math.cos(2.25):.4f}</b>" in plot.readout.value
    first_picture, still_parts = plot.drawing.value, plot.still
    plot.x_slider.value = 0.5
    assert plot.slope == pytest.approx(2 * 0.5 * math.cos(0.25), rel=1e-4) and plot.drawing.value != first_picture
    assert plot.still is still_parts  # only the tangent, point and marker were made again
    (tangent,) = lines_of(plot.svg, svg_plot.PURPLE)
    np.testing.assert_allclose([x for x, _ in tangent], plot.main.x_px([-0.5, 1.5]), atol=0.06)
    np.testing.assert_allclose([y for _, y in tangent], plot.main.y_px(
        math.sin(0.25) + plot.slope * np.array([-1.0, 1.0])), atol=0.06)  # f(x) ± 1 · slope
    marker = re.search(r'<path d="M([\d.]+) 0V[\d.]+" stroke="#7f7f7f"', plot.svg)
    assert float(marker.group(1)) == pytest.approx(float(plot.inner.x_px(0.5)), abs=0.06)
    assert [name for name, _, _ in plot.curves] == ["y", "z"]
    for name, colour, at_x in (("y", svg_plot.ORANGE, 0.25), ("z", svg_plot.BLUE, math.sin(0.25))):
        dot = re.search(rf'<circle cx="([\d.]+)" cy="([\d.]+)" r="4" fill="{colour}"/>', plot.svg)
        assert dot, f"no dot on {name} at x"  # each inner function's value at x, in its own colour
        assert float(dot.group(1)) == pytest.approx(float(plot.inner.x_px(0.5)), abs=0.06)
        assert float(dot.group(2)) == pytest.approx(float(plot.inner.y_px(at_x)), abs=0.06)
    assert plot.drawing.value.count("<svg xmlns") == 1 and plot.snapshot() == plot.svg  # one picture


def test_the_secant_closes_in_on_the_tangent_as_h_shrinks():
    plot = FunctionPlot("exp(sin(x**2))", x=(-3, 3, 0.01, 1.0), secant=True, h=(0.001, 2, 0.001, 1.0))
    gaps = []
    for _ in range(5):
        gaps.append(abs(plot.secant_slope(plot.x_slider.value, plot.h_slider.value) - plot.slope))
        plot.halve_button.click()
    assert plot.h_slider.value == pytest.approx(1 / 32, abs=1e-3)
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < gaps[0] / 4
    assert "secant with h" in plot.readout.value


def test_function_plot_needs_one_input():
    with pytest.raises(ValueError, match="one input"):
        FunctionPlot("x*y")


def test_explore_shares_the_x_slider():
    box = explore("sin(x**2)", x=(-3, 3, 0.01, 1.0))
    box.plot.x_slider.value = 2.0
    assert box.walkthrough.sliders["x"].value == 2.0 and box.walkthrough.walk.inputs["x"] == 2.0
    box.walkthrough.sliders["x"].value = -1.0
    assert box.plot.x_slider.value == -1.0 and box.plot.slope == pytest.approx(2 * -1 * math.cos(1), rel=1e-4)


# ------------------------------------------------------------------------------ NeuronLab
def hand_gradients(w, b):
    y_hat = 1 / (1 + np.exp(-(w * CGPA + b)))
    return np.mean((y_hat - PLACED) * CGPA), np.mean(y_hat - PLACED)


def test_neuron_lab_gradient_matches_the_hand_formulas():
    lab = NeuronLab(w=0.5, b=-3.0)
    grad_w, grad_b = hand_gradients(0.5, -3.0)
    assert lab.grad == pytest.approx((grad_w, grad_b), rel=1e-4)
    assert f"∂L/∂w = <b>{grad_w:.4f}</b>" in lab.readout.value
    assert f"mean((ŷ − y)·x) = {grad_w:.4f}" in lab.readout.value
    assert lab.samples.value.count("<tr") == 7  # header, five samples, the mean
    lab.w_slider.value = 1.0
    assert lab.grad == pytest.approx(hand_gradients(1.0, -3.0), rel=1e-4)


def test_training_lowers_the_loss_and_grows_the_path():
    lab = NeuronLab(w=0.0, b=0.0, lr=0.1, epochs=40)
    start_loss = lab.loss
    lab.train_button.click()
    assert len(lab.losses) == 40 and lab.path_points == 41 and lab.progress.value == 40
    assert lab.losses[-1] < lab.losses[0] and lab.loss < start_loss
    assert "done: 40 epochs" in lab.stage.value
    lab.step_button.click()
    assert lab.path_points == 42 and lab.progress.value == 1 and "path: 42 points" in lab.stage.value
    assert lab.w_slider.value == pytest.approx(lab.path[-1][0], abs=0.01)
    lab.w_slider.value = 2.5  # a hand-picked point: training from it starts a new piece of the path
    lab.step_button.click()
    assert lab.path_points == 44 and np.isnan(lab.path[-3][0]) and lab.path[-2][0] == 2.5
    lab.reset_button.click()
    assert (lab.w, lab.b) == (0.0, 0.0) and lab.path == [(0.0, 0.0)] and lab.losses == []


def test_each_training_step_names_its_four_stages(monkeypatch):
    lab = NeuronLab()
    seen = []
    original = lab._stage
    monkeypatch.setattr(lab, "_stage", lambda index: (seen.append(index), original(index)))
    lab.train(2)
    assert seen == [0, 1, 2, 3, 0, 1, 2, 3]


def test_the_learning_rate_changes_the_training():
    slow, fast = NeuronLab(lr=0.01, epochs=20), NeuronLab(lr=0.3, epochs=20)
    slow.train_button.click()
    fast.train_button.click()
    assert fast.loss < slow.loss


# ------------------------------------------------------------------------------ GradientLab
def grad_shown(lab):
    return re.search(r"x.grad = ([^<]+)</b>", lab.grad_label.value).group(1)


def test_gradient_lab_accumulates_and_zeroes():
    lab = GradientLab()
    readings = []
    for _ in range(3):
        lab.backward_button.click()
        readings.append(grad_shown(lab))
    assert readings == ["4", "8", "12"]
    lab.zero_button.click()
    assert grad_shown(lab) == "0"
    assert "&gt;&gt;&gt; x.grad.zero_()" in lab.history.value and "PowBackward0" in lab.graph.value


@pytest.mark.parametrize("toggle", ["no_grad_toggle", "detach_toggle", "requires_grad_toggle"])
def test_the_three_ways_to_stop_tracking_raise_pytorchs_error(toggle):
    lab = GradientLab()
    lab.backward_button.click()
    getattr(lab, toggle).value = True
    lab.backward_button.click()
    assert "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn" in lab.message.value
    assert grad_shown(lab) == "4" and "No graph" in lab.graph.value
    getattr(lab, toggle).value = False
    lab.backward_button.click()
    assert grad_shown(lab) == "8" and lab.message.value == ""


def test_retain_graph_decides_whether_a_second_backward_works():
    lab = GradientLab()
    lab.backward_button.click()
    lab.again_button.click()
    assert "Trying to backward through the graph a second time" in lab.message.value and grad_shown(lab) == "4"
    lab.retain_box.value = True
    lab.backward_button.click()
    lab.again_button.click()
    assert grad_shown(lab) == "12" and "retain_graph=True" in lab.history.value


def test_zeroing_before_any_backward_says_why():
    lab = GradientLab()
    lab.zero_button.click()
    assert "nothing to zero yet" in lab.message.value and grad_shown(lab) == "None"


# ------------------------------------------------------------------------------ GradientLab: every state
SWITCHES = ("no_grad_toggle", "detach_toggle", "requires_grad_toggle")
ACTIONS = ("backward", "again", "zero")


def torch_outcomes(torch, switches, retain, actions):
    """The same presses in real PyTorch: after each, the error's first sentence or x.grad."""
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2  # the lab builds y once when it opens
    if "requires_grad_toggle" in switches:
        x.requires_grad_(False)
    outcomes = []
    for action in actions:
        try:
            if action == "zero":
                if x.grad is None:
                    outcomes.append("nothing to zero")
                    continue
                x.grad.zero_()
            else:
                if action == "backward":
                    if "no_grad_toggle" in switches:
                        with torch.no_grad():
                            y = x**2
                    elif "detach_toggle" in switches:
                        y = x.detach() ** 2
                    else:
                        y = x**2
                y.backward(retain_graph=retain or None)
            outcomes.append(f"x.grad = {x.grad.item():g}" if x.grad is not None else "x.grad = None")
        except RuntimeError as error:
            outcomes.append("RuntimeError: " + str(error).split(".")[0])
    return outcomes


def lab_outcome(lab):
    code, result, error = lab.lines[-1]
    if "nothing to zero" in result:
        return "nothing to zero"
    if error:
        return result.split(".")[0]
    grad = result.split("= ")[1]
    return f"x.grad = {grad}" if grad == "None" else f"x.grad = {float(grad):g}"


def check_words(lab):
    """What the lab says must be true of the state it is in."""
    words = re.sub(r"<[^>]+>", "", lab.message.value)
    on = lab.switches_on()
    if "Turn it off" in words or "Turn them off" in words:
        named = re.findall(r"“([^”]+)”", words)
        assert named and any(name in on for name in named), (words, on)
    if "The switches are off now" in words:
        assert on == [], (words, on)
    if "Tick retain_graph=True" in words:
        assert not lab.retain_box.value, words
    if "ran without retain_graph=True" in words:
        assert lab.retain_box.value, words
    requires_grad = not lab.requires_grad_toggle.value
    assert f"x.requires_grad = {requires_grad}" in lab.grad_label.value
    grad = "None" if lab.x.grad is None else format_number(lab.x.grad.item())
    assert f"x.grad = {grad}</b>" in lab.grad_label.value


@pytest.mark.parametrize("switches", [tuple(s for s, on in zip(SWITCHES, bits) if on)
                                      for bits in np.ndindex(2, 2, 2)], ids=lambda s: "+".join(s) or "none")
@pytest.mark.parametrize("retain", [False, True])
def test_gradient_lab_words_are_true_in_every_state(torch, monkeypatch, switches, retain):
    from minigrad.widgets import gradient_lab

    monkeypatch.setattr(gradient_lab.viz, "draw", lambda *args, **kwargs: None)  # the words are tested here,
    monkeypatch.setattr(gradient_lab.viz, "to_svg", lambda graph: "<svg></svg>")  # not the drawing
    for actions in [(a, b, c) for a in ACTIONS for b in ACTIONS for c in ACTIONS]:
        lab = GradientLab()
        for switch in switches:
            getattr(lab, switch).value = True
        lab.retain_box.value = retain
        seen = []
        for action in actions:
            {"backward": lab.backward_button, "again": lab.again_button, "zero": lab.zero_button}[action].click()
            seen.append(lab_outcome(lab))
            check_words(lab)
        assert seen == torch_outcomes(torch, switches, retain, actions), actions


def test_gradient_lab_says_the_switches_are_off_when_they_are():
    """The case a student met: y built inside no_grad(), the switch turned off, then backward() again."""
    lab = GradientLab()
    lab.no_grad_toggle.value = True
    lab.backward_button.click()
    lab.no_grad_toggle.value = False
    lab.again_button.click()
    words = re.sub(r"<[^>]+>", "", lab.message.value)
    assert "Turn it off" not in words and "The switches are off now: press backward()" in words
    lab.backward_button.click()
    assert lab.message.value == "" and grad_shown(lab) == "4"


# ------------------------------------------------------------------------------ NeuronLab in a kernel's event loop
def run_in_own_event_loop(coroutine_function):
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright keeps an event loop running in
    this one when the whole suite runs in one session, and asyncio.run refuses to start inside it."""
    import asyncio
    import threading

    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine_function())
        except BaseException as error:  # noqa: BLE001 - handed back to the test's thread below
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_training_in_an_event_loop_is_throttled_and_ends_in_one_state():
    import time

    lab = NeuronLab(epochs=3000)

    async def train():
        lab.train_button.click()  # in a kernel this starts a task on its loop
        assert lab.training and lab.train_button.description == "Stop" and lab.step_button.disabled
        start = time.monotonic()
        await lab._task
        return time.monotonic() - start

    seconds = run_in_own_event_loop(train)
    assert len(lab.losses) == 3000 and lab.progress.value == 3000 and "done: 3000 epochs" in lab.stage.value
    assert lab.updates_sent <= NeuronLab.UPDATES_PER_SECOND * seconds + 2
    assert lab.train_button.description == "Train N epochs" and not lab.step_button.disabled
    assert lab.path[-1] == (lab.w, lab.b)  # one source of truth: the path ends where the readout is computed
    assert lab.w_slider.value == pytest.approx(lab.w, abs=0.005)
    assert lab.b_slider.value == pytest.approx(lab.b, abs=0.005)
    assert f"at w = <b>{format_number(lab.w)}</b>" in lab.readout.value
    assert lab.loss == pytest.approx(lab.losses[-1], abs=2e-3)  # the readout's L is one step past the last loss


def test_stop_ends_training_between_two_slices():
    import asyncio

    lab = NeuronLab(epochs=5000)

    async def train_then_stop():
        lab.train_button.click()
        await asyncio.sleep(0.15)  # a few slices
        lab.train_button.click()  # Stop
        await lab._task

    run_in_own_event_loop(train_then_stop)
    done = len(lab.losses)
    assert 0 < done < 5000 and lab.progress.value == done
    assert f"stopped after {done} of 5000 epochs" in lab.stage.value and not lab.training
    assert lab.path[-1] == (lab.w, lab.b)


def test_a_failure_while_training_is_said_and_the_lab_stays_usable(monkeypatch):
    lab = NeuronLab(epochs=50)
    calls = []

    def failing_epoch(*args):
        calls.append(1)
        if len(calls) == 10:
            raise FloatingPointError("boom")
        return NeuronLab._epoch(lab, *args)

    monkeypatch.setattr(lab, "_epoch", failing_epoch)
    lab.train_button.click()
    assert "a number could not be computed" in lab.message.value and len(lab.losses) == 9
    assert not lab.training and not lab.step_button.disabled and lab.path[-1] == (lab.w, lab.b)
    monkeypatch.undo()
    lab.step_button.click()
    assert lab.message.value == "" and len(lab.losses) == 10


# ------------------------------------------------------------------------------ plots read from the back of the room
def plot_texts(svg):
    """[(kind, font px, words)] of every text in a plot: kind "tick" (a tick's number), "legend" or "label"
    (axis labels and titles). Sizes in CSS px at the picture's natural size: its viewBox is its size."""
    found = []

    def visit(element, kind, size):
        kind = {"ticks": "tick", "legend": "legend"}.get(element.get("class"), kind)
        size = float(element.get("font-size", size))
        if element.tag.endswith("text"):
            found.append((kind, size, element.text))
        for child in element:
            visit(child, kind, size)

    visit(ElementTree.fromstring(svg), "label", math.nan)
    return found


@pytest.mark.parametrize("make", [lambda: NeuronLab(), lambda: FunctionPlot("x**2", x=(-3, 3, 0.01, 2.0)),
                                  lambda: FunctionPlot("sin(x**2)", x=(-3, 3, 0.01, 1.0), inner=True, secant=True)])
def test_plot_text_is_readable_at_the_size_the_plot_is_shown(make):
    widget = make()
    svg = ElementTree.fromstring(widget.svg)
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"  # 1 unit = 1 CSS px
    assert width <= 800 and height > 0  # at most a column, so never shrunk to fit one
    assert "max-width:none" in svg.get("style")  # nor by the page's CSS
    texts = plot_texts(widget.svg)
    px = {kind: min(size for k, size, _ in texts if k == kind) for kind in ("tick", "label", "legend")}
    assert px["tick"] >= 12, px
    assert px["label"] >= 14 and px["legend"] >= 14, px
    assert all(words and words.strip() for _, _, words in texts)


def test_plot_numbers_are_short_and_ticks_are_round():
    plot = FunctionPlot("x**2", x=(-3, 3, 0.01, 2.0))
    numbers = re.findall(r"\d+\.\d+", plot.svg)
    assert numbers and all(len(n.split(".")[1]) == 1 for n in numbers)  # a tenth of a px at most
    ticks = [words for kind, _, words in plot_texts(plot.svg) if kind == "tick"]
    assert ticks[:7] == ["−3", "−2", "−1", "0", "1", "2", "3"]
    assert svg_plot.nice_ticks(-0.9, 9.9, 6) == [0, 2, 4, 6, 8]
    assert svg_plot.nice_ticks(-20, 6, 5) == [-20, -10, 0]
    for low, high, at_most in [(0, 0.77, 5), (-3, 3, 8), (0.001, 0.0042, 4), (-1e6, 3e6, 6)]:
        ticks = svg_plot.nice_ticks(low, high, at_most)
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert 3 <= len(ticks) <= at_most and low <= ticks[0] and ticks[-1] <= high
        assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-9, (low, high, step)
    # a narrow panel still gets three numbers (two gaps to read a scale by): NeuronLab's w axis had one, "0"
    assert svg_plot.nice_ticks(-2, 4, 3) == [-2, 0, 2, 4] and svg_plot.nice_ticks(4, 10, 3) == [4, 6, 8, 10]
    lab_ticks = [words for kind, _, words in plot_texts(NeuronLab().svg) if kind == "tick"]
    assert {"−2", "0", "2", "4"} <= set(lab_ticks)


def test_a_curve_breaks_at_nan_and_infinity():
    panel = svg_plot.Panel(0, 0, 100, 100, (0, 4), (0, 4))
    svg = panel.line([0, 1, 2, 3, 4], [1, 2, math.nan, 2, math.inf], "#123456")
    assert svg.count("<polyline") == 1  # 0–1, then a single point (3, 2) alone is no line
    svg = panel.line([0, 1, 2, 3, 4, 5], [1, 2, math.inf, 2, 3, 1e300], "#123456")
    assert svg.count("<polyline") == 2 and "e+" not in svg and "inf" not in svg and "nan" not in svg


def test_contour_lines_follow_the_level():
    """Marching squares on x² + y²: every point of the level-1 line is on the unit circle, one closed line."""
    xs = ys = np.linspace(-2, 2, 41)
    field = xs[None, :] ** 2 + ys[:, None] ** 2
    segments = svg_plot.contour_segments(xs, ys, field, 1.0)
    points = np.array([p for segment in segments for p in segment])
    assert len(segments) > 30 and np.allclose(np.hypot(points[:, 0], points[:, 1]), 1.0, atol=0.01)
    panel = svg_plot.Panel(0, 0, 400, 400, (-2, 2), (-2, 2))
    drawn = panel.contours(xs, ys, field, [0.5, 1.0, 2.0])
    assert drawn.count("<polyline") == 3  # each level's pieces joined into one line
    colours = re.findall(r'stroke="(#[0-9a-f]{6})"', drawn)
    assert colours == [svg_plot.viridis(0), svg_plot.viridis(0.5), svg_plot.viridis(1)] and colours[0] == "#440154"


def test_the_legend_is_clear_of_the_curves_it_names():
    """The y range leaves room at the top for the legend box: x² is high at both upper corners."""
    plot = FunctionPlot("x**2", x=(-3, 3, 0.01, 2.0))
    box = re.search(r'<g class="legend"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"',
                    plot.svg)
    left, top, width, height = map(float, box.groups())
    main = plot.main
    under = (plot.grid >= float(main.xlim[0]) + (left - main.left) / main.width * np.ptp(main.xlim)) & (
        plot.grid <= float(main.xlim[0]) + (left + width - main.left) / main.width * np.ptp(main.xlim))
    highest_px = main.top + float(main.y_px(np.max(plot.grid[under] ** 2)))
    assert under.any() and top + height < highest_px  # the box ends above the curve under it
    assert main.ylim[1] > 9  # made room above the curve's highest point


@pytest.mark.parametrize("language", ["english", "hinglish"])
def test_the_loss_surface_has_a_colour_key_from_low_to_high_loss(language):
    """The key under the loss surface reads "low loss ▮▮▮ high loss": its bar's colours, left to right, are the
    contour lines' colours ordered by the loss along each line (computed here from the lines' own points), and
    every legend box lies inside the picture in both languages (the key is a third row)."""
    from minigrad.teaching import i18n

    i18n.set_language(language)
    try:
        lab = NeuronLab()
        svg, low, high = lab.svg, i18n.gettext("low loss"), i18n.gettext("high loss")
    finally:
        i18n.set_language("english")  # (the lab redraws itself in English)
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    surface = lab.surface_panel
    loss_of_colour = {}  # the mean BCE along each colour's lines, at the points drawn
    for area in root.iter(f"{ns}svg"):
        if area.get("x") != svg_plot.num(surface.left):
            continue
        for line in area.iter(f"{ns}polyline"):
            if float(line.get("stroke-width")) != 1:  # the contour lines (the path is 1.5)
                continue
            px = np.array([tuple(map(float, point.split(","))) for point in line.get("points").split()])
            w = surface.xlim[0] + px[:, 0] / surface.width * np.ptp(surface.xlim)
            b = surface.ylim[1] - px[:, 1] / surface.height * np.ptp(surface.ylim)
            p = np.clip(1 / (1 + np.exp(-(w[:, None] * CGPA + b[:, None]))), 1e-12, 1 - 1e-12)
            loss = -np.mean(PLACED * np.log(p) + (1 - PLACED) * np.log(1 - p), axis=1)
            loss_of_colour.setdefault(line.get("stroke"), []).extend(loss)
    by_loss = sorted(loss_of_colour, key=lambda colour: np.mean(loss_of_colour[colour]))
    assert len(by_loss) >= 10
    (key,) = [g for g in root.iter(f"{ns}g") if g.get("class") == "legend" and any(
        t.text == low for t in g.iter(f"{ns}text"))]
    bar = [r for r in key.iter(f"{ns}rect") if r.get("stroke") is None]
    assert [r.get("fill") for r in bar] == by_loss  # dark at low loss, yellow at high
    words = {t.text: float(t.get("x")) for t in key.iter(f"{ns}text")}
    bar_left, bar_right = float(bar[0].get("x")), float(bar[-1].get("x")) + float(bar[-1].get("width"))
    assert words[low] < bar_left and words[high] > bar_right  # "low" left of the bar, "high" right of it
    assert [t.get("text-anchor") for t in key.iter(f"{ns}text") if t.text in (low, high)] == ["end", "start"]
    for box in root.iter(f"{ns}rect"):
        if box.get("stroke") == "#ccc":  # a legend's box
            assert float(box.get("y")) + float(box.get("height")) <= float(root.get("height")), language


def test_neuron_lab_redraws_its_still_parts_only_for_new_loss_limits():
    lab = NeuronLab()
    still = lab.still
    hint = ">the loss appears here<"  # the empty loss panel says how it fills, until the first loss
    assert hint in lab.svg
    lab.w_slider.value = 1.0
    assert lab.still is still  # a slider move makes only the curve, the point, the arrow and the path again
    lab.train(30)
    assert hint not in lab.svg
    assert lab.still is not still and lab.loss_panel.xlim == (0, 30)  # the loss axis grew with the epochs
    assert lab.loss_panel.ylim[1] == pytest.approx(max(lab.losses) * 1.1)
    (loss_line,) = lines_of(lab.svg, svg_plot.PURPLE)
    assert len(loss_line) == 30
    assert lab.reset_button.description == "⟲ Reset" and not lab.reset_button.icon
    lab.reset()
    assert hint in lab.svg and lab.losses == []


# ------------------------------------------------------------------------------ a vector start value
@pytest.mark.parametrize("start", [[1.0, 2.0, 3.0], np.array([1.0, 2.0, 3.0]), "tensor"])
def test_a_vector_start_value_is_walked_as_one_vector_node(start):
    """The lecture's x = [1, 2, 3] and its mean: a list (or an array, or a tensor) is a vector, never a
    slider's (min, max, step); the drawing, the table and the step's equation show x = [1, 2, 3]."""
    import minigrad

    start = minigrad.tensor([1.0, 2.0, 3.0]) if isinstance(start, str) else start
    widget = Walkthrough(lambda x: (x ** 2).mean(), x=start)
    assert widget.sliders == {}  # no slider for a vector
    (shown,) = widget.sliders_box.children
    assert "x</b> = [1.000, 2.000, 3.000]" in shown.value
    np.testing.assert_allclose(widget.walk.value("x").data, [1, 2, 3])
    assert format_number(widget.walk.output.data) == "4.6667"
    np.testing.assert_allclose(widget.walk.grad("x"), [2 / 3, 4 / 3, 2], rtol=1e-6)
    last = len(widget.walk.steps)
    widget.step_slider.value = last
    assert "[0.667, 1.333, 2.000]" in widget.table.value  # x.grad, every value
    svg = widget.snapshot(last)
    assert "value [1.000, 2.000, 3.000]" in svg and "grad [0.667, 1.333, 2.000]" in svg  # 3 values: all drawn
    assert r"\left[0.667, 1.333, 2.000\right]" in widget.equation.value


def test_a_tuple_stays_a_slider_spec_and_a_vector_sits_beside_sliders():
    widget = Walkthrough("mean(x ** 2) * a", x=[1.0, 2.0, 3.0], a=(0.0, 3.0, 0.1, 2.0))
    assert list(widget.sliders) == ["a"] and widget.sliders["a"].value == 2.0
    assert format_number(widget.walk.output.data) == "9.3333"
    widget.sliders["a"].value = 1.0
    assert format_number(widget.walk.output.data) == "4.6667"
    widget.expression.value = "sum(x * a)"  # a new expression keeps the vector
    assert format_number(widget.walk.output.data) == "6" and widget.expression_error.value == ""


def test_explore_in_guess_mode():
    box = explore("sin(x**2)", x=(-3, 3, 0.01, 1.5), guess=True)
    assert box.walkthrough.guessing and box.walkthrough.guess("2.25").kind == "right"
    assert explore("mean(x**2)", x=[1.0, 2.0, 3.0], guess=True).walkthrough.guess("1, 4, 9").kind == "right"


def test_explore_and_the_magic_take_a_vector():
    box = explore("mean(x ** 2)", x=[1.0, 2.0, 3.0])
    assert box.plot is None and box.walkthrough.sliders == {}
    np.testing.assert_allclose(box.walkthrough.walk.grad("x"), [2 / 3, 4 / 3, 2], rtol=1e-6)
    cell = Walkthrough.from_code("import torch\nx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
                                 "y = (x ** 2).mean()\n")
    assert cell.sliders == {}
    np.testing.assert_allclose(cell.walk.grad("x"), [2 / 3, 4 / 3, 2], rtol=1e-6)


# ------------------------------------------------------------------------------ red means a gradient flowing back
def _is_red(colour):
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)) if len(colour) == 7 else (
        int(c * 2, 16) / 255 for c in colour[1:4])
    return r > 0.6 and g < 0.35 and b < 0.35


def colours_of(svg):
    return set(re.findall(r'(?:stroke|fill)="(#[0-9a-fA-F]{3,6})"', svg))


def legend_labels(svg):
    legend = re.search(r'<g class="legend">(.*?)</g>', svg).group(1)
    return re.findall(r"<text [^>]*>([^<]*)</text>", legend)


@pytest.mark.parametrize("secant", [False, True])
def test_the_plots_use_no_red_and_their_legends_list_only_what_is_drawn(secant):
    """Red means one thing in the course, a gradient flowing back (01's tangent was red); a legend lists
    only what is on the screen."""
    assert _is_red("#d62728") and not _is_red(svg_plot.ORANGE)  # matplotlib's red would be caught
    plot = FunctionPlot("x**2", x=(-3, 3, 0.01, 2.0), secant=secant)
    assert colours_of(plot.svg) and not [c for c in colours_of(plot.svg) if _is_red(c)]
    labels = legend_labels(plot.svg)
    assert labels[:2] == ["f(x) = x**2", "tangent: slope from backward()"]
    assert ("secant through x and x + h" in labels) == secant
    drawn = {colour for colour in (svg_plot.BLUE, svg_plot.PURPLE, svg_plot.GREEN) if lines_of(plot.svg, colour)}
    assert len(drawn) == len(labels)  # a line of each listed colour, and no other
    assert bool(lines_of(plot.svg, svg_plot.GREEN)) == secant
    lab = NeuronLab()
    lab.train(5)
    assert {svg_plot.GREEN, svg_plot.DIM_GREY, svg_plot.BLACK, svg_plot.ORANGE} <= colours_of(lab.svg)
    assert not [c for c in colours_of(lab.svg) if _is_red(c)]


def _rgb(colour):
    """test_viz's rgb, for svg_plot's short #rgb colours too (black is #000)."""
    return rgb("#" + "".join(c * 2 for c in colour[1:]).lower() if len(colour) == 4 else colour.lower())


def test_every_word_in_a_plot_reads_on_white_at_4_5_to_1():
    """WCAG AA for text, as the browser test measures it: the empty loss panel's hint too (it was 4.0:1)."""
    for widget in (FunctionPlot("sin(x**2)", inner=True, secant=True), NeuronLab()):
        fills = set(re.findall(r'<text[^>]* fill="(#[0-9a-fA-F]{3,6})"', widget.svg))
        assert fills, type(widget).__name__
        assert min(contrast(_rgb(fill), rgb("white")) for fill in fills) >= 4.5, (type(widget).__name__, fills)
