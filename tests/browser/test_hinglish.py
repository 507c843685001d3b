"""A Hinglish notebook in a real JupyterLab: the widgets speak Hinglish, no English catalogue sentence is on
screen, the labels stay readable (≥ 14 px), and the English | Hinglish switch changes every widget live."""

import importlib.util
import re

import pytest
from playwright.sync_api import expect

from minigrad.teaching import i18n

from . import test_readability as readability
from .conftest import ROOT
from .test_lab import cell_output, open_beside, open_notebook, run_all, screenshot

spec = importlib.util.spec_from_file_location("test_i18n", ROOT / "tests" / "test_i18n.py")
test_i18n = importlib.util.module_from_spec(spec)
spec.loader.exec_module(test_i18n)

WIDGETS_JS = """(root) => [...root.querySelectorAll('.jp-OutputArea-output')]
    .filter(e => e.querySelector('.jupyter-widgets'))
    .map(e => e.innerText).join('\\n')"""


OVERFLOWING_JS = """(root) => [...root.querySelectorAll('button, .widget-label, .widget-html-content, .widget-readout')]
    .filter(e => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.trim())"""


def overflowing(locator):
    """Texts that do not fit their box (a Hinglish word is longer than its English one): none may."""
    return locator.evaluate(OVERFLOWING_JS)


def hinglish(phrase):
    return i18n.translations("hi_Latn").gettext(phrase)


def english_left(text):
    return sorted(sentence for sentence in test_i18n._english_sentences() if sentence in text)


def step_and_guess_in_hinglish(page, panel, where, timeout=None):
    """The Hinglish 01's first walkthrough, in JupyterLab or in the site: a step (labels >= 14 px), then guess mode
    answered oddly, wrongly, then rightly (each verdict within ``timeout`` ms); every word it shows is Hinglish
    and fits its box. Returns the walkthrough."""
    walk = panel.locator(".minigrad-walkthrough").first
    walk.scroll_into_view_if_needed()
    state = readability.walk_state(walk)
    walk.get_by_role("button", name=hinglish("Next ▶")).click()
    readability.wait_for_phase(page, walk, state["phase"])
    readability.assert_readable(readability.measure_graphs(walk, ".minigrad-graph svg"), where)
    walk.get_by_role("button", name=hinglish("⟲ Reset")).click()
    walk.get_by_role("button", name="Guess").click()
    box = walk.locator(".minigrad-guess-box input")
    for answer, verdict, says in (("abc", ".minigrad-guess-verdict", "number nahi jo main padh sakun"),
                                  ("5", ".minigrad-guess-verdict", "Abhi nahi: aapne kaha 5"),
                                  ("4", ".minigrad-guess-score", "sahi andaza")):
        box.fill(answer)
        box.press("Enter")
        expect(walk.locator(verdict)).to_contain_text(says, timeout=timeout)
    left = english_left(walk.inner_text())
    assert left == [], left
    assert overflowing(walk) == []
    return walk


def test_a_hinglish_notebook_speaks_hinglish_and_stays_readable(page, lab, console_errors, tmp_path):
    panel = open_notebook(page, lab, "hinglish/05_autograd_in_practice")
    run_all(page, panel)
    gradients = cell_output(panel, "lab = GradientLab()")
    reading = gradients.locator(".minigrad-grad")
    for expected in ("4", "8", "12"):  # the notebook zeroed x.grad; three presses accumulate again
        gradients.get_by_role("button", name="backward()", exact=True).click()
        expect(reading).to_contain_text(f"x.grad = {expected}")
    gradients.get_by_role("button", name=hinglish("inside no_grad()")).click()
    gradients.get_by_role("button", name="backward()", exact=True).click()
    expect(gradients.locator(".minigrad-error")).to_contain_text("does not require grad")  # PyTorch's own words
    expect(gradients).to_contain_text(hinglish("Turn it off, then press backward() again."))
    shown = panel.evaluate(WIDGETS_JS)
    assert shown.strip()
    assert english_left(shown) == [], english_left(shown)
    readability.assert_readable(readability.measure_graphs(panel, ".minigrad-graph svg"), "hinglish 05")
    assert overflowing(gradients) == []
    screenshot(gradients, "hinglish-05-gradient-lab", tmp_path)

    # the switch on one widget changes them all, live, and back
    gradients.locator(".minigrad-language").get_by_text("English", exact=True).click()
    expect(gradients.get_by_role("button", name="inside no_grad()")).to_be_visible()
    expect(gradients.locator(".minigrad-graph, p").first).to_be_visible()
    gradients.locator(".minigrad-language").get_by_text("Hinglish", exact=True).click()
    expect(gradients.get_by_role("button", name=hinglish("inside no_grad()"))).to_be_visible()
    assert not re.search(r"Traceback", panel.evaluate(WIDGETS_JS))

    # the Hinglish 04's NeuronLab, after Run All: every control's words fit (a fixed-width button cut
    # "N epochs train karo" at 1280 px), none is English
    panel = open_beside(page, lab, "hinglish/04_neuron_bce")
    run_all(page, panel)
    neuron = cell_output(panel, "lab = NeuronLab()")
    expect(neuron.get_by_role("button", name=hinglish("Train N epochs"))).to_be_visible()
    assert overflowing(neuron) == []
    # and its training controls stay one row beside JupyterLab's open file browser (1280 px: Reset fell to a
    # line of its own, away from Train)
    spans = neuron.get_by_role("button", name=hinglish("Train N epochs")).evaluate(
        "b => [...b.parentElement.children].map(c => c.getBoundingClientRect()).map(r => [r.top, r.bottom])")
    assert max(top for top, _ in spans) < min(bottom for _, bottom in spans), spans  # one line: all side by side
    assert english_left(neuron.inner_text()) == [], english_left(neuron.inner_text())
    assert console_errors == [], console_errors


@pytest.mark.parametrize("name", ["04_neuron_bce"])  # the widest drawings; the buttons are the same everywhere
def test_present_mode_in_hinglish_fits_one_projector_screen(page, present, console_errors, name):
    """``make present`` on a Hinglish lesson at 1280 × 720: every step of every walkthrough on one screen, labels
    at Present mode's size, the walkthrough's own words Hinglish (its buttons, guess prompts)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(present.page_url(f"voila/render/hinglish/{name}.ipynb"), timeout=120_000)
    walks = page.locator(".minigrad-walkthrough")
    walks.first.locator(".minigrad-graph svg").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    for index in range(walks.count()):
        walk = walks.nth(index)
        walk.scroll_into_view_if_needed()
        state = readability.walk_state(walk)
        while True:
            graphs = readability.measure_graphs(walk, ".minigrad-graph svg")
            readability.assert_readable(graphs, f"hinglish {name} {state['phase']}", readability.PRESENT_LABEL_PX,
                                        readability.PRESENT_LABEL_PX)
            assert state["fit_px"] <= readability.SCREEN, (name, state)
            assert state["page_overflow_px"] <= 1, (name, "the page scrolls sideways", state)
            if state["phase"].startswith("Backward") and state["phase"].split()[1] == state["phase"].split()[-1]:
                break
            walk.get_by_role("button", name=hinglish("Next ▶")).click()
            readability.wait_for_phase(page, walk, state["phase"])
            state = readability.walk_state(walk)
        left = english_left(walk.inner_text())
        assert left == [], (name, left)
        assert overflowing(walk) == [], name
        if index == 0:
            walk.screenshot(path=str(ROOT / "build" / f"hinglish-{name}-present.png"))
    assert console_errors == [], console_errors


def test_a_hinglish_walkthrough_steps_and_takes_a_guess_in_hinglish(page, lab, console_errors, tmp_path):
    """The Hinglish 01 in JupyterLab: step its walkthrough, switch on guess mode, answer oddly, wrongly, then
    rightly; every word the widget shows is Hinglish, every label >= 14 px."""
    panel = open_notebook(page, lab, "hinglish/01_square")
    run_all(page, panel)
    walk = step_and_guess_in_hinglish(page, panel, "hinglish 01")
    screenshot(walk, "hinglish-01-guess", tmp_path)
    (ROOT / "build").mkdir(exist_ok=True)
    walk.screenshot(path=str(ROOT / "build" / "hinglish-01-guess.png"))
    assert console_errors == [], console_errors
