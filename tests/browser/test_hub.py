"""A real JupyterHub on this machine, with a class of twenty: does the course hold up on a shared server?

JupyterHub (pip ``jupyterhub``) and its proxy (npm ``configurable-http-proxy``, installed into .cache/hub/ if
missing) run on 127.0.0.1, free ports, a temporary root, in a process group of their own that the module stops.
This configuration is the test's own (HUB_TEST_CONFIG): a test authenticator (one shared password, twenty named
students) and SimpleLocalProcessSpawner, which runs every student's server as this same unix user, each in a home
folder of its own under the temporary root. The configuration shipped for teachers, jupyter/jupyterhub_config.py,
is the other way round (system users, PAM, no sign-up): tests/test_hub_config.py checks it.

Twenty students sign in through the hub's login form, and each, through the hub's REST API and the kernel's
websocket (no browser each), uploads ``04_neuron_bce``, starts a kernel, runs every cell in order and saves the
notebook with its outputs. One student's kernel is killed in the middle of the run: the others go on, and that
student's notebook (what had run) is saved. Then: every saved notebook is whole, each student reads and writes
only their own files (another's are refused), and the numbers go to build/hub-load.json and the test log: memory
per student server and per kernel, seconds to a ready kernel and to run the notebook, the CPU seconds it all took,
and from them students per GB and per core (docs/classroom.md).
"""

import concurrent.futures
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import nbformat
import pytest

from . import servers, test_site
from .conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, require_chromium, write_report
from .servers import cmdline, cpu_seconds, descendants, memory_mb

NOTEBOOK = ROOT / "notebooks" / "04_neuron_bce.ipynb"
STUDENTS = 20
KILLED = "student07"  # whose kernel dies mid-run
HUB_CACHE = ROOT / ".cache" / "hub"
PROXY_SPEC = "configurable-http-proxy@5.3.0"
DEADLINE_S = 300
REPORT = {}

HUB_TEST_CONFIG = """\
# The hub test's own configuration (tests/test_hub.py): NEVER for a class. A test authenticator (one shared
# password) and a spawner that runs every student as this one unix user.
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{root}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{root}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{root}/jupyterhub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({students!r})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{root}/home/{{username}}"
c.Spawner.notebook_dir = "{root}/home/{{username}}"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.concurrent_spawn_limit = {students_count}
c.JupyterHub.services = [{{"name": "class-test", "api_token": {service_token!r}}}]
c.JupyterHub.load_roles = [{{"name": "class-test", "services": ["class-test"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}}]
"""


# ------------------------------------------------------------------------------ the hub
def require(what, message):
    if what:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": on CI the hub test must run")
    pytest.skip(message)


def proxy_command():
    installed = HUB_CACHE / "node_modules" / ".bin" / "configurable-http-proxy"
    if not installed.exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(HUB_CACHE),
                        PROXY_SPEC], check=False, timeout=300, capture_output=True)
    require(installed.exists(), f"npm could not install {PROXY_SPEC} into {HUB_CACHE}")
    return str(installed)


def environ_user(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as file:
            for item in file.read().split(b"\0"):
                if item.startswith(b"JUPYTERHUB_USER="):
                    return item.split(b"=", 1)[1].decode()
    except OSError:
        return None
    return None


class Hub:
    def __init__(self, root):
        require(importable("jupyterhub"), "jupyterhub is not installed (pip install jupyterhub)")
        self.root = root
        self.port, self.password = free_port(), secrets.token_hex(8)
        self.service_token = secrets.token_hex(24)
        self.students = [f"student{n:02d}" for n in range(1, STUDENTS + 1)]
        settings = root / "lab-settings" / "@jupyterlab"
        for plugin, values in {"apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}',
                               "notebook-extension/tracker": '{"windowingMode": "none"}'}.items():  # every cell drawn
            (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
            (settings / f"{plugin}.jupyterlab-settings").write_text(values)
        environment = {"JUPYTER_CONFIG_DIR": str(root / "jupyter-config"), "JUPYTERLAB_SETTINGS_DIR":
                       str(root / "lab-settings"), "MINIGRAD_RENDERER": "" if shutil.which("dot") else "wasm",
                       "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT / "jupyter")}  # the pre-save hook
        args = [f"--config={ROOT / 'jupyter' / 'jupyter_server_config.json'}"]  # as make lab: whole saved widgets
        if os.getuid() == 0:
            args.append("--allow-root")
        config = HUB_TEST_CONFIG.format(
            port=self.port, hub_port=free_port(), proxy_api_port=free_port(), proxy=proxy_command(), root=root,
            password=self.password, students=self.students, python=sys.executable, args=args,
            environment=environment, students_count=STUDENTS, service_token=self.service_token)
        (root / "jupyterhub_config.py").write_text(config)
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = servers.start("jupyterhub", [sys.executable, "-m", "jupyterhub", "-f",
                                                    str(root / "jupyterhub_config.py")],
                                     f"{self.url}/hub/api/", root / "hub.log", cwd=root,
                                     env={**os.environ, "JUPYTERHUB_CRYPT_KEY": ""})
        self.process = self.running.process

    def api(self, path, method="GET", body=None, token=None):
        request = urllib.request.Request(f"{self.url}/hub/api/{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"token {token or self.service_token}"})
        return send(request)

    def stop(self):
        """The students' servers and kernels first (their own sessions: by their PIDs, at once; every notebook is
        saved by then), then the hub and its proxy (its process group); nothing else."""
        started = {pid: cmdline(pid) for pid in descendants(self.process.pid)}
        kill([pid for pid, line in started.items() if "jupyterhub.singleuser" in line or "ipykernel" in line])
        self.running.stop(grace_s=30)
        kill([pid for pid, line in started.items() if line and cmdline(pid) == line])  # still the very processes


def send(request):
    """Send an API request and return its JSON answer. An HTTP error keeps its code (some tests expect one) and
    says which request it was and what the server answered, so a failure in CI can be read from its log."""
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            data = response.read()
    except urllib.error.HTTPError as error:
        path = urllib.parse.urlsplit(request.full_url).path
        error.add_note(f"{request.get_method()} {path}: {error.read()[:300].decode(errors='replace')}")
        raise
    return json.loads(data) if data else None


def kill(pids):
    """SIGKILL to each of ``pids`` (processes this hub started) that is still there."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def importable(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("hub"))
    yield hub
    hub.stop()
    write_report("hub-load.json", REPORT)


# ------------------------------------------------------------------------------ one student
class Student:
    def __init__(self, hub, name):
        self.hub, self.name = hub, name
        self.base = f"{hub.url}/user/{name}"
        self.token = None
        self.times = {}
        self.kernel_id = None
        self.outcome = None
        self.restarts = 0

    def sign_in(self):
        """The hub's login form, as a person uses it (the page's _xsrf, the name and the password)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.hub.url}/hub/login", timeout=60) as response:
            page = response.read().decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"_xsrf": xsrf, "username": self.name, "password": self.hub.password}).encode()
        with opener.open(f"{self.hub.url}/hub/login?next=", data=form, timeout=60) as response:
            response.read()
        assert any(cookie.name.startswith("jupyterhub-hub-login") for cookie in jar), f"{self.name} not signed in"
        self.make_token()

    def make_token(self):
        """A token of the student's own (the test's service asks the hub for it), for the student's server's API."""
        self.token = self.hub.api(f"users/{self.name}/tokens", "POST", {"note": "class test", "expires_in": 3600})[
            "token"]

    def start_server(self):
        started = time.monotonic()
        try:
            self.hub.api(f"users/{self.name}/server", "POST", {})
        except urllib.error.HTTPError as error:
            if error.code != 400:  # 400: already running
                raise
        while time.monotonic() - started < 240:
            user = self.hub.api(f"users/{self.name}")
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                self.times["server_ready_s"] = time.monotonic() - started
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}'s server did not start")

    def request(self, path, method="GET", body=None, token=None):
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"token {token or self.token}",
                                                  "Content-Type": "application/json"})
        return send(request)

    def forget_session(self, session_id):
        """Delete a session whose kernel failed to start. The server may have dropped it already, with its dead
        kernel: it then answers 404 ("Session not found: Kernel ... appears to have ... died"), which is fine."""
        try:
            self.request(f"sessions/{session_id}", "DELETE")
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise

    def upload(self, notebook):
        self.request("contents/04_neuron_bce.ipynb", "PUT", {"type": "notebook", "format": "json",
                                                             "content": notebook})

    def run(self, kill_after=None):
        """Open the notebook in a kernel, run every code cell in order, save it with its outputs."""
        import websocket

        notebook = nbformat.from_dict(self.request("contents/04_neuron_bce.ipynb")["content"])
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        started = time.monotonic()
        for attempt in range(3):
            session = self.request("sessions", "POST", {"path": "04_neuron_bce.ipynb", "type": "notebook",
                                                        "name": "04_neuron_bce.ipynb", "kernel": {"name": "python3"}})
            self.kernel_id = session["kernel"]["id"]
            address = f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{self.kernel_id}/channels"
            socket_ = None
            try:
                socket_ = websocket.create_connection(address, header=[f"Authorization: token {self.token}"],
                                                      timeout=90)
                self.execute(socket_, "kernel_info_request", {}, [])
                socket_.settimeout(120)
                break
            except (websocket.WebSocketException, OSError):
                # twenty servers starting kernels in the same second can pick the same free TCP port (jupyter_client
                # chooses each kernel's ports at random): that kernel dies, or its restart never answers. A new
                # session starts a new kernel on new ports (counted: kernel_restarts_at_start)
                if socket_ is not None:
                    socket_.close()
                self.restarts += 1
                if attempt == 2:
                    raise
                self.forget_session(session["id"])
        try:
            self.times["kernel_ready_s"] = time.monotonic() - started
            started = time.monotonic()
            ran = 0
            for cell in notebook.cells:
                if cell.cell_type != "code":
                    continue
                if kill_after is not None and ran == kill_after:
                    self.kill_kernel()
                    self.outcome = "killed"
                    break
                reply = self.execute(socket_, "execute_request", {"code": cell.source, "silent": False,
                                                                  "store_history": True, "allow_stdin": False,
                                                                  "stop_on_error": False}, cell.outputs)
                cell.execution_count = reply["content"].get("execution_count")
                ran += 1
            else:
                self.outcome = "ran"
                self.times["run_s"] = time.monotonic() - started
        finally:
            socket_.close()
        self.request("contents/04_neuron_bce.ipynb", "PUT", {"type": "notebook", "format": "json",
                                                             "content": notebook})
        return notebook

    def execute(self, socket_, msg_type, content, outputs):
        msg_id = uuid.uuid4().hex
        socket_.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": msg_type, "username": self.name,
                                            "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                                 "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
                                 "buffers": []}))
        reply, idle = None, msg_type == "kernel_info_request"
        while reply is None or not idle:
            message = decode(socket_.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if message["channel"] == "shell" and kind.endswith("_reply"):
                reply = message
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
            elif kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append(nbformat.v4.output_from_msg(message))
        return reply

    def kill_kernel(self):
        """SIGKILL this student's kernel process (as the out-of-memory killer would)."""
        for pid in descendants(self.hub.process.pid):
            if self.kernel_id in cmdline(pid):
                os.kill(pid, signal.SIGKILL)
                return pid
        raise RuntimeError(f"no kernel process for {self.name}")


def decode(frame):
    """A kernel message from the websocket: JSON text, or binary (a message with buffers: jupyter_server's
    framing, a count, the offsets, then the JSON and the buffers)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(count)] + [len(frame)]
    return json.loads(frame[offsets[0]:offsets[1]])


# ------------------------------------------------------------------------------ one student in a real browser
def run_in_browser(playwright, hub, student, source):
    """Sign in on the hub's page, let the hub start the server, open 04 in JupyterLab, Run All, save."""
    require_chromium()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        off_site = []
        context.on("request", lambda r: r.url.startswith((hub.url, "data:", "blob:")) or off_site.append(r.url))
        context.set_default_timeout(120_000)  # nineteen other students sign in and start kernels on 2 cores meanwhile
        page = context.new_page()
        started = time.monotonic()
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", student.name)
        page.fill("input[name=password]", hub.password)
        page.locator("#login_submit, [type=submit]").first.click()
        page.wait_for_url(re.compile(rf"/user/{student.name}/lab"), timeout=240_000)
        student.times["server_ready_s"] = time.monotonic() - started
        student.make_token()
        student.upload(source)
        started = time.monotonic()
        page.goto(f"{student.base}/lab/tree/04_neuron_bce.ipynb?reset")
        panel = page.locator(".jp-NotebookPanel:visible")
        panel.locator(".jp-CodeCell").first.wait_for(timeout=120_000)
        test_site.wait_idle(page, timeout=180_000)
        student.times["kernel_ready_s"] = time.monotonic() - started
        cells = sum(c["cell_type"] == "code" for c in source["cells"])
        student.times["run_s"], _ = test_site.run_all(page, cells, timeout=300_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Save Notebook", exact=True).first.click()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                saved = student.request("contents/04_neuron_bce.ipynb")["content"]
            except urllib.error.HTTPError:  # read while the server writes it: once more
                saved = {"cells": [{"cell_type": "code"}]}
            if all(c.get("execution_count") for c in saved["cells"] if c["cell_type"] == "code"):
                break
            time.sleep(0.2)
        test_site.wait_idle(page, timeout=60_000)
        student.outcome = "ran"
        student.off_site = off_site
    finally:
        browser.close()


# ------------------------------------------------------------------------------ the class
def class_processes(hub):
    """{student: {"server": pid, "kernels": [pid, ...]}} from /proc (each server's JUPYTERHUB_USER)."""
    found = {}
    everything = descendants(hub.process.pid)
    for pid in everything:
        line = cmdline(pid)
        if "jupyterhub.singleuser" in line or "jupyterhub-singleuser" in line:
            found.setdefault(environ_user(pid), {})["server"] = pid
    for entry in found.values():
        entry["kernels"] = [pid for pid in descendants(entry["server"]) if "ipykernel" in cmdline(pid)]
    return found


@pytest.fixture(scope="module")
def classroom(hub, playwright):
    """Twenty students sign in, start their servers, run 04 at once (one kernel killed, one student in a real
    browser); numbers measured."""
    source = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    students = [Student(hub, name) for name in hub.students]
    cpu_before = cpu_seconds([hub.process.pid] + descendants(hub.process.pid))
    started = time.monotonic()
    peak = {"servers_MB": 0.0, "kernels_MB": 0.0}
    stop_sampling = threading.Event()

    def sample():  # the class's memory, twice a second, while it works
        while not stop_sampling.wait(0.5):
            processes = class_processes(hub)
            peak["servers_MB"] = max(peak["servers_MB"], sum(memory_mb(p["server"], "VmRSS")
                                                             for p in processes.values()))
            peak["kernels_MB"] = max(peak["kernels_MB"], sum(memory_mb(k, "VmRSS") for p in processes.values()
                                                             for k in p["kernels"]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def one(student):
        student.sign_in()
        student.start_server()
        student.upload(source)
        return student.run(kill_after=6 if student.name == KILLED else None)

    in_browser, by_api = students[0], students[1:]
    with concurrent.futures.ThreadPoolExecutor(STUDENTS) as pool:
        running = [pool.submit(one, student) for student in by_api]
        run_in_browser(playwright, hub, in_browser, source)  # Playwright's own thread: this one
        results = {student.name: future.result(timeout=DEADLINE_S) for student, future in zip(by_api, running)}
    wall = time.monotonic() - started
    processes = class_processes(hub)
    stop_sampling.set()
    sampler.join()
    cpu = cpu_seconds([hub.process.pid] + descendants(hub.process.pid)) - cpu_before
    servers = [memory_mb(p["server"], "VmRSS") for p in processes.values()]
    kernels = [memory_mb(k, "VmRSS") for p in processes.values() for k in p["kernels"]]
    ran = [s for s in students if s.outcome == "ran"]
    per_student_mb = (sum(servers) + sum(kernels)) / len(processes)
    REPORT.update({
        "students": STUDENTS, "wall_s": round(wall, 1), "cpu_s_all": round(cpu, 1),
        "cpu_s_per_student": round(cpu / STUDENTS, 1), "machine_cores": os.cpu_count(),
        "server_MB_each": round(sum(servers) / len(servers), 1),
        "kernel_MB_each": round(sum(kernels) / max(1, len(kernels)), 1),
        "peak_servers_MB": round(peak["servers_MB"]), "peak_kernels_MB": round(peak["kernels_MB"]),
        "server_ready_s": summary([s.times["server_ready_s"] for s in students]),
        "kernel_ready_s": summary([s.times["kernel_ready_s"] for s in students]),
        "run_s": summary([s.times["run_s"] for s in ran]),
        "students_per_GB": round(1024 / per_student_mb, 1),
        "real_browser": {k: round(v, 1) for k, v in in_browser.times.items()},
        "kernel_restarts_at_start": sum(s.restarts for s in students),
    })
    print(f"\nJupyterHub, {STUDENTS} students: {json.dumps(REPORT)}")
    return students, results


def summary(values):
    values = sorted(values)
    return {"median": round(values[len(values) // 2], 1), "max": round(values[-1], 1)}


def test_twenty_students_run_the_neuron_notebook_on_one_hub_and_one_killed_kernel_harms_no_one(hub, classroom):
    students, results = classroom
    assert [s.name for s in students if s.outcome != "ran"] == [KILLED]
    assert students[0].off_site == []  # the browser's pages stayed on this machine
    stored = nbformat.read(NOTEBOOK, as_version=4)
    for student in students:
        saved = nbformat.from_dict(student.request("contents/04_neuron_bce.ipynb")["content"])
        nbformat.validate(saved)
        on_disk = nbformat.read(hub.root / "home" / student.name / "04_neuron_bce.ipynb", as_version=4)
        assert [c.source for c in saved.cells] == [c.source for c in stored.cells] == [c.source for c in on_disk.cells]
        counts = [c.execution_count for c in saved.cells if c.cell_type == "code"]
        if student.name == KILLED:  # what ran before the kill is saved, the rest is not run
            assert counts[:6] == list(range(1, 7)) and set(counts[6:]) == {None}
        else:
            assert counts == list(range(1, len(counts) + 1))
            errors = [o for c in saved.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
            assert errors == [], (student.name, errors[:1])
            printed = [o for c in saved.cells if c.cell_type == "code" for o in c.outputs]
            assert len(printed) >= sum(bool(c.outputs) for c in stored.cells if c.cell_type == "code")


def test_a_student_can_neither_read_nor_write_another_students_files(hub, classroom):
    students, _ = classroom
    ana, ben = students[0], students[1]
    for attempt in (lambda: ben.request("contents/04_neuron_bce.ipynb", token=ana.token),
                    lambda: ben.request("contents/note.txt", "PUT", {"type": "file", "format": "text",
                                                                     "content": "from ana"}, token=ana.token),
                    lambda: ben.request("kernels", token=ana.token)):
        with pytest.raises(urllib.error.HTTPError) as refused:
            attempt()
        assert refused.value.code in (403, 404), refused.value.code
    assert not (hub.root / "home" / ben.name / "note.txt").exists()
    with pytest.raises(urllib.error.HTTPError) as refused:  # nor through the hub's own API
        hub.api(f"users/{ben.name}/tokens", "POST", {"note": "not mine"}, token=ana.token)
    assert refused.value.code == 403
