"""Serve the built site (build/site/) over HTTP: ``make serve-site``, for a classroom network.

    python tools/serve_site.py                          # every network interface, port 8000
    python tools/serve_site.py --host 127.0.0.1         # this machine only

A JupyterLite site must come over HTTP (its kernel runs in a Web Worker and loads WebAssembly;
``file://`` pages may do neither), but any static file server will do: this one only adds the
right content types (``.wasm``, ``.mjs``, ``.whl``) and asks browsers to revalidate, so that a
rebuilt site is seen at once. It uses the standard library alone.
"""

import argparse
import functools
import http.server
import pathlib
import socket
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip",
         ".ipynb": "application/json", ".svg": "image/svg+xml"}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_request(self, code="-", size="-"):  # only failures: a class makes thousands of requests
        if str(getattr(code, "value", code)).startswith(("4", "5")):
            super().log_request(code, size)


def make_server(directory, host="127.0.0.1", port=0, handler_class=SiteHandler):
    """A threading HTTP server for ``directory``; port 0 picks a free one (``server.server_port``)."""
    handler = functools.partial(handler_class, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


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
    print(f"Serving {directory} on {args.host}:{server.server_port} (Ctrl+C stops)")
    print("Students open:", *addresses_for_students(args.host, server.server_port), sep="\n  ")
    print(f"This machine: http://127.0.0.1:{server.server_port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
