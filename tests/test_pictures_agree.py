"""Every picture agrees with the numbers beside it: each notebook's walkthroughs, plots and labs, checked
against PyTorch at the inputs they display (DESIGN §10).

Each notebook is executed once, in this process, in an IPython shell (``%load_ext minigrad`` and
``%%walkthrough`` work as in a kernel; no kernel to start, no widget state to store: seconds, not the
minute nbclient takes). Every widget a cell makes is found (ipywidgets keeps them all) and:

* a **Walkthrough** starts at the inputs its cell's code names: ``x=(-3, 3, 0.01, 2.0)`` is a slider
  at 2, ``x=2.0`` is 2, ``x=[1.0, 2.0, 3.0]`` is the vector [1, 2, 3] (05 once read that list as a
  slider from 1 to 2 in steps of 3, and drew x = 1, mean 1, x.grad 2 under x.grad = [0.667, 1.333, 2]);
* the same function is run with **PyTorch** at the inputs the widget shows (its sliders, its vectors),
  and the drawing shown at the last step has PyTorch's result and PyTorch's gradient of every input,
  in the digits the drawing writes; the walkthrough's own numbers are PyTorch's to float32 rounding;
* a ``%%walkthrough`` cell is run again with real ``import torch``: every tensor the drawing names
  has PyTorch's value, and every leaf PyTorch's ``.grad``;
* a **FunctionPlot** writes PyTorch's f(x) and f'(x) at its slider's x; a **NeuronLab** PyTorch's loss
  and gradients at its (w, b); a **GradientLab**, pressed once, PyTorch's x.grad.
"""

import ast
import functools
import re
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest

import minigrad
from minigrad.teaching import expr, notation, trace, viz
from minigrad.teaching.widgets import layout
from minigrad.teaching.widgets.walkthrough import WIDGET_OPTIONS, CodeWalkthrough
from minigrad.widgets import FunctionPlot, GradientLab, NeuronLab, Walkthrough

torch = pytest.importorskip("torch")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))  # every lesson there is

WIDGET_KINDS = (Walkthrough, FunctionPlot, NeuronLab, GradientLab)


# ------------------------------------------------------------------------------ running a notebook
@functools.cache
def executed(name):
    """Run the notebook's code cells in order in an IPython shell; ``[(cell source, widgets it made)]``."""
    from ipywidgets.widgets import widget as widget_module

    shell = _shell()
    shell.user_ns.clear()  # a fresh namespace (not shell.reset(): its garbage collection is slow)
    shell.user_ns.update(shell.minigrad_fresh_namespace)
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    made = []
    traceback_mode = shell.InteractiveTB.mode  # a lesson's %xmode Minimal is the lesson's: put back after
    try:
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            before = set(widget_module._instances)
            shell.run_cell(cell.source, silent=True)  # (a cell meant to raise does; its widgets are none)
            new = [widget_module._instances[key] for key in widget_module._instances if key not in before]
            mine = [w for w in new if isinstance(w, WIDGET_KINDS)]
            if mine:
                made.append((cell.source, mine, dict(shell.user_ns)))
    finally:
        shell.InteractiveTB.set_mode(traceback_mode)
        shell.user_ns.clear()
        shell.user_ns.update(shell.minigrad_fresh_namespace)
    return made


def _shell():
    """The test session's IPython shell (one per process), with ``%load_ext minigrad`` done."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or get_ipython()
    if not hasattr(shell, "minigrad_fresh_namespace"):
        shell.minigrad_fresh_namespace = dict(shell.user_ns)
    shell.run_line_magic("load_ext", "minigrad")
    return shell


# ------------------------------------------------------------------------------ PyTorch's twin of a function
def torch_neuron(w, b, x, t):
    """trace.neuron with PyTorch: z = w·x + b, ŷ = σ(z), L = BCE(ŷ, t)."""
    return torch.nn.functional.binary_cross_entropy(torch.sigmoid(w * x + b), t)


TWINS = {trace.neuron: torch_neuron}


def torch_function(function):
    """The function with PyTorch where it has minigrad: an expression as it is (it calls methods), a
    notebook's lambda with its ``torch`` (minigrad, imported as torch) made the real one."""
    if isinstance(function, expr.Expression):
        return function
    if function in TWINS:
        return TWINS[function]
    swapped = {name: _torch_for(value) for name, value in function.__globals__.items()}
    return types.FunctionType(function.__code__, swapped, function.__name__, function.__defaults__,
                              function.__closure__)


def _torch_for(value):
    if value is minigrad:
        return torch
    if value is minigrad.nn.functional:
        return torch.nn.functional
    return value


def run_with_torch(widget):
    """(output, {input name: its .grad or None}) of the widget's function with PyTorch at the shown inputs."""
    inputs = widget.input_values()
    leaves = {name: torch.tensor(np.asarray(value, dtype=np.float32), requires_grad=name not in widget.constants)
              for name, value in inputs.items()}
    output = torch_function(widget.function)(**leaves)
    output.backward()
    return output, {name: leaf.grad for name, leaf in leaves.items()}


# ------------------------------------------------------------------------------ what a drawing shows
def shown_boxes(widget):
    """{node title: its texts} of the drawing the widget shows at its last step (frames: the last frame)."""
    widget.step_slider.value = widget.step_slider.max
    html = widget.frame(widget.graph_frames, len(widget.walk.steps) - 1).value if widget.frames else widget.graph.value
    boxes = {}
    for title, body in re.findall(r'<g id="[^"]+" class="node">\s*<title>([^<]+)</title>(.*?)</g>', html, re.S):
        boxes[title] = [_unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", body)]
    return boxes


def _unescape(text):
    import html

    return html.unescape(text).strip()


def drawn(number):
    """A number as the drawing writes it (a vector shortened, the typographic minus)."""
    return viz._fmt(np.asarray(number.detach().numpy() if hasattr(number, "detach") else number, dtype=np.float32))


def assert_drawn(boxes, value, field, number, where):
    texts = " | ".join(boxes.get(value.id, []))
    expected = f"{field} {drawn(number)}"
    assert expected in texts, f"{where}: the drawing shows {texts!r} for {value.name}, PyTorch gives {expected!r}"


# ------------------------------------------------------------------------------ the inputs a cell names
def named_inputs(source, namespace):
    """{name: start value} of the one Walkthrough(...) or explore(...) call in the cell (None: not one call),
    each keyword evaluated in the notebook's namespace (``data.CGPA``); a keyword that cannot be (a loop's
    variable) is left out."""
    calls = [node for node in ast.walk(ast.parse(_python_only(source))) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("Walkthrough", "explore")]
    if len(calls) != 1:
        return None
    named = {}
    for keyword in calls[0].keywords:
        if keyword.arg is None or keyword.arg in WIDGET_OPTIONS or keyword.arg in ("inner",):
            continue
        try:
            named[keyword.arg] = eval(compile(ast.Expression(keyword.value), "<cell>", "eval"), dict(namespace))
        except Exception:  # noqa: BLE001 - a name the final namespace does not have
            continue
    return named


def _python_only(source):
    """A cell's code without its IPython lines (``%%walkthrough`` cells are checked by running them)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def start_value(spec, name, constants):
    """What a walkthrough should walk for a keyword as the cell wrote it."""
    if layout.is_vector(spec):
        return layout.vector_value(spec)
    if name in constants and not isinstance(spec, tuple):
        return np.asarray(spec, dtype=np.float32)
    return np.float32(layout.slider_spec(spec)[3])


def check_named_inputs(widget, source, namespace, where):
    named = named_inputs(source, namespace)
    if not named:
        return 0
    walked = widget.walk.inputs
    for name, spec in named.items():
        expected = start_value(spec, name, widget.constants)
        given = np.asarray(walked[name], dtype=np.float32)
        assert given.shape == np.shape(expected) and np.allclose(given, expected), (
            f"{where}: the code names {name} = {spec!r}, the walkthrough walks {name} = {walked[name]!r}")
    return len(named)


# ------------------------------------------------------------------------------ the checks
def check_walkthrough(widget, source, namespace, where):
    if isinstance(widget, CodeWalkthrough):
        return check_code_walkthrough(widget, where)
    checked = check_named_inputs(widget, source, namespace, where)
    output, grads = run_with_torch(widget)
    walk = widget.walk
    np.testing.assert_allclose(walk.output.data, output.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=where)
    boxes = shown_boxes(widget)
    assert_drawn(boxes, walk.output, "value", output, where)
    for name, grad in grads.items():
        if grad is None:
            continue
        np.testing.assert_allclose(walk.grad(name), grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=f"{where} {name}")
        assert_drawn(boxes, walk.value(name), "grad", grad, where)
        assert_drawn(boxes, walk.value(name), "value", torch.tensor(widget.input_values()[name]), where)
    return checked + 1 + len(grads)


def check_code_walkthrough(widget, where):
    """The cell again with real PyTorch: each tensor the drawing names has PyTorch's value, each leaf its grad."""
    namespace = {}
    exec(widget.cell.code, namespace)  # `import torch` is PyTorch here
    assert namespace["torch"] is torch
    walk = widget.walk
    target = namespace[widget.cell.target_name] if widget.cell.target_name else None
    if target is None:
        scalars = [v for v in namespace.values() if isinstance(v, torch.Tensor) and v.grad_fn is not None
                   and v.numel() == 1]
        target = scalars[-1]
    leaves = [v for v in namespace.values() if isinstance(v, torch.Tensor) and v.is_leaf and v.requires_grad]
    modules = [v for v in namespace.values() if isinstance(v, torch.nn.Module)]
    parameters = {path: p for module in modules for path, p in module.named_parameters()}
    if not any(t.grad is not None for t in leaves + list(parameters.values())):
        target.backward()
    tensors = {**parameters, **{n: v for n, v in namespace.items() if isinstance(v, torch.Tensor)}}
    boxes = shown_boxes(widget)
    checked = 0
    for value in walk.graph.values:
        theirs = tensors.get(value.name)
        if theirs is None or value.role == "constant":
            continue
        np.testing.assert_allclose(np.asarray(value.data), theirs.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=f"{where} {value.name}")
        if value.role != "data":
            assert_drawn(boxes, value, "value", theirs, where)
        if value.role == "input" and theirs.grad is not None:
            np.testing.assert_allclose(walk.grad(value.name), theirs.grad.numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{where} {value.name}.grad")
            assert_drawn(boxes, value, "grad", theirs.grad, where)
        checked += 1
    assert checked >= 2, f"{where}: nothing of the drawing was found in the cell's variables"
    return checked


def check_function_plot(plot, where):
    x = torch.tensor(float(plot.x_slider.value), dtype=torch.float32, requires_grad=True)
    y = torch_function(plot.function)(**{plot.name: x})
    y.backward()
    assert plot.slope == pytest.approx(x.grad.item(), rel=1e-5, abs=1e-6), where
    text = plot.readout.value
    assert f"= {notation.format_number(y.item())}," in text, (where, text, y.item())
    assert f"<b>{notation.format_number(x.grad.item())}</b>" in text, (where, text, x.grad.item())
    return 2


def check_neuron_lab(lab, where):
    w = torch.tensor(lab.w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(lab.b, dtype=torch.float64, requires_grad=True)
    x, t = torch.tensor(lab.x), torch.tensor(lab.y)
    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(w * x + b), t)
    loss.backward()
    assert lab.loss == pytest.approx(loss.item(), rel=1e-4), where
    assert lab.grad == pytest.approx((w.grad.item(), b.grad.item()), rel=1e-4, abs=1e-6), where
    assert f"∂L/∂w = <b>{w.grad.item():.4f}</b>" in lab.readout.value, where
    return 3


def check_gradient_lab(lab, where):
    lab.backward_button.click()
    x = torch.tensor(float(lab.x.item()), requires_grad=True)
    (x ** 2).backward()
    assert lab.x.grad.item() == pytest.approx(x.grad.item(), rel=1e-6), where
    assert notation.format_number(x.grad.item()) in lab.grad_label.value, (where, lab.grad_label.value)
    return 1


CHECKS = [(Walkthrough, check_walkthrough), (FunctionPlot, check_function_plot), (NeuronLab, check_neuron_lab),
          (GradientLab, check_gradient_lab)]


@pytest.mark.parametrize("name", NAMES)
def test_every_picture_agrees_with_pytorch(name, monkeypatch):
    monkeypatch.delenv("MINIGRAD_PRESENT", raising=False)  # the notebook's own drawings, not Present mode's
    counted = {kind.__name__: 0 for kind, _ in CHECKS}
    for source, widgets, namespace in executed(name):
        for index, widget in enumerate(widgets):
            where = f"{name}: widget {index} of the cell\n{source[:200]}\n"
            for kind, check in CHECKS:
                if isinstance(widget, kind):
                    if kind is Walkthrough:
                        check(widget, source, namespace, where)
                    else:
                        check(widget, where)
                    counted[kind.__name__] += 1
    print(f"\n{name}: {counted}")
    assert sum(counted.values()) >= 1, f"{name} shows no walkthrough, plot or lab"


def test_a_list_read_as_a_slider_is_caught():
    """05's old bug, as it was: the code names x = [1, 2, 3], the widget walked a slider's x = 1."""
    source = "walk = Walkthrough(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0], frames=True)"
    wrong = Walkthrough(lambda x: (x ** 2).mean(), x=(1.0, 2.0, 3.0))  # what the list was read as
    with pytest.raises(AssertionError, match=r"the code names x = \[1.0, 2.0, 3.0\]"):
        check_named_inputs(wrong, source, {"Walkthrough": Walkthrough}, "05")
    right = Walkthrough(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0])
    assert check_named_inputs(right, source, {"Walkthrough": Walkthrough}, "05") == 1
    check_walkthrough(right, source, {"Walkthrough": Walkthrough}, "05")


def test_a_drawing_that_disagrees_with_pytorch_is_caught(monkeypatch):
    """A drawing that wrote another number than the walkthrough's (here: every gradient doubled) fails."""
    widget = Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))
    real = viz._View.value_fields

    def doubled(self, value, head):
        fields = real(self, value, head)
        grad = self.state.grads.get(value.id)
        return fields[:2] + [f"grad {viz._fmt(2 * grad)}"] if grad is not None and len(fields) == 3 else fields

    monkeypatch.setattr(viz._View, "value_fields", doubled)
    with pytest.raises(AssertionError, match="PyTorch gives 'grad"):
        check_walkthrough(widget, 'Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))', {}, "00")
