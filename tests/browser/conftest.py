"""Real-browser fixtures: headless Debian Chromium driven by Playwright, and our own JupyterLab.

Without Chromium these tests skip with the reason; on CI (``CI=true``) a missing browser is a
failure. JupyterLab runs on 127.0.0.1, a free port, a token, a temporary copy of the
notebooks and private settings, and is stopped (its own process group) after the session.
"""

import json
import os
import pathlib
import secrets
import shutil
import socket
import urllib.request

import pytest

from . import servers

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("MINIGRAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium():
    if os.path.exists(CHROMIUM):
        return
    message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": on CI the browser tests must run")
    pytest.skip(message + ": browser tests skipped")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}  # a laptop (DESIGN §8)


def write_report(name, report):
    """What a module measured, as build/NAME (JSON): the numbers docs/ quotes."""
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / name).write_text(json.dumps(report, indent=1) + "\n")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_settings(settings):
    """No news pop-up, and every cell rendered (no windowing) so the tests can see them all."""
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                             "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }.items():
        path = settings / plugin
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


class Server:
    def __init__(self, url, token, root, running):
        self.url, self.token, self.root, self.running = url, token, root, running

    def page_url(self, path):
        return f"{self.url}/{path}{'&' if '?' in path else '?'}token={self.token}"

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def restore(self, name):
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", self.notebooks / f"{name}.ipynb")

    def shut_down_kernels(self):
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def stop(self):
        """Stop the server we started (and its kernels): its own process group, nothing else."""
        self.running.stop()


def private_env(root):
    env = dict(os.environ)
    for name in ("JUPYTERLAB_SETTINGS_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        folder = root / name.lower()
        folder.mkdir(exist_ok=True)
        env[name] = str(folder)
    _write_settings(root / "jupyterlab_settings_dir")
    env["MINIGRAD_RENDERER"] = "wasm" if not shutil.which("dot") else ""
    return env


def serve_notebooks(tmp_path_factory, name, command, env=None, token=None):
    """Start a server on a temporary copy of notebooks/; ``command(folder, port, token)`` says which,
    ``env`` adds variables."""
    require_chromium()
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    port, token = free_port(), token or secrets.token_hex(16)
    url, ready_path = f"http://127.0.0.1:{port}", "api/status" if name == "lab" else ""
    running = servers.start(name, command(root / "notebooks", port, token), f"{url}/{ready_path}?token={token}",
                            root / "server.log", cwd=root, env={**private_env(root), **(env or {})})
    server = Server(url, token, root, running)
    server.notebooks = root / "notebooks"
    return server


def make_command(target, **variables):
    """``make TARGET NAME=value ...`` in the repository: the README's own recipe, told the tests' folder and port."""
    return ["make", "--no-print-directory", "-C", str(ROOT), target, *(f"{name}={value}" for name, value in
                                                                       variables.items())]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """``make lab`` serving a temporary copy of notebooks/ (its token from JUPYTER_TOKEN, no browser opened)."""
    token = secrets.token_hex(16)
    server = serve_notebooks(tmp_path_factory, "lab", lambda folder, port, _: make_command(
        "lab", NOTEBOOKS=folder, PORT=port, LAB_ARGS="--no-browser --ServerApp.port_retries=0"),
        env={"JUPYTER_TOKEN": token}, token=token)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def present(tmp_path_factory):
    """``make present`` (Voila, every walkthrough in Present mode) serving a temporary copy of notebooks/."""
    server = serve_notebooks(tmp_path_factory, "present", lambda folder, port, _: make_command(
        "present", NOTEBOOKS=folder, PRESENT_PORT=port, PRESENT_ARGS="--Voila.port_retries=0"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def blocked_requests(request):
    """Every page stays on this machine: requests anywhere but 127.0.0.1 (CDNs) are refused and listed."""
    blocked = []
    if "page" not in request.fixturenames:
        return blocked
    page = request.getfixturevalue("page")

    def only_this_machine(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    return blocked


@pytest.fixture
def console_errors(page, blocked_requests):
    """JavaScript errors the page reports (console errors and uncaught exceptions).

    A failed load of a resource we refused (a CDN, see ``blocked_requests``) is not the page's fault
    and is left out; any other failed load still counts.
    """
    errors = []

    def record(message):
        refused_load = message.text.startswith("Failed to load resource: net::ERR_FAILED") and blocked_requests
        if message.type == "error" and not refused_load:
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# A key press until a widget's new picture: both timed from the page's own clock. ``window.__keyAt`` is the next
# keydown; ``window.__pictureAt`` resolves when a new <svg> matching ``selector`` is shown in ``root`` (the widget's
# HTML replaced, not the old picture), or at the first animation frame after it (``untilPainted``), or null after
# ``noPictureMs``. Only a batch of changes that adds an <svg> is looked at: measuring the page's layout or
# serialising the drawing at every change (an equation's typesetting makes many) would slow the page measured.
NEW_PICTURE_JS = r"""
(root, [selector, noPictureMs, untilPainted]) => {
  const shown = () => [...root.querySelectorAll(selector)].find(s => s.getBoundingClientRect().width > 0);
  const beforeElement = shown(), before = beforeElement ? beforeElement.outerHTML : null;
  window.__keyAt = null;
  document.addEventListener('keydown', () => { window.__keyAt = performance.now(); }, {capture: true, once: true});
  const addsSvg = (records) => records.some(r => [...r.addedNodes].some(n => n.nodeType === 1
      && (n.tagName.toLowerCase() === 'svg' || n.querySelector('svg'))));
  window.__pictureAt = new Promise(resolve => {
    const observer = new MutationObserver((records) => {
      if (!addsSvg(records)) return;
      const svg = shown();
      if (svg && svg !== beforeElement && svg.outerHTML !== before) {
        observer.disconnect();
        clearTimeout(timeout);
        if (untilPainted) requestAnimationFrame(() => resolve(performance.now()));
        else resolve(performance.now());
      }
    });
    const timeout = setTimeout(() => { observer.disconnect(); resolve(null); }, noPictureMs);
    observer.observe(root, {subtree: true, childList: true});
  });
}
"""
