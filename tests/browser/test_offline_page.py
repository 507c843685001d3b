"""The kernel-free page: notebook 03 exported to HTML, opened with no kernel and every request off
this machine aborted and counted. It must be whole: maths typeset, local fonts, and the graph,
equation, phase and node table following ▶ Play; controls that need a kernel greyed out and said so.
"""

import functools
import http.server
import re
import subprocess
import threading

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, free_port

# the teacher's guide's command, run as written (docs/teaching.md; tests/test_commands.py checks it is there)
EXPORT = ".venv/bin/python tools/export_html.py notebooks/03_three_links.ipynb -o build/html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def offline_page():
    result = subprocess.run(EXPORT, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = ROOT / "build" / "html"
    page_path = folder / "03_three_links.html"
    assert page_path.exists(), result.stdout
    port = free_port()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/{page_path.name}"
    server.shutdown()


def visible_phase(page):
    labels = page.locator(".widget-label:visible").filter(has_text=re.compile(r"^(Forward|Backward) \d+ / \d+$"))
    return labels.first


RAW_TEX = r"\$\$|\\frac|\\partial|\\cdot|\\mathrm"
MATHS_DONE = """() => window.MathJax && MathJax.Hub && MathJax.Hub.queue && MathJax.Hub.queue.pending === 0
                     && !MathJax.Hub.queue.running && document.querySelectorAll('.MathJax_CHTML').length > 0"""


READ_RENDERED_TEXT = """() => {  // what the page renders as text: markdown and widgets, not code or printed output
    const skipped = [...document.querySelectorAll(
        '.jp-InputArea, .jp-OutputArea-output[data-mime-type="text/plain"]')];
    skipped.forEach(e => e.style.setProperty('display', 'none'));
    const text = document.body.innerText;
    skipped.forEach(e => e.style.removeProperty('display'));
    return text;
}"""


def raw_tex_shown(page):
    """Raw TeX a reader would see (a cell that prints a LaTeX string as code output does not count)."""
    return re.findall(RAW_TEX, page.evaluate(READ_RENDERED_TEXT))


def test_saved_walkthrough_is_whole_with_no_kernel_and_no_network(page, offline_page, blocked_requests,
                                                                     console_errors):
    page.goto(offline_page)  # every request off this machine is refused and listed (see blocked_requests)
    phase = visible_phase(page)
    expect(phase).to_have_text("Forward 1 / 3", timeout=60_000)
    page.wait_for_function(MATHS_DONE, timeout=60_000)
    typeset = page.locator(".MathJax_CHTML").count()
    assert raw_tex_shown(page) == [], "maths left as raw TeX"
    walk = page.locator(".widget-vbox").filter(has=page.locator(".minigrad-graph")).first
    # kernel-only controls are greyed out and said so; the browser-linked ones work
    expect(walk.locator(".minigrad-kernel-note")).to_contain_text("This saved page has no kernel")
    expect(walk.get_by_role("button", name="Next ▶")).to_be_disabled()
    expect(walk.locator(".widget-text input").first).to_be_disabled()
    assert walk.locator(".widget-slider").filter(has_text="x").first.locator(".slider").first.evaluate(
        "s => s.hasAttribute('disabled') || s.closest('.mod-disabled') !== null || "
        "getComputedStyle(s).pointerEvents === 'none' || s.getAttribute('disabled') !== null")
    font = walk.locator(".widget-label").first.evaluate("label => getComputedStyle(label).fontFamily")
    assert "sans-serif" in font and not font.lower().startswith(("serif", "times")), font
    # ▶ Play: the graph, phase, equation and node table all follow
    graph = page.locator(".minigrad-graph:visible svg").first
    first_frame, first_table = graph.inner_html(), page.locator(".minigrad-table:visible").first.inner_text()
    page.locator(".widget-play button:visible").first.click()
    expect(phase).not_to_have_text("Forward 1 / 3", timeout=15_000)
    assert page.locator(".minigrad-graph:visible svg").first.inner_html() != first_frame
    expect(phase).to_have_text("Backward 4 / 4", timeout=30_000)
    last_table = page.locator(".minigrad-table:visible").first.inner_text()
    assert last_table != first_table and "—" in first_table  # at step 0 most values are still to come
    assert re.search(r"x\s+2\s", last_table), last_table  # the leaf row, its value at the end
    equation = page.locator(".widget-htmlmath:visible").first
    expect(equation).to_contain_text("x.grad")
    page.wait_for_function(MATHS_DONE, timeout=30_000)
    assert raw_tex_shown(page) == [], "maths left as raw TeX after Play"
    print(f"\noffline page: {len(blocked_requests)} requests off the machine, {len(console_errors)} console "
          f"errors, {typeset} formulas typeset at load")
    assert blocked_requests == [], blocked_requests
    assert console_errors == [], console_errors
