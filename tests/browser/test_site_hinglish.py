"""The in-browser site in Hinglish: its first page asks for the language, and the Hinglish lesson it opens
speaks Hinglish in the tab (Pyodide): a walkthrough stepped and a guess taken, no English catalogue sentence on
screen, every label at least 14 px, nothing fetched off this machine."""

import json

import pytest
from playwright.sync_api import expect

from . import test_site
from .conftest import ROOT
from .test_hinglish import step_and_guess_in_hinglish

LESSON = "hinglish/01_square.ipynb"


@pytest.fixture(scope="module")
def site_url():
    """build/site/ (built by test_site's fixture if it is stale), served on 127.0.0.1 by the site's server."""
    test_site.require_chromium()
    test_site.build_site_if_stale()
    server = test_site.start_in_background(test_site.serve_site.make_server(
        test_site.SITE, "127.0.0.1", 0, test_site.site_timeline.AppExposingHandler))  # window.jupyterapp, to drive it
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_site_asks_for_the_language_and_its_hinglish_lesson_speaks_hinglish(page, site_url, console_errors,
                                                                                blocked_requests):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site_url}/", timeout=60_000)
    english, choice = page.locator("#english"), page.locator("#hinglish")
    expect(english).to_have_attribute("href", "lab/index.html?path=00_start_here.ipynb")
    for link in (english, choice):  # big enough for a phone or a projector, readable
        size = float(link.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 18, size
    expect(choice).to_have_attribute("href", "lab/index.html?path=hinglish/00_start_here.ipynb")
    page.goto(f"{site_url}/lab/index.html?path={LESSON}", timeout=60_000)
    page.wait_for_function("""path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return w && w.context && w.context.path === path && w.sessionContext.session
               && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }""",
                           arg=LESSON, timeout=120_000, polling=100)
    test_site.wait_idle(page)
    stored = json.loads((ROOT / "notebooks" / LESSON).read_text(encoding="utf-8"))
    code_cells = sum(cell["cell_type"] == "code" for cell in stored["cells"])
    test_site.run_all(page, code_cells + 1)  # the site's setup cell, then the lesson's own
    panel = page.locator(".jp-NotebookPanel:visible")
    walk = step_and_guess_in_hinglish(page, panel, "site, hinglish 01", timeout=30_000)
    (ROOT / "build").mkdir(exist_ok=True)
    walk.screenshot(path=str(ROOT / "build" / "site-hinglish-01-guess.png"))
    assert blocked_requests == [], blocked_requests
    assert console_errors == [], console_errors
