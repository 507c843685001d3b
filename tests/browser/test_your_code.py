"""07_your_code in a real JupyterLab: Run All, then drive the neuron's %%walkthrough as a student does.

One page load: Run All, check what every cell shows (the widgets, the "no graph" lines, the
misspelt cell's own traceback and nothing else red), move the ``w`` slider, step to the last
backward step and read PyTorch's gradients in the table.
"""

import re

import nbformat
from playwright.sync_api import expect

from . import test_readability as readability
from .conftest import NOTEBOOKS
from .test_lab import WIDGET_VIEW, cell_output, open_notebook, phase_of, run_all, save_and_read, screenshot

NAME = "07_your_code"
NO_GRAPH = "This cell builds no graph: no tensor it computed has a grad_fn"


def slider(widget, description):
    label = widget.page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(description)}$"))
    return widget.locator(".widget-slider").filter(has=label).first


def type_into(slider_, value):
    readout = slider_.locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type(str(value))
    readout.press("Enter")


def equation(widget):
    """The step's equation (the first maths widget in its box only sizes the box, invisibly)."""
    return widget.locator(".minigrad-equation .widget-htmlmath").last


def table_row(widget, name):
    return widget.locator(".minigrad-table tr").filter(
        has=widget.page.locator("td", has_text=re.compile(rf"^{re.escape(name)}$"))).first


def test_run_all_then_move_w_and_step_to_the_end(page, lab, console_errors, tmp_path):
    panel = open_notebook(page, lab, NAME)
    run_all(page, panel)
    notebook = save_and_read(page, lab, NAME)

    errors = {}
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        found = [(o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]
        if found or "raises-exception" in cell.metadata.get("tags", []):
            errors[cell.source.splitlines()[-1]] = found
    assert errors == {"y_pred = torch.sigmod(z)": [("AttributeError", "module 'minigrad' has no attribute 'sigmod'")]}
    # the widgets the committed notebook shows (a saved copy keeps a note in their place: notebook_files)
    committed = nbformat.read(NOTEBOOKS / f"{NAME}.ipynb", as_version=4)
    views = sum(WIDGET_VIEW in o.get("data", {}) for c in committed.cells if c.cell_type == "code" for o in c.outputs)
    assert views >= 8
    expect(panel.locator(".jp-OutputArea-output > .jupyter-widgets")).to_have_count(views)
    expect(panel.get_by_text("Error displaying widget")).to_have_count(0)
    expect(panel.get_by_text(NO_GRAPH)).to_have_count(2)  # the no_grad cell and the detach cell
    traceback = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(traceback).to_have_count(1)
    expect(traceback).to_contain_text("----> 6 y_pred = torch.sigmod(z)")
    assert "from_code" not in traceback.inner_text() and "interactiveshell" not in traceback.inner_text()

    neuron = cell_output(panel, "%%walkthrough loss --widget neuron")
    expect(phase_of(neuron)).to_have_text("Forward 1 / 11")
    expect(equation(neuron)).to_contain_text("from w = 1, x = 6.7 we get u = 6.7")
    expect(neuron.locator(".minigrad-graph svg text", has_text="y_pred").first).to_be_visible()
    type_into(slider(neuron, "w"), 0.5)
    expect(equation(neuron)).to_contain_text("from w = 0.5, x = 6.7 we get u = 3.35")
    expect(neuron.locator(".minigrad-graph svg text", has_text="value 3.35").first).to_be_visible()

    type_into(slider(neuron, "step"), 24)  # the last of 24 steps (numbered from 1, as the slider shows)
    expect(phase_of(neuron)).to_have_text("Backward 13 / 13")
    expect(equation(neuron)).to_contain_text("w.grad")
    expect(table_row(neuron, "w")).to_contain_text("6.4729")  # PyTorch's (ŷ − y)·x at w = 0.5
    expect(table_row(neuron, "b")).to_contain_text("0.9661")
    expect(neuron.locator(".minigrad-error")).to_have_count(0)
    assert screenshot(neuron, NAME, tmp_path).stat().st_size > 10_000
    readability.check_notebook(page, panel, NAME)  # on the same page: sizes, 720-px fit, contrast, arrows, raw TeX
    assert console_errors == [], console_errors
