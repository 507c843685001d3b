"""Where a student's first kernel start goes, in the built site: a timeline of one first visit.

    PYTHONPATH=$PWD .venv/bin/python tools/site_timeline.py [SITE ...] [--runs N] [--trace FILE]

For each run (a new headless Chromium, an empty cache, as a first visit), it serves SITE (build/site by
default) on 127.0.0.1, opens ``lab/index.html?path=<first notebook>`` as tests/browser/test_site.py does,
waits for the same "kernel ready" (the status bar's Idle, and the kernel's Python answering a request),
then runs the notebook's first cell (the site's setup cell) and waits for it to finish. Printed, in
seconds from the page's request: the page's own milestones (JupyterLab's app object, the service
worker, the kernel's Web Worker), every download (HTML, JupyterLab's scripts, the wasm, the wheels),
Pyodide's own "Loading"/"Loaded" lines, the kernel ready and the first cell done. With ``--trace`` the
first run also writes a Chromium performance trace and prints the busiest work on each thread (the
page's main thread, the kernel's worker). Several sites given: their runs alternate, so that a busy
moment of this shared machine slows each alike. Nothing is fetched from anywhere but 127.0.0.1.
"""

import argparse
import collections
import json
import os
import pathlib
import statistics
import sys
import threading
import time

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import serve_site  # noqa: E402

CHROMIUM = os.environ.get("MINIGRAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_NOTEBOOK = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))[0]
# the page's milestones, written down by the page itself (performance.now(), the page's clock)
MILESTONES_JS = """(() => {
  const marks = window.__minigradMarks = [];
  const mark = (what) => marks.push([what, performance.now()]);
  const NativeWorker = window.Worker;
  window.Worker = function (url, options) {
      mark('new Worker ' + String(url).split('/').pop()); return new NativeWorker(url, options); };
  window.Worker.prototype = NativeWorker.prototype;
  let app;
  Object.defineProperty(window, 'jupyterapp', {configurable: true, get: () => app,
      set: (value) => { app = value; mark('jupyterapp set');
          value.started.then(() => mark('app started')); value.restored.then(() => mark('app restored')); }});
  document.addEventListener('DOMContentLoaded', () => mark('DOMContentLoaded'));
  window.addEventListener('load', () => mark('load'));
  if (navigator.serviceWorker) navigator.serviceWorker.ready.then(() => mark('service worker ready'));
})();"""
TRACE_CATEGORIES = ["devtools.timeline", "v8", "v8.wasm", "disabled-by-default-devtools.timeline", "loading",
                    "blink.user_timing", "toplevel", "v8.execute", "disabled-by-default-v8.compile"]


class AppExposingHandler(serve_site.SiteHandler):
    """The site as served by serve_site, but its jupyter-lite.json also says ``exposeAppInBrowser``, so that
    a measuring page can reach JupyterLab's app object (this tool, and the site test's server, use it)."""

    def do_GET(self):
        if self.path.split("?")[0] != "/jupyter-lite.json":
            return super().do_GET()
        config = json.loads((pathlib.Path(self.directory) / "jupyter-lite.json").read_text(encoding="utf-8"))
        config["jupyter-config-data"]["exposeAppInBrowser"] = True
        body = json.dumps(config).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(site):
    server = serve_site.make_server(site, "127.0.0.1", 0, AppExposingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def one_visit(playwright, url, trace_path=None):
    """One first visit: (seconds to a ready kernel, to its first cell done, sorted (seconds, what) events)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        (url, "data:", "blob:")) else route.abort())
    context.add_init_script(MILESTONES_JS)
    page = context.new_page()
    events, requests = [], []
    started_wall = time.time()
    started = time.monotonic()

    def at():
        return time.monotonic() - started

    page.on("console", lambda message: events.append((at(), f"console {message.type}: {message.text[:300]}")))
    page.on("pageerror", lambda error: events.append((at(), f"PAGE ERROR: {error.stack}")))
    context.on("requestfinished", lambda request: requests.append(request))
    if trace_path:
        browser.start_tracing(page=page, path=trace_path, categories=TRACE_CATEGORIES)
    started = time.monotonic()
    started_wall = time.time()
    page.goto(f"{url}/lab/index.html?path={FIRST_NOTEBOOK}.ipynb")
    page.wait_for_function("""path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return w && w.context && w.context.path === path && w.sessionContext.session
               && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }""",
                           arg=f"{FIRST_NOTEBOOK}.ipynb", timeout=180_000, polling=100)
    page.get_by_text("| Idle").first.wait_for(timeout=120_000)
    page.evaluate("""() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel
                     .requestIsComplete({code: 'x = 1'})""")
    ready = at()
    events.append((ready, "KERNEL READY"))
    # then the notebook's first cell (the site's setup cell: minigrad and Graphviz ready), as a student runs it
    page.evaluate("""() => { const panel = window.jupyterapp.shell.currentWidget;
        panel.content.activeCellIndex = 0; window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    page.wait_for_function("""() => { const prompt = document.querySelector(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt');
        return prompt && /\\[1\\]/.test(prompt.textContent); }""", timeout=180_000, polling=50)
    first_cell = at()
    events.append((first_cell, "FIRST CELL DONE"))
    origin = page.evaluate("performance.timeOrigin") / 1000 - started_wall
    for what, when in page.evaluate("window.__minigradMarks"):
        events.append((origin + when / 1000, f"page: {what}"))
    for request in requests:
        timing = request.timing
        begin = timing["startTime"] / 1000 - started_wall
        end = begin + timing["responseEnd"] / 1000 if timing["responseEnd"] > 0 else None
        size = request.sizes()["responseBodySize"] if end is not None else 0
        name = request.url[len(url):].split("?")[0]
        events.append((begin, f"GET  {name} ({size / 1e6:.2f} MB, done at {end:.2f} s)" if end else f"GET  {name}"))
    if trace_path:
        browser.stop_tracing()
    browser.close()
    return ready, first_cell, sorted(events)


def busiest(trace_path, top=25):
    """The longest top-level tasks per thread of a Chromium trace, and each thread's busy seconds."""
    events = json.loads(pathlib.Path(trace_path).read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    start = min(e["ts"] for e in events if e.get("ts"))
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and e.get("dur", 0) > 50_000:
            by_thread[names.get((e["pid"], e["tid"]), e["tid"])].append(e)
    for thread, items in sorted(by_thread.items(), key=lambda kv: str(kv[0])):
        print(f"\n== {thread}")
        for e in sorted(items, key=lambda e: e["ts"])[:200]:
            if e["dur"] > 150_000:
                detail = e.get("args", {}).get("data", {})
                what = detail.get("url") or detail.get("functionName") or ""
                print(f"  {(e['ts'] - start) / 1e6:7.2f} s  {e['dur'] / 1e6:6.2f} s  {e['name']} {str(what)[-70:]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sites", nargs="*", default=[str(ROOT / "build" / "site")])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--trace", help="write the first run's Chromium trace here, and summarize it")
    parser.add_argument("--quiet", action="store_true", help="only the kernel-ready times")
    args = parser.parse_args(argv)
    servers = [serve(site) for site in args.sites]
    results = collections.defaultdict(list)
    with sync_playwright() as playwright:
        for run in range(args.runs):
            for site, server in zip(args.sites, servers):
                load = os.getloadavg()[0]
                trace = args.trace if args.trace and run == 0 and site == args.sites[0] else None
                ready, first_cell, events = one_visit(playwright, f"http://127.0.0.1:{server.server_port}", trace)
                results[site].append((ready, first_cell))
                print(f"{site}: run {run + 1}: kernel ready {ready:.1f} s, first cell done {first_cell:.1f} s "
                      f"(load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)", flush=True)
                for when, what in events:
                    if not args.quiet or what.startswith(("PAGE ERROR", "console error")):
                        print(f"  {when:7.2f}  {what}")
                if trace:
                    busiest(trace)
    for site, times in results.items():
        for index, what in enumerate(("kernel ready", "first cell done")):
            each = [t[index] for t in times]
            print(f"{site}: {what} {' / '.join(f'{t:.1f}' for t in each)} s, median {statistics.median(each):.1f}")
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
