"""Serve the built site (build/site/) over HTTP: ``make serve-site``, for a classroom network.

    python tools/serve_site.py                          # every network interface, port 8000
    python tools/serve_site.py --host 127.0.0.1         # this machine only

A JupyterLite site must come over HTTP (its kernel runs in a Web Worker and loads WebAssembly;
``file://`` pages may do neither). What a classroom's Wi-Fi carries is bytes, so this server (the
standard library alone) sends as few as it can (docs/site.md):

- compressed: ``make site`` writes ``NAME.gz`` beside every file that gzip makes smaller; a browser
  that accepts gzip gets it, with ``Content-Encoding: gzip``, the original's ``Content-Type`` and
  ``Vary: Accept-Encoding``;
- cached for good: the files whose address changes when their bytes do (JupyterLab's hashed scripts,
  Pyodide's versioned packages, pinned wheels: ``immutable.json``, written by the build) are sent with
  ``Cache-Control: public, max-age=31536000, immutable``, so a second visit never asks for them again;
- revalidated: every other file has an ``ETag`` (its bytes' hash) and ``Cache-Control: no-cache``; a
  browser asks again and gets ``304 Not Modified`` (no body) unless the site was rebuilt with other bytes.

It serves the given folder and nothing above it: no ``..``, no symbolic link that leads out, no listing
of a folder.
"""

import argparse
import email.utils
import hashlib
import http
import http.server
import json
import pathlib
import socket
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip",
         ".ipynb": "application/json", ".svg": "image/svg+xml", ".css": "text/css", ".html": "text/html",
         ".woff2": "font/woff2", ".woff": "font/woff", ".ico": "image/x-icon", ".png": "image/png",
         ".txt": "text/plain", ".md": "text/markdown", ".py": "text/x-python"}
TEXT_TYPES = ("text/", "application/json")
IMMUTABLE_LIST = "immutable.json"  # written by tools/build_site.py: the site's paths whose bytes never change
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def accepts_gzip(header):
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it; ``*`` allows it)."""
    allowed = {}
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            allowed[name.strip().lower()] = quality
    if "gzip" in allowed:
        return allowed["gzip"] > 0
    return allowed.get("*", 0) > 0


class FileInfo:
    """What the server needs of one file: its size, modification time and a strong ETag (its sha256)."""

    def __init__(self, path):
        stat = path.stat()
        self.size, self.mtime = stat.st_size, stat.st_mtime
        digest = hashlib.sha256()
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        self.etag = f'"{digest.hexdigest()[:32]}"'
        self.key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one folder's files, precompressed when the browser takes gzip, with ETags and cache headers."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    protocol_version = "HTTP/1.1"  # keep-alive: a visit is ~180 requests, not ~180 connections
    timeout = 120  # a connection idle (or stalled) this long is closed, and its thread ends

    # ---------------------------------------------------------------- where a request leads
    def site_file(self):
        """(the file a request's path names inside the served folder or None, whether the path names a folder
        without its final slash). None for anything outside the folder, absent, or a folder without index.html:
        symbolic links are followed only where they stay inside the folder."""
        root = self.server.directory
        try:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path, errors="strict")
        except UnicodeDecodeError:
            return None, False
        if "\x00" in path or "\\" in path:
            return None, False
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            return None, False
        candidate = root.joinpath(*parts)
        folder = candidate.is_dir()
        if folder:
            candidate = candidate / "index.html"
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, False
        if root not in resolved.parents or not resolved.is_file():
            return None, False
        return resolved, folder and not path.endswith("/")

    def info(self, path):
        """The file's FileInfo, computed once per version of the file (a rebuilt file is hashed again)."""
        cache = self.server.file_infos
        stat = path.stat()
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        found = cache.get(path)
        if found is None or found.key != key:
            found = cache[path] = FileInfo(path)
        return found

    def is_immutable(self, path):
        return path.relative_to(self.server.directory).as_posix() in self.server.immutable

    # ---------------------------------------------------------------- answering
    def send_head(self):
        path, needs_slash = self.site_file()
        if path is None:
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        if needs_slash:  # a folder asked for without its slash: where its index.html's addresses resolve
            parts = urllib.parse.urlsplit(self.path)
            self.send_response(http.HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", urllib.parse.urlunsplit(("", "", parts.path + "/", parts.query, "")))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        content_type = self.guess_type(str(path))
        compressed = path.with_name(path.name + ".gz")
        has_gzip = compressed.is_file() and not path.name.endswith(".gz")
        send = path
        if has_gzip and accepts_gzip(self.headers.get("Accept-Encoding")):
            send = compressed
        info = self.info(send)
        cache_control = FOREVER if self.is_immutable(path) else REVALIDATE
        if self.not_modified(info):
            self.send_response(http.HTTPStatus.NOT_MODIFIED)
            self.common_headers(info, cache_control, has_gzip)
            self.end_headers()
            return None
        try:
            file = open(send, "rb")
        except OSError:
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        self.send_response(http.HTTPStatus.OK)
        if content_type.startswith(TEXT_TYPES) and "charset" not in content_type:
            content_type += "; charset=utf-8"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(info.size))
        if send is compressed:
            self.send_header("Content-Encoding", "gzip")
        self.common_headers(info, cache_control, has_gzip)
        self.end_headers()
        return file

    def common_headers(self, info, cache_control, has_gzip):
        self.send_header("ETag", info.etag)
        self.send_header("Last-Modified", email.utils.formatdate(info.mtime, usegmt=True))
        self.send_header("Cache-Control", cache_control)
        if has_gzip:
            self.send_header("Vary", "Accept-Encoding")

    def not_modified(self, info):
        """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in match.split(",")]
            return "*" in tags or info.etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                when = email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(info.mtime) <= when
        return False

    def list_directory(self, path):  # never: a folder without index.html is not found
        self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
        return None

    def log_request(self, code="-", size="-"):  # only failures: a class makes thousands of requests
        if str(getattr(code, "value", code)).startswith(("4", "5")):
            super().log_request(code, size)


class SiteServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server of one folder, knowing which of its files never change (immutable.json)."""

    daemon_threads = True
    request_queue_size = 128  # sixty students open the site in the same second

    def __init__(self, address, handler, directory):
        self.directory = pathlib.Path(directory).resolve()
        self.file_infos = {}
        listed = self.directory / IMMUTABLE_LIST
        self.immutable = frozenset(json.loads(listed.read_text())) if listed.is_file() else frozenset()
        super().__init__(address, handler)


def make_server(directory, host="127.0.0.1", port=0, handler_class=SiteHandler):
    """A threading HTTP server for ``directory``; port 0 picks a free one (``server.server_port``)."""
    directory = pathlib.Path(directory).resolve()

    def handler(*args, **kwargs):
        return handler_class(*args, directory=str(directory), **kwargs)

    return SiteServer((host, port), handler, directory)


def addresses_for_students(host, port):
    """The addresses to write on the board: this machine's own network addresses (no packet is sent)."""
    if host not in ("0.0.0.0", "", "::"):
        return [f"http://{host}:{port}/"]
    names = {socket.gethostname(), socket.getfqdn()}
    found = set()
    for name in names:
        try:
            found.update(info[4][0] for info in socket.getaddrinfo(name, None, socket.AF_INET))
        except OSError:
            continue
    found.add(_outgoing_address())
    found = {address for address in found if address and not address.startswith("127.")}
    return [f"http://{address}:{port}/" for address in sorted(found)] or [
        f"http://<this machine's address>:{port}/ (see `ip addr` or `ipconfig`)"]


def _outgoing_address():
    """The address of the interface a packet to the local network would leave by. A UDP "connect" only
    picks the route: no packet is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default=str(ROOT / "build" / "site"))
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    directory = pathlib.Path(args.directory)
    if not (directory / "index.html").exists():
        print(f"{directory} holds no site: run `make site` first", file=sys.stderr)
        return 1
    server = make_server(directory, args.host, args.port)
    print(f"Serving {directory} on {args.host}:{server.server_port} (Ctrl+C stops)", flush=True)
    print("Students open:", *addresses_for_students(args.host, server.server_port), sep="\n  ")
    print(f"This machine: http://127.0.0.1:{server.server_port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
