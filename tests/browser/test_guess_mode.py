"""Guess mode in a real browser: a student in JupyterLab, and the class poll in Voila's Present mode.

A small notebook of its own (written into each server's temporary folder; the lessons are not
changed) holds two walkthroughs in guess mode: exp(sin(x²)) at x = 2, and the lecture's
x = [1, 2, 3] with its mean. In JupyterLab the student types a right guess (Enter), a wrong one
(a hint with the formula's numbers, "Try once more"), a second try, odd input ("abc", "1e999",
"nan", nothing and Check), a vector as "0.67, 1.33, 2", and reads the score; the log console stays
empty, nothing leaves the machine, no console error. In Voila with MINIGRAD_PRESENT=1 (what
``make present`` sets) the teacher types the room's answer on a 1280 × 720 screen: every text
of the guess row ≥ 14 px (22 px in fact), and controls, graph, equation and the guess row fit 720 px.
Screenshots go to build/guess/ (look at them).
"""

import os
import re
import sys

import nbformat
import pytest
from playwright.sync_api import expect

from .conftest import ROOT, serve_notebooks
from .test_lab import cell_output, run_all, wait_idle
from .test_robust import log_console_text

SHOTS = ROOT / "build" / "guess"
NAME = "guess_mode"
CHAIN_CELL = 'chain = Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0), guess=True)\nchain'
VECTOR_CELL = "vector = Walkthrough(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0], guess=True)\nvector"


def write_notebook(folder):
    from benchmarks.widgets import NEURON_CELL  # 07's hand-written neuron: the tallest drawing of the course

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext minigrad\nfrom minigrad.widgets import Walkthrough"),
                      nbformat.v4.new_code_cell(CHAIN_CELL), nbformat.v4.new_code_cell(VECTOR_CELL),
                      nbformat.v4.new_code_cell("%%walkthrough loss --guess\n" + NEURON_CELL)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / f"{NAME}.ipynb")


def guess(widget, text, judged=True):
    """Type a guess and press Enter; a judged guess (not odd input) empties the box, ready for the next: a
    person reads the verdict before typing again, and so does this."""
    box = widget.locator(".minigrad-guess-box input")
    box.fill(text)
    box.press("Enter")
    if judged:
        expect(box).to_have_value("", timeout=10_000)


def verdict(widget):
    return widget.locator(".minigrad-guess-verdict")


def next_step(widget):
    widget.get_by_role("button", name="Next ▶").click()


FONT_SIZES_JS = """(root) => {  // every text of the guess row as shown: the elements that hold it themselves
  const shown = (e) => e.getBoundingClientRect().width > 0;
  const own = (e) => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const texts = [...root.querySelectorAll('.minigrad-guess-prompt *, .minigrad-guess-verdict *, '
      + '.minigrad-guess-score *')].filter(shown).filter(own);
  const inputs = [...root.querySelectorAll('.minigrad-guess-box input')].filter(shown);
  const buttons = [...root.querySelectorAll('button')].filter(shown).filter(b => /Check|Show me/.test(b.textContent));
  return [...texts, ...inputs, ...buttons].map(e => ({text: (e.value || e.textContent).trim().slice(0, 40),
                                                      px: parseFloat(getComputedStyle(e).fontSize)}));
}"""

FIT_JS = """(root) => {
  const top = root.getBoundingClientRect().top;
  const bottom = Math.max(...[...root.querySelectorAll('.minigrad-guess-verdict, .minigrad-guess-score, '
      + '.minigrad-guess-box, .minigrad-equation, .minigrad-graph')].map(e => e.getBoundingClientRect().bottom));
  const page = document.documentElement;
  return {height: bottom - top, page_overflow: page.scrollWidth - page.clientWidth};
}"""


def test_a_student_guesses_in_jupyterlab(page, lab, console_errors, blocked_requests):
    write_notebook(lab.notebooks)
    lab.shut_down_kernels()
    page.goto(lab.page_url(f"lab/tree/{NAME}.ipynb?reset"))
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.wait_for(timeout=90_000)
    wait_idle(page)
    run_all(page, panel)
    chain = cell_output(panel, 'chain = Walkthrough("exp(sin(x**2))"')
    expect(chain.locator(".minigrad-guess-prompt")).to_contain_text("Your guess: y = ?", timeout=30_000)
    expect(chain.locator(".minigrad-graph svg text", has_text="value ?").first).to_be_visible()
    expect(chain.locator(".widget-play")).to_be_hidden()  # Play would step past the questions
    guess(chain, "4")  # right
    expect(verdict(chain)).to_contain_text("Right! y = 4.")
    expect(chain.locator(".minigrad-guess-score")).to_have_text("1 of 1 step guessed")
    expect(chain.locator(".minigrad-graph svg text", has_text="value 4").first).to_be_visible()
    next_step(chain)
    expect(chain.locator(".minigrad-guess-prompt")).to_contain_text("z = ?")
    odd = {"abc": "is not a number I can read", "1e999": "too big", "nan": "means “not a number”"}
    for typed, words in odd.items():  # gentle words, no try used, the text stays to be mended
        guess(chain, typed, judged=False)
        expect(verdict(chain)).to_contain_text(words)
        expect(chain.locator(".minigrad-guess-box input")).to_have_value(typed)
    chain.locator(".minigrad-guess-box input").fill("")
    page.wait_for_timeout(2200)  # long after the last judged guess: an empty Check is a request to type
    chain.get_by_role("button", name="Check").click()
    expect(verdict(chain)).to_contain_text("Type your guess for z first")
    guess(chain, "0.76")  # wrong: sin(4) is negative
    expect(verdict(chain)).to_contain_text("Not yet: you said 0.76. Hint: z = sin(y), with y = 4: work out sin(4).")
    expect(verdict(chain)).to_contain_text("Try once more")
    expect(chain.locator(".minigrad-graph svg text", has_text="value ?").first).to_be_visible()
    box = chain.locator(".minigrad-guess-box input")  # the second try, typed and Check clicked (no Enter)
    box.type("-0.76", delay=20)
    chain.get_by_role("button", name="Check").click()
    expect(verdict(chain)).to_contain_text("z = −0.7568")
    expect(box).to_have_value("")
    expect(chain.locator(".minigrad-guess-score")).to_have_text("2 of 2 steps guessed")
    next_step(chain)
    guess(chain, "1")
    guess(chain, "2")  # wrong twice: shown, with the hint
    expect(verdict(chain)).to_contain_text("Here it is: u = 0.4692")
    expect(chain.locator(".minigrad-guess-score")).to_have_text("2 of 3 steps guessed")
    sizes = chain.evaluate(FONT_SIZES_JS)
    assert sizes and min(s["px"] for s in sizes) >= 14, sizes
    SHOTS.mkdir(parents=True, exist_ok=True)
    chain.screenshot(path=str(SHOTS / "lab-guess.png"))

    vector = cell_output(panel, "vector = Walkthrough(lambda x")
    vector.scroll_into_view_if_needed()
    guess(vector, "1, 4, 9")
    expect(verdict(vector)).to_contain_text("y = [1.000, 4.000, 9.000]")
    for _ in range(3):
        next_step(vector)  # to PowBackward0: the local derivative 2x, then x's gradient
    expect(vector.locator(".minigrad-guess-prompt")).to_contain_text("∂y/∂x = ?")
    expect(vector.locator(".minigrad-guess-prompt")).to_contain_text("3 numbers, commas between")
    guess(vector, "2, 4", judged=False)
    expect(verdict(vector)).to_contain_text("has 3 numbers")
    guess(vector, "2, 4, 6")
    guess(vector, "0.67, 1.33, 2")
    expect(verdict(vector)).to_contain_text("∂z/∂x = [0.667, 1.333, 2.000]")
    expect(vector.locator(".minigrad-graph svg text", has_text="grad [0.667, 1.333, 2.000]").first).to_be_visible()
    logged = log_console_text(page)
    assert "Traceback" not in logged and "Error" not in logged, logged
    assert blocked_requests == [] and console_errors == [], (blocked_requests, console_errors)


@pytest.fixture(scope="module")
def voila_present(tmp_path_factory):
    """Voila as ``make present`` runs it (MINIGRAD_PRESENT=1), on a folder with the guess notebook in it."""
    server = serve_notebooks(tmp_path_factory, "voila-guess", lambda folder, port, token: [
        "/usr/bin/env", f"JUPYTER_PATH={ROOT / 'jupyter'}",
        sys.executable, "-m", "voila", str(folder), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
        "--Voila.port_retries=0", f"--token={token}", "--template=minigrad"], env={"MINIGRAD_PRESENT": "1"})
    write_notebook(server.notebooks)
    yield server
    server.stop()


def test_the_class_poll_in_present_mode_fits_a_projector(page, voila_present, console_errors, blocked_requests):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila_present.page_url(f"voila/render/{NAME}.ipynb"), timeout=120_000)
    chain = page.locator(".minigrad-walkthrough").first
    chain.locator(".minigrad-graph svg").first.wait_for(timeout=120_000)
    expect(chain.locator("button", has_text="Present").first).to_have_class(re.compile(r"mod-active"))
    prompt = chain.locator(".minigrad-guess-prompt")
    expect(prompt).to_contain_text("The room's answer for y = ?")
    chain.scroll_into_view_if_needed()
    guess(chain, "4")
    expect(verdict(chain)).to_contain_text("The room got it! y = 4.")
    next_step(chain)
    guess(chain, "abc", judged=False)
    expect(verdict(chain)).to_contain_text("is not a number I can read")
    guess(chain, "0.76")
    expect(verdict(chain)).to_contain_text("Not yet: the room said 0.76. Hint:")
    page.wait_for_timeout(1500)  # the equation typeset
    fit = chain.evaluate(FIT_JS)
    sizes = chain.evaluate(FONT_SIZES_JS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "present-poll-1280x720.png"))
    chain.screenshot(path=str(SHOTS / "present-poll-widget.png"))
    print(f"\nPresent poll: {fit['height']:.0f} px tall, smallest text {min(s['px'] for s in sizes):.0f} px")
    assert min(s["px"] for s in sizes) >= 14, sizes
    assert fit["height"] <= 720 and fit["page_overflow"] <= 1, fit
    guess(chain, "-0.76")
    expect(chain.locator(".minigrad-guess-score")).to_have_text("The room: 2 of 2 steps guessed")
    for _ in range(3):  # to step 5, SinBackward0: a gradient flowing back, asked for
        next_step(chain)
    expect(prompt).to_contain_text("The room's answer for ∂z/∂y = ?")
    guess(chain, "-0.65")
    expect(prompt).to_contain_text("∂u/∂y = ?")
    guess(chain, "0.3")  # the sign forgotten: the chain rule's numbers come back as the hint
    expect(verdict(chain)).to_contain_text("Chain rule: ∂u/∂y = ∂u/∂z × ∂z/∂y = 0.4692 × (−0.6536).")
    page.wait_for_timeout(1500)
    fit = chain.evaluate(FIT_JS)
    page.screenshot(path=str(SHOTS / "present-poll-backward-1280x720.png"))
    if os.environ.get("MINIGRAD_UPDATE_SCREENSHOTS") == "1":  # make screenshots: the README's picture
        page.screenshot(path=str(ROOT / "assets" / "screenshots" / "present_backward_1280x720.png"))
    assert fit["height"] <= 720 and fit["page_overflow"] <= 1, fit
    guess(chain, "-0.31")
    expect(chain.locator(".minigrad-graph svg text", has_text="grad −0.3067").first).to_be_visible()

    neuron = page.locator(".minigrad-walkthrough").nth(2)  # 07's neuron by hand: the tallest drawing
    neuron.scroll_into_view_if_needed()
    slider = neuron.locator(".widget-slider").filter(has_text="step").first.locator(".noUi-handle")
    slider.focus()
    for _ in range(12):  # past its 11 forward steps: a backward step, with its long hint under the equation
        page.keyboard.press("ArrowRight")
    expect(neuron.locator(".widget-label").filter(has_text=re.compile(r"^Backward"))).to_be_visible()
    guess(neuron, "12345")
    expect(verdict(neuron)).to_contain_text("Hint:")
    page.wait_for_timeout(1500)
    neuron.evaluate("root => root.scrollIntoView()")
    fit = neuron.evaluate(FIT_JS)
    overflow = neuron.evaluate("root => { const g = root.querySelector('.minigrad-graph'); "
                               "return g.scrollWidth - g.clientWidth; }")
    page.screenshot(path=str(SHOTS / "present-poll-neuron-1280x720.png"))
    print(f"07's neuron, guess mode in Present mode: {fit['height']:.0f} px tall, {overflow} px sideways")
    assert fit["height"] <= 720 and overflow <= 1, (fit, overflow)
    assert blocked_requests == [] and console_errors == [], (blocked_requests, console_errors)
