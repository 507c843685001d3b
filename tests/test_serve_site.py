"""tools/serve_site.py (``make serve-site``) without a browser: what it sends, and what it never sends.

A small site in a temporary folder, served on 127.0.0.1: gzip to a browser that takes it (with the
original's Content-Type and ``Vary``), the file itself to one that does not; ``immutable.json``'s files
cached for good, the rest revalidated (ETag, then 304 with no body); nothing above the folder (``..``
in any spelling, a symbolic link that leads out), no folder listings.
"""

import gzip
import http.client
import json
import pathlib
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import serve_site  # noqa: E402

SCRIPT = b"console.log('minigrad');\n" * 200


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("served")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the teacher's marks")
    site = tmp_path / "site"
    (site / "build").mkdir(parents=True)
    (site / "index.html").write_text("<html>minigrad</html>")
    (site / "build" / "app.1a2b3c4.js").write_bytes(SCRIPT)
    (site / "build" / "app.1a2b3c4.js.gz").write_bytes(gzip.compress(SCRIPT, mtime=0))
    (site / "jupyter-lite.json").write_text('{"a": 1}')
    (site / "empty").mkdir()
    (site / "inside-link.js").symlink_to(site / "build" / "app.1a2b3c4.js")
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "leak-folder").symlink_to(outside)
    (site / serve_site.IMMUTABLE_LIST).write_text(json.dumps(["build/app.1a2b3c4.js"]))
    server = serve_site.make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def get(port, path, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name.replace("_", "-"), value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_a_browser_that_takes_gzip_gets_the_precompressed_file(served):
    response, body = get(served, "/build/app.1a2b3c4.js", Accept_Encoding="gzip, deflate")
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type").startswith("text/javascript")
    assert response.getheader("Vary") == "Accept-Encoding"
    assert gzip.decompress(body) == SCRIPT and len(body) == int(response.getheader("Content-Length")) < len(SCRIPT)


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0, deflate", "br"])
def test_a_client_that_does_not_take_gzip_gets_the_file_itself(served, accept):
    response, body = get(served, "/build/app.1a2b3c4.js", **({"Accept_Encoding": accept} if accept else {}))
    assert response.status == 200 and body == SCRIPT
    assert response.getheader("Content-Encoding") is None
    assert response.getheader("Vary") == "Accept-Encoding"


def test_hashed_files_are_cached_for_good_and_the_rest_revalidated(served):
    hashed, _ = get(served, "/build/app.1a2b3c4.js")
    assert hashed.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    page, _ = get(served, "/index.html")
    assert page.getheader("Cache-Control") == "no-cache"
    assert page.getheader("ETag") and page.getheader("Last-Modified")


def test_a_revalidation_of_an_unchanged_file_is_a_304_without_a_body(served):
    first, _ = get(served, "/jupyter-lite.json")
    again, body = get(served, "/jupyter-lite.json", If_None_Match=first.getheader("ETag"))
    assert again.status == 304 and body == b""
    assert again.getheader("ETag") == first.getheader("ETag")
    other, body = get(served, "/jupyter-lite.json", If_None_Match='"another"')
    assert other.status == 200 and body == b'{"a": 1}'
    # the gzipped form is another representation: its own ETag
    plain, _ = get(served, "/build/app.1a2b3c4.js")
    packed, _ = get(served, "/build/app.1a2b3c4.js", Accept_Encoding="gzip")
    assert plain.getheader("ETag") != packed.getheader("ETag")
    revalidated, _ = get(served, "/build/app.1a2b3c4.js", Accept_Encoding="gzip",
                         If_None_Match=packed.getheader("ETag"))
    assert revalidated.status == 304


def test_folders_serve_their_index_and_are_never_listed(served):
    response, body = get(served, "/")
    assert response.status == 200 and body == b"<html>minigrad</html>"
    assert get(served, "/empty/")[0].status == 404
    moved, _ = get(served, "/empty")
    assert moved.status == 404  # no index.html: nothing to redirect to
    assert get(served, "/build/")[0].status == 404


@pytest.mark.parametrize("path", ["/../outside/secret.txt", "/build/../../outside/secret.txt",
                                  "/%2e%2e/outside/secret.txt", "/..%2foutside%2fsecret.txt",
                                  "/build/..%5c..%5coutside%5csecret.txt", "/leak.txt", "/leak-folder/secret.txt",
                                  "//etc/passwd", "/%00", "/index.html%00.js"])
def test_nothing_above_the_served_folder_is_ever_sent(served, path):
    response, body = get(served, path)
    assert response.status == 404, path
    assert b"marks" not in body and b"root:" not in body


def test_a_symbolic_link_inside_the_folder_still_works(served):
    response, body = get(served, "/inside-link.js")
    assert response.status == 200 and body == SCRIPT
