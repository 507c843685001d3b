"""Nothing breaks in a student's hands, in a real JupyterLab: long training, bad formulas, quick quiz
clicks, notebooks opened and saved. Each test also counts what a student would never see but must
not happen: requests off this machine (0) and console errors (0).
"""

import json
import re
import time

import nbformat
import pytest
from playwright.sync_api import expect

from .conftest import ROOT
from .test_lab import WIDGET_VIEW, cell_output, open_notebook, run_all, save_and_read, wait_idle

LAB_SETTINGS = ROOT / "jupyter" / "overrides.json"  # what ``make lab`` installs as JupyterLab's overrides


def use_project_lab_settings(lab):
    """The settings ``make lab`` installs, as this server's user settings (read at every page load)."""
    for plugin, values in json.loads(LAB_SETTINGS.read_text()).items():
        package, name = plugin.split(":")
        path = lab.root / "jupyterlab_settings_dir" / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def log_console_text(page):
    """Open JupyterLab's log console (View → Show Log Console) and read what kernels wrote to it."""
    page.locator(".lm-MenuBar-itemLabel", has_text="View").first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Show Log Console", exact=True).click()
    console = page.locator(".jp-LogConsolePanel").first
    console.wait_for()
    page.wait_for_timeout(500)
    return console.inner_text()


@pytest.fixture
def version_warnings(page):
    """The module-federation warnings JupyterLab gives when an extension wants another JupyterLab version."""
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "Unsatisfied version" in m.text else None)
    return warnings


def server_log(lab):
    return (lab.root / "server.log").read_text(errors="replace")


def assert_not_modified_by_opening(page):
    """A notebook just opened (its widgets drawn from the saved state, its kernelspec checked) is unchanged
    (tests/test_notebook_files.py checks every notebook's file for what JupyterLab would change)."""
    page.wait_for_timeout(1500)
    dirty = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current.jp-mod-dirty")
    assert dirty.count() == 0, "opening the notebook marked it modified"


# ------------------------------------------------------------------------------ NeuronLab, 5000 epochs
WATCH_IMAGE = """widget => {  // each new picture: the plots' HTML widget gets a new <svg>
    window.__frames = [];
    const box = widget.querySelector('svg.minigrad-plot').closest('.widget-html-content');
    new MutationObserver(() => window.__frames.push(performance.now())).observe(box, {childList: true});
}"""


def test_neuron_lab_trains_5000_epochs_without_stalling(page, lab, console_errors, blocked_requests,
                                                        version_warnings):
    panel = open_notebook(page, lab, "04_neuron_bce")
    assert_not_modified_by_opening(page)
    run_all(page, panel)
    neuron = cell_output(panel, "lab = NeuronLab()")
    expect(neuron.get_by_text("path: 101 points")).to_be_visible()
    page.wait_for_timeout(1000)  # the sliders' views echo their values right after rendering
    epochs = neuron.locator(".widget-text input").first
    epochs.fill("5000")
    epochs.press("Enter")
    neuron.evaluate(WATCH_IMAGE)
    log_before = server_log(lab)
    start = time.monotonic()
    neuron.get_by_role("button", name="Train N epochs").click()
    stop = neuron.get_by_role("button", name="Stop")
    expect(stop).to_be_visible(timeout=10_000)  # while training, Train is Stop
    expect(neuron.get_by_text("done: 5000 epochs")).to_be_visible(timeout=60_000)
    seconds = time.monotonic() - start
    frames = page.evaluate("window.__frames")
    rate = (len(frames) - 1) / max((frames[-1] - frames[0]) / 1000, 1e-9) if len(frames) > 1 else 0.0
    print(f"\n5000 epochs: {seconds:.1f} s in the browser, {len(frames)} pictures, {rate:.1f} updates/s")
    assert seconds < 60 and len(frames) >= 3, "the loss curve and the path must visibly grow while training"
    assert rate <= 22, f"{rate:.1f} picture updates per second (at most 20 are sent)"
    assert "IOPub message rate exceeded" not in server_log(lab)[len(log_before):]
    # one state everywhere: the readout's (w, b), the sliders, the progress, the path
    expect(neuron.get_by_role("button", name="Train N epochs")).to_be_enabled()
    readout = neuron.locator(".minigrad-neuron").inner_text()
    w, b = (float(v.replace("−", "-")) for v in re.search(r"at w = (\S+), b = (\S+):", readout).groups())
    sliders = neuron.locator(".widget-slider .widget-readout")
    assert float(sliders.nth(0).inner_text().replace("−", "-")) == round(w, 2)
    assert float(sliders.nth(1).inner_text().replace("−", "-")) == round(b, 2)
    assert neuron.locator(".progress-bar").first.evaluate("bar => bar.style.width") == "100%"
    expect(neuron.get_by_text("path: 5101 points")).to_be_visible()
    loss = float(re.search(r"L = ([\d.]+)", readout).group(1))
    assert loss < 0.5  # trained: the untrained neuron's L is 0.6931
    neuron.get_by_role("button", name="Train N epochs").click()  # again, and Stop it: the kernel hears the click
    neuron.get_by_role("button", name="Stop").click(timeout=10_000)
    expect(neuron.get_by_text(re.compile(r"stopped after \d+ of 5000 epochs"))).to_be_visible(timeout=30_000)
    expect(neuron.get_by_role("button", name="Train N epochs")).to_be_enabled()
    print(f"JupyterLab: {len(blocked_requests)} requests off the machine, {len(console_errors)} console errors, "
          f"{len(version_warnings)} version-mismatch warnings")
    assert blocked_requests == [] and console_errors == [] and version_warnings == [], (
        blocked_requests, console_errors, version_warnings)


# ------------------------------------------------------------------------------ the playground's bad formulas
BAD_FORMULAS = {"9**9**9": "is too big for a number", "x +": "this is not a formula",
                "foo(x)": "calling foo is not allowed", "x // 2": "is not allowed"}


def test_bad_formulas_are_said_inline_and_nothing_reaches_the_log_console(page, lab, console_errors,
                                                                            blocked_requests):
    panel = open_notebook(page, lab, "06_playground")
    run_all(page, panel)
    playground = cell_output(panel, 'playground = Walkthrough("x*y + sin(x)"')
    box = playground.locator(".widget-text input").first
    message = playground.locator(".minigrad-error")
    for formula, words in BAD_FORMULAS.items():
        box.fill(formula)
        box.press("Enter")
        expect(message).to_contain_text(words)
        expect(playground.locator(".minigrad-graph svg").first).to_be_visible()  # the last good graph stays
    box.fill("x/0 + y")  # a division by zero at the slider's point: a walkthrough with ∞, or words; never silence
    box.press("Enter")
    expect(playground.get_by_text("is too big for a number")).to_have_count(0)  # the stale message went
    box.fill("exp(x) * y")
    box.press("Enter")
    expect(message).to_have_count(0)
    expect(playground.locator(".minigrad-graph svg text", has_text="exp").first).to_be_visible()
    logged = log_console_text(page)
    assert "Traceback" not in logged and "Error" not in logged, logged
    assert blocked_requests == [] and console_errors == [], (blocked_requests, console_errors)


# ------------------------------------------------------------------------------ quizzes: type, click, no Enter
def test_a_quiz_judges_what_was_typed_when_check_is_clicked(page, lab, console_errors, blocked_requests):
    panel = open_notebook(page, lab, "01_square")
    assert_not_modified_by_opening(page)
    run_all(page, panel)
    quiz = cell_output(panel, 'check("What is x.grad after y = x ** 2; y.backward() with x = -1.5?"')
    box, button = quiz.locator("input").first, quiz.get_by_role("button", name="Check")
    verdict = quiz.locator(".widget-html").last
    answers = ["6", "-3", "9", "−3", "0.5", "-3.0", "12", "-6/2", "1", "-3"]
    for typed in answers:
        box.fill("")
        box.type(typed, delay=20)
        button.click()  # no Enter, no Tab: the click must see the typed text
        right = typed in ("-3", "−3", "-3.0", "-6/2")
        expect(verdict).to_contain_text(f"you typed {typed}", timeout=10_000)
        expect(verdict).to_contain_text("Right!" if right else "Not quite")
    assert blocked_requests == [] and console_errors == [], (blocked_requests, console_errors)


# ------------------------------------------------------------------------------ notebooks saved and reopened
def widget_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"
            and any(WIDGET_VIEW in o.get("data", {}) or "Run this cell to bring the widget back" in
                    str(o.get("data", {}).get("text/html", "")) for o in cell.outputs)]


def reopen(page, lab, name):
    lab.shut_down_kernels()  # the worst case: the kernel that made the widgets is gone
    page.goto(lab.page_url(f"lab/tree/{name}.ipynb?reset"))
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.wait_for(timeout=90_000)
    wait_idle(page)
    page.wait_for_timeout(2000)
    return panel


def test_save_close_and_reopen_shows_every_widget_or_its_picture(page, lab, console_errors, blocked_requests):
    use_project_lab_settings(lab)
    name = "04_neuron_bce"
    panel = open_notebook(page, lab, name)
    widgets_at_start = len(widget_cells(nbformat.read(lab.notebooks / f"{name}.ipynb", as_version=4)))
    run_all(page, panel)  # every widget now lives in this kernel, not in the file's saved state
    saved = save_and_read(page, lab, name)  # what an autosave writes too
    cells = widget_cells(saved)
    state = saved.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    views = [o["data"][WIDGET_VIEW]["model_id"] for c in cells for o in c.outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(cells) == widgets_at_start and all(view in state.get("state", {}) for view in views)
    panel = reopen(page, lab, name)
    expect(panel.get_by_text("model not found")).to_have_count(0)
    expect(panel.get_by_text("Error displaying widget")).to_have_count(0)
    widgets = panel.locator(".jp-OutputArea-output > .jupyter-widgets").count()
    notes = panel.get_by_text("Run this cell to bring the widget back").count()
    print(f"\nreopened after a live save: {widgets} widgets from the saved state, {notes} notes")
    assert widgets + notes == len(cells) and widgets == len(views)
    assert notes == 0, "the pre-save hook saves the live widgets' state (their kernel was running)"
    neuron = cell_output(panel, "lab = NeuronLab()")
    expect(neuron.get_by_text("path: 101 points")).to_be_visible()  # the state the student left, from the file
    pictures = panel.locator(".jp-RenderedSVG img, .jp-RenderedImage img").count()
    assert pictures >= 3  # the static pictures of the two walkthroughs and the lab stay
    assert blocked_requests == [] and console_errors == [], (blocked_requests, console_errors)
