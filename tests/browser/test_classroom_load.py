"""A whole class at once, on the wire (issue 24, DESIGN §12): what a student's browser downloads, and sixty of them.

The site is served as a classroom gets it: by the Makefile's own ``make serve-site`` recipe (SITE_HOST=127.0.0.1,
a free port), in a process group of its own that the module stops at the end. Nothing is sent anywhere but
127.0.0.1, and every request a page, its kernel's Web Worker or its service worker makes off the site is counted
(it must be none).

1. One real Chromium with a profile of its own (a disk cache, as a student's browser has) opens ``01_square``,
   waits for its kernel and runs all of it: the first visit. Its requests are kept: the class replays them.
2. Sixty students at once: sixty replayed first visits (each the browser's request list, on keep-alive
   connections, taking gzip as a browser does) while that real Chromium, among them, opens ``01`` again (its
   second visit), must reach a ready kernel and run all of it; then sixty second visits (that second visit's
   requests, conditional on the ETags each student got). Errors must be 0. Reported: the time until the last
   student has every file, the server's peak memory and CPU, bytes per student, and what 20, 50 and 100 Mbit/s
   of Wi-Fi would need for them.
3. The same Chromium opens the next notebook.
The bytes of each of the real browser's visits are read from the browser itself (Playwright's sizes of every
response the page, its workers and its service worker received, encoded, with headers; a response the service
worker passed on is counted once). Three browser visits in all (the browser among the sixty is the student's
second visit), so the module takes about two minutes of CI.

Everything measured goes to build/classroom-load.json and the test log; docs/classroom.md has the numbers.
"""

import collections
import http.client
import json
import os
import threading
import time
import urllib.parse

import pytest

from . import servers, test_site
from .conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, require_chromium, write_report

FIRST, NEXT = "01_square", "02_chain_rule_sin"
STUDENTS = 60
CONNECTIONS_PER_STUDENT = 6  # what a browser opens to one host
LOAD_DEADLINE_S = 240  # the whole class's first visits, bounded
# the targets (bytes on the wire, read from the browser)
SECOND_VISIT_MB, NEXT_NOTEBOOK_MB = 1.0, 2.0
# a first visit: the issue asks for 25 MB; gzip, zopfli, stored zips and plots drawn as SVG by minigrad (no
# matplotlib, no Pillow) bring 49.5 to 21.4 (docs/site.md says where the bytes go)
FIRST_VISIT_MB = 25
REPORT = {}


# ------------------------------------------------------------------------------ make serve-site
class MakeServeSite:
    """``make serve-site SITE_HOST=127.0.0.1 SITE_PORT=<free>``: the recipe itself, in its own process group."""

    def __init__(self, folder):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = servers.start("make serve-site", ["make", "--no-print-directory", "serve-site",
                                                         "SITE_HOST=127.0.0.1", f"SITE_PORT={self.port}"],
                                     f"{self.url}/index.html", folder / "serve-site.log", cwd=ROOT, timeout_s=60)
        self.make = self.running.process
        try:
            self.pid = self.server_pid()
        except BaseException:
            self.stop()
            raise

    def server_pid(self):
        """The Python process serving the site: make's descendant that runs tools/serve_site.py."""
        for _ in range(50):
            for pid in servers.descendants(self.make.pid):
                if any(part.endswith("serve_site.py") for part in servers.cmdline(pid).split()):
                    return pid
            time.sleep(0.02)
        raise RuntimeError("no serve_site.py process under make serve-site")

    def serving(self):
        """The serving process's pid; it must still be running."""
        assert servers.cmdline(self.pid), f"the site's server has gone:\n{self.running.output()}"
        return self.pid

    def cpu_seconds(self):
        return servers.cpu_seconds([self.serving()])

    def peak_memory_mb(self):
        return servers.memory_mb(self.serving(), "VmHWM")

    def stop(self):
        self.running.stop(grace_s=15)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_chromium()
    test_site.build_site_if_stale()
    server = MakeServeSite(tmp_path_factory.mktemp("serve-site"))
    yield server
    server.stop()
    write_report("classroom-load.json", REPORT)


# ------------------------------------------------------------------------------ one real student
class Student:
    """A Chromium with a profile (and so a disk cache) of its own; counts what each visit transfers."""

    def __init__(self, playwright, site_url, profile):
        self.site_url = site_url
        self.context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800})
        self.requests, self.off_site, self.cached = [], [], 0
        self.context.on("requestfinished", self.finished)
        self.context.on("request", self.sent)

    def sent(self, request):
        if not request.url.startswith((self.site_url, "data:", "blob:")):
            self.off_site.append(request.url)

    def finished(self, request):
        response = request.response()
        if response is None or response.from_service_worker or not request.url.startswith(self.site_url):
            return  # (the service worker's own fetch is counted; blob: and data: addresses are the page's own)
        sizes = request.sizes()  # Chromium's encoded bytes received, split into headers and the rest
        on_the_wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if on_the_wire <= 0:  # from the browser's cache (its body size is minus its headers'): nothing sent
            self.cached += 1
            return
        self.requests.append({"url": request.url, "status": response.status, "bytes": on_the_wire,
                              "revalidated": request.header_value("if-none-match") is not None})

    def visit(self, name):
        """Open ``name``, wait for its kernel, Run All; returns (bytes, requests, kernel-ready s, Run All s)."""
        before, cached_before = len(self.requests), self.cached
        page = self.context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        started = time.monotonic()
        page.goto(f"{self.site_url}/lab/index.html?path={name}.ipynb")
        panel = page.locator(".jp-NotebookPanel:visible")
        panel.locator(".jp-CodeCell").first.wait_for(timeout=120_000)
        test_site.wait_idle(page, timeout=180_000)
        ready = time.monotonic() - started
        notebook = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        cells = 1 + sum(c["cell_type"] == "code" for c in notebook["cells"])  # the site's setup cell, then the rest
        run_all_s, _ = test_site.run_all(page, cells, timeout=240_000)
        page.wait_for_timeout(300)  # the last responses' sizes
        page.close()
        assert errors == [], errors
        visited = self.requests[before:]
        self.cached_in_visit = self.cached - cached_before
        return sum(r["bytes"] for r in visited), visited, ready, run_all_s

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def visits(served, playwright, tmp_path_factory):
    """One student's first visit; sixty at once with that student's second visit among them; the next notebook."""
    student = Student(playwright, served.url, str(tmp_path_factory.mktemp("student-profile")))
    result, cached = {}, {}

    def visit(what, name):
        result[what] = student.visit(name)
        cached[what] = student.cached_in_visit
        return result[what]

    try:
        visit("first visit", FIRST)
        first_requests = [r["url"] for r in result["first visit"][1]]
        sixty = replay_class(served, first_requests, lambda: [r["url"] for r in visit("second visit", FIRST)[1]])
        visit("next notebook", NEXT)
    finally:
        student.close()
    assert student.off_site == [], student.off_site
    for what, (sent, requests, ready, run_all) in result.items():
        REPORT.setdefault("one student", {})[what] = {
            "MB": round(sent / 1e6, 2), "requests": len(requests), "kernel_ready_s": round(ready, 1),
            "run_all_s": round(run_all, 1), "revalidated_304": sum(r["revalidated"] for r in requests),
            "from_the_browser_cache": cached[what]}
    first, second = sixty
    REPORT["sixty students"] = {"first visits": first, "second visits": second,
                                "real browser among them": {
                                    "visit": "the student's second visit of 01", "off_site": student.off_site,
                                    **REPORT["one student"]["second visit"]},
                                "requests per first visit": len(first_requests),
                                "requests per second visit": len(result["second visit"][1]),
                                "wifi_minutes_first_visits": wifi_minutes(first["MB_per_student"]),
                                "wifi_minutes_second_visits": wifi_minutes(second["MB_per_student"])}
    return result


def test_a_first_visit_a_second_and_the_next_notebook_cost_what_a_classroom_can_carry(visits):
    one = REPORT["one student"]
    print(f"\nbytes on the wire, read from the browser: {json.dumps(one)}")
    assert one["second visit"]["MB"] <= SECOND_VISIT_MB
    assert one["next notebook"]["MB"] <= NEXT_NOTEBOOK_MB
    assert one["first visit"]["MB"] <= FIRST_VISIT_MB
    first = visits["first visit"][1]
    # matplotlib is in the site for a student's own plots, loaded only when a cell imports it (test_site)
    assert not [r["url"] for r in first if "/matplotlib-" in r["url"] or "/pillow-" in r["url"]]
    compressible = [r for r in first if r["url"].split("?")[0].endswith((".js", ".wasm", ".json", ".css"))]
    assert compressible and sum(r["bytes"] for r in compressible) < 0.4 * sum(
        os.path.getsize(site_path(r["url"])) for r in compressible if os.path.exists(site_path(r["url"])))


def site_path(url):
    path = urllib.parse.urlsplit(url).path
    path = path + "index.html" if path.endswith("/") else path
    return str(ROOT / "build" / "site" / path.lstrip("/"))


# ------------------------------------------------------------------------------ sixty at once
class Replayed:
    """One replayed student: a browser's request list over CONNECTIONS_PER_STUDENT keep-alive connections."""

    def __init__(self, port):
        self.port = port
        self.bytes = 0
        self.errors = []
        self.etags = {}
        self.done_at = None
        self.statuses = collections.Counter()
        self.full = []  # (second visit) what was sent in full

    def run(self, requests, conditional=False):
        queue = collections.deque(requests)
        lock = threading.Lock()

        def worker():
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        url = queue.popleft()
                    self.fetch(connection, url, conditional)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONNECTIONS_PER_STUDENT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(LOAD_DEADLINE_S)
        self.done_at = time.monotonic()

    def fetch(self, connection, url, conditional):
        path = urllib.parse.urlsplit(url)
        target = path.path + (f"?{path.query}" if path.query else "")
        headers = {"Accept-Encoding": "gzip, deflate"}
        if conditional and target in self.etags:
            headers["If-None-Match"] = self.etags[target]
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.errors.append(f"{target}: {error!r}")
            connection.close()
            return
        self.bytes += len(body) + sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
        self.statuses[response.status] += 1
        if conditional and response.status == 200:
            self.full.append(f"{target} ({len(body)} B)")
        if response.status not in (200, 304):
            self.errors.append(f"{target}: {response.status}")
        if response.getheader("ETag"):
            self.etags[target] = response.getheader("ETag")


def replay_class(served, first_requests, real_browser):
    """Sixty first visits while ``real_browser()`` (the real student's second visit, which returns its request
    list) runs among them; then sixty second visits of that list."""
    students = [Replayed(served.port) for _ in range(STUDENTS)]
    cpu_before = served.cpu_seconds()
    started = time.monotonic()
    threads = [threading.Thread(target=s.run, args=(first_requests,), daemon=True) for s in students]
    for thread in threads:
        thread.start()
    second_requests = real_browser()  # the real student, among the sixty
    for thread in threads:
        thread.join(max(1, LOAD_DEADLINE_S - (time.monotonic() - started)))
    assert not any(thread.is_alive() for thread in threads), f"the class was not served in {LOAD_DEADLINE_S} s"
    first = {"errors": sum(len(s.errors) for s in students),
             "last_student_has_every_file_s": round(max(s.done_at for s in students) - started, 1),
             "MB_per_student": round(sum(s.bytes for s in students) / STUDENTS / 1e6, 2),
             "server_cpu_s": round(served.cpu_seconds() - cpu_before, 1),
             "server_peak_memory_MB": round(served.peak_memory_mb(), 1),
             "example_errors": [e for s in students for e in s.errors][:5]}
    total_first = sum(s.bytes for s in students)
    statuses_first = sum((s.statuses for s in students), collections.Counter())
    first["statuses"] = {str(k): v for k, v in statuses_first.items()}
    cpu_before = served.cpu_seconds()
    started = time.monotonic()
    threads = [threading.Thread(target=s.run, args=(second_requests, True), daemon=True) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LOAD_DEADLINE_S)
    second = {"errors": sum(len(s.errors) for s in students) - first["errors"],
              "last_student_has_every_file_s": round(max(s.done_at for s in students) - started, 2),
              "server_cpu_s": round(served.cpu_seconds() - cpu_before, 1),
              "server_peak_memory_MB": round(served.peak_memory_mb(), 1),
              "statuses": {str(k): v - statuses_first.get(k, 0) for k, v in
                           sum((s.statuses for s in students), collections.Counter()).items()},
              "sent_in_full_to_one_student": students[0].full}
    second["MB_per_student"] = round((sum(s.bytes for s in students) - total_first) / STUDENTS / 1e6, 3)
    return first, second


def wifi_minutes(megabytes_per_student, students=STUDENTS):
    """Minutes a shared Wi-Fi of 20, 50, 100 Mbit/s needs for every student's bytes (at ~60 % of its rate,
    what a busy classroom access point really delivers)."""
    return {f"{rate}_Mbit_s": round(megabytes_per_student * students * 8 / (rate * 0.6) / 60, 2)
            for rate in (20, 50, 100)}


def test_sixty_students_open_the_site_at_once(visits):
    sixty = REPORT["sixty students"]
    first, second, browser = sixty["first visits"], sixty["second visits"], sixty["real browser among them"]
    print(f"\nsixty students: {json.dumps(sixty)}")
    assert first["errors"] == 0 and second["errors"] == 0, first["example_errors"]
    assert first["statuses"].get("200", 0) + first["statuses"].get("304", 0) == STUDENTS * sixty[
        "requests per first visit"]
    assert browser["off_site"] == [] and browser["run_all_s"] > 0  # it reached a ready kernel and ran 01
    assert second["MB_per_student"] <= SECOND_VISIT_MB
