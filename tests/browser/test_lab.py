"""Every notebook in a real JupyterLab in headless Chromium: Run All, then drive each kind of widget.

The main widget of each notebook is also photographed: with MINIGRAD_UPDATE_SCREENSHOTS=1
(``make screenshots``) into assets/screenshots/ for the README, otherwise into a temporary folder.
"""

import os
import re

import nbformat
import pytest
from playwright.sync_api import expect

from . import test_readability as readability
from .conftest import ROOT

NAMES = ["00_start_here", "01_square", "02_chain_rule_sin", "03_three_links", "04_neuron_bce",
         "05_autograd_in_practice", "06_playground"]
STOP_TRACKING_ERROR = "element 0 of tensors does not require grad and does not have a grad_fn"
MAIN_WIDGET = {  # the cell whose widget is each notebook's picture
    "00_start_here": 'walk = Walkthrough("exp(sin(x**2))"',
    "01_square": 'walk = Walkthrough("x**2"',
    "02_chain_rule_sin": 'plot = FunctionPlot("sin(x**2)"',
    "03_three_links": 'walk = Walkthrough("exp(sin(x**2))"',
    "04_neuron_bce": "lab = NeuronLab()",
    "05_autograd_in_practice": "lab = GradientLab()",
    "06_playground": 'playground = Walkthrough("x*y + sin(x)"',
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def open_notebook(page, lab, name):
    lab.shut_down_kernels()  # every test starts from a fresh kernel, as a student's Restart & Run All does
    lab.restore(name)  # and from the notebook as committed (an earlier test may have saved it)
    page.goto(lab.page_url(f"lab/tree/{name}.ipynb?reset"))
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.wait_for(timeout=90_000)
    wait_idle(page)
    return panel


def open_beside(page, lab, name):
    """Open another notebook of the folder the file browser shows, in a new tab of the same page: a fresh kernel
    (the others keep running), without loading JupyterLab again (4 s less than ``open_notebook``)."""
    lab.restore(name)
    file = name.rpartition("/")[2] + ".ipynb"
    page.locator(".jp-DirListing-item", has_text=file).dblclick()
    expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")).to_contain_text(file)
    for _ in range(900):  # the kernel idle on the server first: the status bar may still show the other one's
        if [s for s in lab.api("sessions") if s["path"].endswith(name + ".ipynb")
                and s["kernel"]["execution_state"] == "idle"]:
            break
        page.wait_for_timeout(100)
    wait_idle(page)
    return page.locator(".jp-NotebookPanel:visible")


def wait_idle(page, timeout=90_000):
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=timeout)


def run_all(page, panel):
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(
        """() => { const prompts = [...document.querySelectorAll(
              '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
           return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
        timeout=180_000)
    wait_idle(page)


def save_and_read(page, lab, name):
    before = (lab.notebooks / f"{name}.ipynb").stat().st_mtime_ns
    page.keyboard.press("Control+s")
    page.wait_for_function("() => true")
    for _ in range(100):
        if (lab.notebooks / f"{name}.ipynb").stat().st_mtime_ns != before:
            break
        page.wait_for_timeout(100)
    for _ in range(50):  # the server may still be writing the file: read it once it is whole
        page.wait_for_timeout(200)
        try:
            return nbformat.read(lab.notebooks / f"{name}.ipynb", as_version=4)
        except (nbformat.reader.NotJSONError, ValueError):
            continue
    return nbformat.read(lab.notebooks / f"{name}.ipynb", as_version=4)


def cell_output(panel, source_start):
    cell = panel.locator(".jp-CodeCell").filter(has_text=source_start).first
    return cell.locator(".jp-OutputArea").first


def widget_after_run_all(page, lab, notebook, source_start):
    """Open a notebook on a fresh kernel, Run All, and return the output of the cell that starts so."""
    panel = open_notebook(page, lab, notebook)
    run_all(page, panel)
    return cell_output(panel, source_start)


def screenshot(locator, name, tmp_path):
    folder = ROOT / "assets" / "screenshots" if os.environ.get("MINIGRAD_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page = locator.page
    size = page.viewport_size  # a tall window for the picture, so the whole widget is in it (none cut at the top)
    page.set_viewport_size({"width": size["width"], "height": 1800})
    try:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(folder / f"{name}.png"))
    finally:
        page.set_viewport_size(size)
    return folder / f"{name}.png"


@pytest.mark.parametrize("name", NAMES)
def test_run_all_renders_every_widget_without_errors(page, lab, console_errors, name, tmp_path):
    panel = open_notebook(page, lab, name)
    run_all(page, panel)
    notebook = save_and_read(page, lab, name)
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert [(e.ename, e.evalue) for e in errors] == [("RuntimeError", STOP_TRACKING_ERROR)]
        else:
            assert not errors, f"{name}: an error in\n{cell.source}\n{errors}"
    views = sum(WIDGET_VIEW in o.get("data", {}) for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    rendered = panel.locator(".jp-OutputArea-output > .jupyter-widgets")
    expect(rendered).to_have_count(views)
    assert views >= 3
    expect(panel.get_by_text("Error displaying widget")).to_have_count(0)
    shown_errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expected_errors = 3 if name == "05_autograd_in_practice" else 0
    expect(shown_errors).to_have_count(expected_errors)
    for index in range(expected_errors):
        assert STOP_TRACKING_ERROR in shown_errors.nth(index).inner_text()
    main = cell_output(panel, MAIN_WIDGET[name])
    expect(main.locator(".jupyter-widgets").first).to_be_visible()
    assert screenshot(main, name, tmp_path).stat().st_size > 10_000
    readability.check_notebook(page, panel, name)  # on the same page: sizes, fit, contrast, arrows, zoom, timing
    assert console_errors == [], console_errors


def phase_of(widget):
    return widget.locator(".widget-label").filter(has_text=re.compile(r"^(Forward|Backward) \d+ / \d+$")).first


def highlighted(widget):
    """The titles of the graph's nodes filled gold (the step being explained)."""
    return widget.locator(".minigrad-graph svg").first.evaluate(
        """svg => [...svg.querySelectorAll('g.node')]
                 .filter(g => g.querySelector('[fill="gold"]') && g.querySelector('title').textContent !== 'legend')
                 .map(g => g.querySelector('title').textContent).sort()""")


def type_into_slider(widget, description, value):
    """Type a value into the readout of the slider named ``description``, as a person does (not yet Enter)."""
    readout = widget.locator(".widget-slider").filter(has_text=description).first.locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type(str(value))
    return readout


def set_slider(widget, description, value):
    type_into_slider(widget, description, value).press("Enter")


def test_walkthrough_slider_steps_and_play(page, lab, console_errors):
    walk = widget_after_run_all(page, lab, "00_start_here", 'walk = Walkthrough("exp(sin(x**2))"')
    expect(phase_of(walk)).to_have_text("Forward 1 / 3")
    assert highlighted(walk) == ["v1"]  # the compact drawing: y = x² is one box
    set_slider(walk, "x", 3)
    expect(walk.locator(".minigrad-step-equation")).to_contain_text("from x = 3 we get y = 9")
    expect(walk.locator(".minigrad-graph svg text", has_text="value 9").first).to_be_visible()
    for _ in range(4):
        walk.get_by_role("button", name="Next ▶").click()
    expect(phase_of(walk)).to_have_text("Backward 2 / 4")
    expect(walk.locator(".minigrad-step-equation")).to_contain_text("∂u/∂y = -1.3758")  # e^{sin 9}·cos 9 at x = 3
    assert highlighted(walk) == ["v2"]  # SinBackward0 runs at z = sin(y)
    walk.get_by_role("button", name="◀ Previous").click()
    expect(phase_of(walk)).to_have_text("Backward 1 / 4")
    walk.get_by_role("button", name="⟲ Reset").click()
    expect(phase_of(walk)).to_have_text("Forward 1 / 3")
    walk.locator(".widget-play button").first.click()  # ▶ Play
    expect(phase_of(walk)).to_have_text("Forward 3 / 3", timeout=15_000)
    assert console_errors == [], console_errors


def test_function_plot_slider_moves_the_tangent(page, lab, console_errors):
    plot = widget_after_run_all(page, lab, "01_square", 'plot = FunctionPlot("x**2"')
    expect(plot.locator(".minigrad-slope")).to_contain_text("f′(2) = 4")
    picture_before = plot.locator("svg.minigrad-plot").inner_html()
    set_slider(plot, "x", 3)
    expect(plot.locator(".minigrad-slope")).to_contain_text("f′(3) = 6")
    assert plot.locator("svg.minigrad-plot").inner_html() != picture_before  # the tangent moved
    assert console_errors == [], console_errors


PLOT_TOPS_JS = r"""
(root) => { window.__plotTops = [];
  new MutationObserver(() => { const plot = root.querySelector('svg.minigrad-plot');
    if (plot) window.__plotTops.push(plot.getBoundingClientRect().top - root.getBoundingClientRect().top); })
  .observe(root, {subtree: true, childList: true, characterData: true}); }
"""


def test_neuron_lab_trains(page, lab, console_errors):
    neuron = widget_after_run_all(page, lab, "04_neuron_bce", "lab = NeuronLab()")
    readout = neuron.locator(".minigrad-neuron")
    expect(neuron.get_by_text("path: 101 points")).to_be_visible()  # the notebook trained 100 epochs
    loss_before = float(re.search(r"L = ([\d.]+)", readout.inner_text()).group(1))
    page.wait_for_timeout(1500)  # let the sliders' views settle (they echo values right after rendering)
    epochs = neuron.locator("input[type=number]").first
    epochs.fill("3000")  # long enough for several updates in training
    epochs.press("Enter")
    neuron.evaluate(PLOT_TOPS_JS)
    neuron.get_by_role("button", name="Train N epochs").click()
    expect(neuron.get_by_text("path: 3101 points")).to_be_visible(timeout=60_000)
    tops = neuron.evaluate("() => window.__plotTops")  # where the plots were at each change, while training
    assert len(tops) >= 3 and max(tops) - min(tops) < 1, tops  # they changed, and never moved (a stage's text
    # once wrapped below the progress bar while training, and the plots jumped down 60 px and back)
    loss_after = float(re.search(r"L = ([\d.]+)", readout.inner_text()).group(1))
    assert loss_after < loss_before
    neuron.get_by_role("button", name="Step (1 epoch)").click()
    expect(neuron.get_by_text("path: 3102 points")).to_be_visible(timeout=30_000)
    assert console_errors == [], console_errors


def test_gradient_lab_accumulates_then_zeroes(page, lab, console_errors):
    gradients = widget_after_run_all(page, lab, "05_autograd_in_practice", "lab = GradientLab()")
    reading = gradients.locator(".minigrad-grad")
    expect(reading).to_contain_text("x.grad = None")  # a fresh lab: no backward() yet
    for expected in ("4", "8", "12"):
        gradients.get_by_role("button", name="backward()", exact=True).click()
        expect(reading).to_contain_text(f"x.grad = {expected}")
    gradients.get_by_role("button", name="x.grad.zero_()").click()
    expect(reading).to_contain_text("x.grad = 0")
    gradients.get_by_role("button", name="inside no_grad()").click()
    gradients.get_by_role("button", name="backward()", exact=True).click()
    expect(gradients.locator(".minigrad-error")).to_contain_text(STOP_TRACKING_ERROR)
    assert console_errors == [], console_errors
