"""``%%walkthrough`` and ``Walkthrough.from_code`` on the lecture's own cells, against real PyTorch.

Each cell runs in a real IPython shell with the extension loaded (``%load_ext minigrad``);
the same code, unchanged, runs with real PyTorch 2.13 in the test, and the walkthrough's
values and gradients must be PyTorch's.
"""

import subprocess
import sys

import numpy as np
import pytest
import torch as real_torch
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import minigrad
from benchmarks.widgets import NEURON_CELL
from minigrad import viz
from minigrad.teaching.notation import format_number
from minigrad.teaching.widgets.from_code import NO_TENSOR_REQUIRES_GRAD, NOTHING_RECORDED
from minigrad.widgets import Walkthrough

SQUARE = """\
import torch

x = torch.tensor(3.0, requires_grad=True)
y = x ** 2
y.backward()
print(x.grad)
"""

SIN_SQUARE = """\
import torch

x = torch.tensor(4.0, requires_grad=True)
y = x ** 2
z = torch.sin(y)
z.backward()
print(x.grad)
"""

NEURON = NEURON_CELL  # the lecture's neuron, BCE written by hand

MEAN_OF_SQUARES = """\
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
y = (x ** 2).mean()
y.backward()
print(x.grad)
"""

UNDER_NO_GRAD = """\
import torch

x = torch.tensor(2.0, requires_grad=True)
with torch.no_grad():
    y = x ** 2
print(y.requires_grad)
"""

DETACHED = """\
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x.detach() ** 2
"""

NOTHING_REQUIRES_GRAD = """\
import torch

x = torch.tensor(3.0)
y = x ** 2
"""

MODULE = """\
import torch
from torch import nn

torch.manual_seed(0)
x = torch.tensor([[6.7]])
y = torch.tensor([[0.0]])
model = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
with torch.no_grad():
    model[0].weight.fill_(1.0)
    model[0].bias.fill_(0.0)
loss_fn = nn.BCELoss()
loss = loss_fn(model(x), y)
"""

WRONG = """\
import torch

x = torch.tensor(3.0, requires_grad=True)
y = x ** 2
z = y / undefined_name
"""

@pytest.fixture(scope="module")
def ipython():
    shell = start_ipython() or get_ipython()  # (one shell per process: test_pictures_agree may have started it)
    if not hasattr(shell, "minigrad_fresh_namespace"):
        shell.minigrad_fresh_namespace = dict(shell.user_ns)
    shell.run_line_magic("load_ext", "minigrad")
    shell.fresh_namespace = shell.minigrad_fresh_namespace
    return shell


@pytest.fixture
def shell(ipython, monkeypatch):
    """The shell with a fresh user namespace; widgets the magic displays are collected in ``shell.shown``."""
    ipython.user_ns.clear()  # (not shell.reset(): its garbage collection takes a second with torch loaded)
    ipython.user_ns.update(ipython.fresh_namespace)
    ipython.shown = []
    monkeypatch.setattr("minigrad.teaching.magic.display", ipython.shown.append)
    return ipython


def walk_cell(shell, code, line=""):
    """Run ``%%walkthrough`` over the code; returns the widget it displayed."""
    result = shell.run_cell(f"%%walkthrough {line}\n{code}")
    assert result.success, result.error_in_exec
    assert len(shell.shown) == 1, "the magic displayed no widget"
    return shell.shown[-1]


def run_with_pytorch(code, target):
    """The same code with real PyTorch; backward() on the target if the cell did not call it."""
    namespace = {}
    exec(code, namespace)
    assert namespace["torch"] is real_torch
    if namespace[target].grad_fn is not None and not any(
            isinstance(v, real_torch.Tensor) and v.is_leaf and v.grad is not None for v in namespace.values()):
        namespace[target].backward()
    return namespace


def same_as_pytorch(ours, theirs):
    """The same float32 numbers as PyTorch's, bit for bit (DESIGN §9), so the same digits on screen."""
    theirs = theirs.detach().numpy()
    ours = np.asarray(ours)
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    assert [shown(v) for v in ours.ravel()] == [shown(v) for v in theirs.ravel()]


def shown(number):
    return format_number(np.float32(number))


def last_table(widget):
    widget.step_slider.value = widget.step_slider.max
    return widget.table.value


def row(table, name):
    """The table's cells for one node, as text."""
    import re

    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    for cells in (re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows):
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row {name!r} in the table")


# ------------------------------------------------------------------------------ the lecture's cells
def test_y_equals_x_squared_at_3(shell, capsys):
    widget = walk_cell(shell, SQUARE)
    walk = widget.walk
    assert [v.name for v in walk.graph.values] == ["x", "y"]
    assert [s.title for s in walk.steps] == ["y = x²", "PowBackward0", "x.grad"]
    assert capsys.readouterr().out.count("tensor(6.)") == 1  # the cell's own print, once
    reference = run_with_pytorch(SQUARE, "y")
    assert walk.grad("x") == reference["x"].grad.item() == 6.0
    assert shell.user_ns["x"].grad.item() == 6.0  # the walkthrough's own backward did not add to it
    assert list(widget.sliders) == ["x"] and widget.sliders["x"].value == 3.0


def test_sin_of_x_squared_at_4(shell):
    walk = walk_cell(shell, SIN_SQUARE).walk
    assert [s.title for s in walk.steps] == ["y = x²", "z = sin(y)", "SinBackward0", "PowBackward0", "x.grad"]
    reference = run_with_pytorch(SIN_SQUARE, "z")
    same_as_pytorch(walk.grad("x"), reference["x"].grad)
    assert shown(walk.grad("x")) == "-7.6613"
    same_as_pytorch(walk.value("z").data, reference["z"])


def test_the_neuron_with_the_hand_written_clamped_bce(shell):
    widget = walk_cell(shell, NEURON, "loss")
    walk = widget.walk
    names = [v.name for v in walk.graph.values]
    assert {"x", "y", "w", "b", "z", "y_pred", "loss"} <= set(names)
    assert not {"prediction", "target", "epsilon"} & set(names)  # the helper's locals get automatic names
    assert walk.output.name == "loss"
    titles = [s.title for s in walk.steps]
    assert titles[:3] == ["u = w × x", "z = u + b", "y_pred = σ(z)"]
    assert "ClampBackward1" in titles and "SigmoidBackward0" in titles
    assert titles[-2:] == ["MulBackward0", "w.grad"] and "b.grad" in titles
    reference = run_with_pytorch(NEURON, "loss")
    for name in ("w", "b"):
        same_as_pytorch(walk.grad(name), reference[name].grad)
    for name in ("z", "y_pred", "loss"):
        same_as_pytorch(walk.value(name).data, reference[name])
    table = last_table(widget)
    assert row(table, "w")[3] == "6.6918" == shown(reference["w"].grad.item())
    assert row(table, "b")[3] == "0.9988" == shown(reference["b"].grad.item())
    assert list(widget.sliders) == ["w", "b", "x", "y"]  # those that require grad first
    assert [widget.sliders[n].value for n in ("w", "b", "x", "y")] == [1.0, 0.0, 6.7, 0.0]
    assert widget.sliders["x"].min < 6.7 < widget.sliders["x"].max


def test_the_mean_of_squares(shell, capsys):
    widget = walk_cell(shell, MEAN_OF_SQUARES)
    walk = widget.walk
    assert [s.title for s in walk.steps] == ["z = x²", "y = mean(z)", "MeanBackward0", "PowBackward0", "x.grad"]
    assert "tensor([0.6667, 1.3333, 2.0000])" in capsys.readouterr().out
    reference = run_with_pytorch(MEAN_OF_SQUARES, "y")
    np.testing.assert_array_equal(walk.grad("x"), reference["x"].grad.numpy())
    assert widget.sliders == {}  # a vector is not a number to slide


def test_moving_w_to_half_reruns_the_cell_as_pytorch_runs_it(shell):
    widget = walk_cell(shell, NEURON)
    steps = [s.title for s in widget.walk.steps]
    widget.step_slider.value = 5
    widget.sliders["w"].value = 0.5
    walk = widget.walk
    reference = run_with_pytorch(NEURON.replace("tensor(1.0, requires_grad", "tensor(0.5, requires_grad"), "loss")
    assert walk.value("w").data == np.float32(0.5)
    for name in ("z", "y_pred", "loss"):
        same_as_pytorch(walk.value(name).data, reference[name])
    for name in ("w", "b"):
        same_as_pytorch(walk.grad(name), reference[name].grad)
    assert [s.title for s in walk.steps] == steps and widget.step == 5  # same structure, same step
    assert f"value {shown(reference['z'].item())}" in widget.graph.value  # the drawing shows the new numbers
    assert shell.user_ns["w"].item() == 1.0  # a slider leaves the notebook's variables alone


def test_moving_x_and_y_substitutes_them_at_their_own_creation(shell):
    widget = walk_cell(shell, NEURON)
    widget.sliders["x"].value = 2.0
    widget.sliders["y"].value = 1.0
    code = NEURON.replace("tensor(6.7)", "tensor(2.0)").replace("y = torch.tensor(0.0)", "y = torch.tensor(1.0)")
    reference = run_with_pytorch(code, "loss")
    same_as_pytorch(widget.walk.grad("w"), reference["w"].grad)
    same_as_pytorch(widget.walk.value("loss").data, reference["loss"])


# ------------------------------------------------------------------------------ names, target, drawings
def test_the_target_is_the_last_scalar_with_a_grad_fn_unless_named(shell):
    code = SIN_SQUARE.replace("z.backward()\n", "t = x * 3\n")
    assert walk_cell(shell, code).walk.output.name == "t"
    shell.shown.clear()
    walk = walk_cell(shell, code, "y").walk
    assert walk.output.name == "y" and [s.title for s in walk.steps] == ["y = x²", "PowBackward0", "x.grad"]


def test_names_stay_on_the_tensors_for_a_later_drawing_and_latex_keeps_the_students_name(shell):
    walk = walk_cell(shell, NEURON).walk
    source = viz.draw(shell.user_ns["loss"]).source
    for name in ("w | value", "b | value", "loss"):
        assert name in source
    assert r"y_{\mathrm{pred}}" in walk.steps[2].latex and "y_pred" not in walk.steps[2].latex


def test_an_nn_module_cell_names_its_parameters_by_module_path(shell):
    widget = walk_cell(shell, MODULE)
    walk = widget.walk
    names = [v.name for v in walk.graph.values]
    assert {"0.weight", "0.bias", "x", "y", "loss"} <= set(names)
    assert walk.output.name == "loss"
    assert [s.title for s in walk.steps] == [
        "z = 0.weightᵀ", "u = x @ z + 0.bias", "v = σ(u)", "loss = BCE(v, y)", "BinaryCrossEntropyBackward0",
        "SigmoidBackward0", "AddmmBackward0", "0.bias.grad", "TBackward0", "0.weight.grad"]
    assert widget.sliders == {}  # x and y are batches, the parameters come from nn.Linear
    reference = run_with_pytorch(MODULE, "loss")
    model = reference["model"]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    same_as_pytorch(walk.grad("0.weight"), model[0].weight.grad)
    same_as_pytorch(walk.grad("0.bias"), model[0].bias.grad)
    assert format_number(walk.grad("0.weight").item()) == "6.6918"
    assert "0.weight" in viz.draw(shell.user_ns["loss"]).source


# ------------------------------------------------------------------------------ import torch, namespace
def test_import_torch_is_minigrad_inside_only_and_everything_is_put_back(shell):
    shell.run_cell("import torch\nimport torch.nn\nkept = 41\nx = 'the old x'")
    assert shell.user_ns["torch"] is real_torch
    modules = dict(sys.modules)
    before = dict(shell.user_ns)
    walk_cell(shell, NEURON + "import torch.nn.functional as F\nfrom torch import optim\n")
    assert dict(sys.modules).keys() >= modules.keys()
    assert all(sys.modules[name] is module for name, module in modules.items())
    assert not [name for name in sys.modules if name.startswith("torch") and name not in modules]
    assert shell.user_ns["torch"] is real_torch and "F" not in shell.user_ns and "optim" not in shell.user_ns
    assigned = {"x", "y", "w", "b", "binary_cross_entropy_loss", "z", "y_pred", "loss"}
    assert set(shell.user_ns) - set(before) == assigned - set(before)
    assert all(shell.user_ns[name] is value for name, value in before.items() if name not in assigned)
    assert isinstance(shell.user_ns["x"], minigrad.Tensor) and shell.user_ns["kept"] == 41


def test_a_cell_that_uses_the_notebooks_real_torch_without_importing_it_gets_minigrad_too(shell):
    shell.run_cell("import torch")
    walk = walk_cell(shell, SQUARE.replace("import torch\n", "")).walk
    assert walk.grad("x") == 6.0 and shell.user_ns["torch"] is real_torch


def test_without_pytorch_imported_before_none_is_left_afterwards():
    script = "\n".join([
        "import sys",
        "from IPython.testing.globalipapp import start_ipython",
        "shell = start_ipython()",
        "shell.run_line_magic('load_ext', 'minigrad')",
        f"assert shell.run_cell({'%%walkthrough' + chr(10) + SQUARE!r}).success",
        "print(sorted(name for name in sys.modules if name == 'torch' or name.startswith('torch.')))",
        "print(type(shell.user_ns['x']).__module__, 'torch' in shell.user_ns)",
    ])
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert output.returncode == 0, output.stderr
    assert output.stdout.splitlines()[-2:] == ["[]", "minigrad.tensor False"]


# ------------------------------------------------------------------------------ errors and no graph
def test_a_wrong_cell_shows_its_own_traceback_and_no_widget(shell, capsys):
    modules = dict(sys.modules)
    result = shell.run_cell(f"%%walkthrough\n{WRONG}")
    assert not result.success and isinstance(result.error_in_exec, NameError)
    assert shell.shown == []
    out = capsys.readouterr().out
    assert "----> 6 z = y / undefined_name" in out  # the cell's own line number (the magic's line is 1)
    assert "NameError: name 'undefined_name' is not defined" in out
    for ours in ("from_code.py", "magic.py", "interactiveshell.py", "run_cell_magic"):
        assert ours not in out
    assert all(sys.modules.get(name) is module for name, module in modules.items())  # (IPython may import more)
    assert not [name for name in sys.modules if name.startswith("torch") and name not in modules]
    assert minigrad.tensor is minigrad.creation.tensor and "backward_keeping" not in repr(minigrad.Tensor.backward)
    assert shell.user_ns["y"].item() == 9.0  # assigned before the error, as a normal cell leaves it


def test_an_error_inside_a_helper_shows_the_helpers_lines_too(shell, capsys):
    code = ("import torch\ndef f(t):\n    return t.no_such_method()\n"
            "x = torch.tensor(1.0, requires_grad=True)\ny = f(x)\n")
    result = shell.run_cell(f"%%walkthrough\n{code}")
    out = capsys.readouterr().out
    assert not result.success and "----> 6 y = f(x)" in out and "----> 4     return t.no_such_method()" in out
    assert "from_code.py" not in out


def test_a_syntax_error_is_shown_with_the_cells_line(shell, capsys):
    result = shell.run_cell("%%walkthrough\nimport torch\nx = torch.tensor(3.0, requires_grad=True)\ny = x ** 2 +\n")
    out = capsys.readouterr().out
    assert "line 4" in out and "y = x ** 2 +" in out and "SyntaxError: invalid syntax" in out
    for ours in ("from_code.py", "magic.py", "interactiveshell.py", "run_cell_magic"):
        assert ours not in out
    assert not result.success and type(result.error_in_exec).__name__ == "SyntaxError"  # the cell failed
    assert shell.shown == []


@pytest.mark.parametrize(("code", "message"), [(UNDER_NO_GRAD, NOTHING_RECORDED), (DETACHED, NOTHING_RECORDED),
                                                (NOTHING_REQUIRES_GRAD, NO_TENSOR_REQUIRES_GRAD)])
def test_a_cell_without_a_graph_says_so_in_one_plain_line(shell, capsys, code, message):
    result = shell.run_cell(f"%%walkthrough\n{code}")
    out = capsys.readouterr().out
    assert result.success and shell.shown == []
    assert out.splitlines()[-1] == message and "requires_grad=True" in message
    with pytest.raises(ValueError) as raised:
        Walkthrough.from_code(code)
    assert str(raised.value) == message


def test_a_named_target_that_is_not_there_or_has_no_graph(shell, capsys):
    shell.run_cell(f"%%walkthrough lss\n{SQUARE}")
    assert "no variable 'lss'" in capsys.readouterr().out
    shell.run_cell(f"%%walkthrough x\n{SQUARE}")
    assert "x is a leaf" in capsys.readouterr().out and shell.shown == []


def test_a_slider_value_where_the_cell_fails_is_said_and_the_last_drawing_stays(shell):
    code = SQUARE + "if x.item() < 1:\n    raise ValueError('x must be at least 1 here')\n"
    widget = walk_cell(shell, code)
    drawing = widget.graph.value
    widget.sliders["x"].value = 0.5  # an exception here would escape the slider's callback
    message = widget.expression_error.value
    assert "At x = 0.50 the cell stopped: ValueError: x must be at least 1 here (line 9)." in message
    assert widget.graph.value == drawing and widget.walk.grad("x") == 6.0
    widget.sliders["x"].value = 2.0
    assert widget.expression_error.value == "" and widget.walk.grad("x") == 4.0


def test_a_graph_changed_in_place_after_it_was_built_is_said_in_one_line(shell, capsys):
    code = "import torch\nw = torch.tensor(1.0, requires_grad=True)\na = w * 2\nb = a ** 2\na.add_(1)\n"
    result = shell.run_cell(f"%%walkthrough b\n{code}")
    out = capsys.readouterr().out
    assert result.success and shell.shown == []
    assert out.splitlines()[-1].startswith("The backward pass of b cannot run: one of the variables needed for "
                                           "gradient computation has been modified by an inplace operation")
    assert shell.user_ns["w"].grad is None


def test_a_variable_named_like_a_widget_option_gets_no_slider_but_the_walkthrough_works():
    code = "import torch\nview = torch.tensor(2.0, requires_grad=True)\nframes = torch.tensor(3.0)\ny = view * frames\n"
    widget = Walkthrough.from_code(code)
    assert widget.sliders == {} and widget.walk.grad("view") == 3.0 and not widget.frames


def test_the_last_expression_is_shown_and_random_numbers_repeat_on_every_rerun(shell, capsys):
    code = "import torch\nx = torch.tensor(3.0, requires_grad=True)\nw = torch.randn(())\ny = x ** 2 * w\nx * 1\n"
    before = minigrad.creation.default_generator.bit_generator.state
    widget = walk_cell(shell, code, "y")
    assert "Out[" in capsys.readouterr().out  # the value of `x * 1`, as a cell shows it
    drawn = shell.user_ns["w"].item()
    assert minigrad.creation.default_generator.bit_generator.state != before  # drawn from the notebook's generator
    after = minigrad.creation.default_generator.bit_generator.state
    widget.sliders["x"].value = 2.0
    assert widget.walk.value("w").data == np.float32(drawn) and widget.walk.grad("x") == np.float32(4 * drawn)
    assert minigrad.creation.default_generator.bit_generator.state == after  # a re-run draws from its own copy
    assert "Out[" not in capsys.readouterr().out  # and shows nothing


def test_the_magic_lines_options(shell):
    widget = walk_cell(shell, SIN_SQUARE, "z --view autograd --frames --widget kept")
    assert widget.view.value == "autograd" and widget.frames and shell.user_ns["kept"] is widget
    assert len(widget.graph_frames.children) == len(widget.walk.steps) + 1 and "SinBackward0" in widget.snapshot(1)


def test_the_magic_s_guess_mode(shell):
    """``--guess``: the cell's own numbers are asked before they are shown."""
    widget = walk_cell(shell, SIN_SQUARE, "z --guess")
    assert widget.guessing and "Your guess: <b>y = ?</b>" in widget.guess_prompt.value
    assert widget.guess("16").kind == "right" and "1 of 1 step guessed" in widget.guess_score.value


# ------------------------------------------------------------------------------ the Python API
def test_from_code_without_a_notebook():
    namespace = {}
    widget = Walkthrough.from_code(SIN_SQUARE, namespace=namespace, frames=True)
    assert isinstance(widget, Walkthrough) and list(widget.sliders) == ["x"]
    assert shown(widget.walk.grad("x")) == "-7.6613" and isinstance(namespace["z"], minigrad.Tensor)
    assert len(widget.graph_frames.children) - 1 == len(widget.walk.steps) == 5  # a stack's index 0 is never shown
    again = widget.walk.rerun(x=3.0)
    same_as_pytorch(again.grad("x"), run_with_pytorch(SIN_SQUARE.replace("4.0", "3.0"), "z")["x"].grad)
    assert "torch" not in namespace  # import torch in the cell binds torch inside it only
