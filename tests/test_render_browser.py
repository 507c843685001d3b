"""Under Pyodide (sys.platform == "emscripten") viz draws with the browser's Graphviz, and says so when it cannot.

The drawing itself is checked in a real browser tab by tests/browser/test_site.py.
"""

import sys

import pytest

from minigrad.teaching import render_browser, viz


def test_in_a_browser_the_renderer_is_the_browsers_graphviz(monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setenv("MINIGRAD_RENDERER", "dot")  # nothing else can run there, whatever is asked
    assert viz.renderer() == "browser"


def test_drawing_before_graphviz_is_started_says_what_to_run(monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(render_browser, "_viz", None)
    with pytest.raises(render_browser.BrowserRenderError, match=r"run the notebook's first cell"):
        viz.render("digraph { a -> b }")


def test_starting_it_outside_pyodide_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setattr(render_browser, "_viz", None)
    starting = render_browser.load()  # stepped by hand: no event loop needed (a browser test may hold one)
    with pytest.raises(render_browser.BrowserRenderError, match="only inside Pyodide"):
        starting.send(None)
