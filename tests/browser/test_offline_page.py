"""Kernel-free playback: a notebook exported to HTML, opened with no kernel and no network, still steps."""

import functools
import http.server
import re
import sys
import threading

import pytest
from playwright.sync_api import expect

from .conftest import NOTEBOOKS, ROOT, free_port

sys.path.insert(0, str(ROOT / "tools"))
import export_html  # noqa: E402


@pytest.fixture(scope="module")
def offline_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    page_path = export_html.export(NOTEBOOKS / "03_three_links.ipynb", folder)
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/{page_path.name}"
    server.shutdown()


def visible_phase(page):
    labels = page.locator(".widget-label:visible").filter(has_text=re.compile(r"^(Forward|Backward) \d+ / \d+$"))
    return labels.first


def test_saved_walkthrough_plays_with_no_kernel_and_no_network(page, offline_page, blocked_requests):
    page.goto(offline_page)  # every request off this machine is refused (see blocked_requests)
    phase = visible_phase(page)
    expect(phase).to_have_text("Forward 1 / 3", timeout=60_000)
    graph = page.locator(".minigrad-graph:visible svg").first
    first_frame = graph.inner_html()
    page.locator(".widget-play button:visible").first.click()  # ▶ Play, linked to the step slider in the browser
    expect(phase).not_to_have_text("Forward 1 / 3", timeout=15_000)
    assert page.locator(".minigrad-graph:visible svg").first.inner_html() != first_frame
    expect(phase).to_have_text("Backward 4 / 4", timeout=30_000)
    assert not any("widget" in url or "require" in url for url in blocked_requests), blocked_requests
