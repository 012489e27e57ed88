"""A loopback HTTP server that misbehaves on purpose, for the download tests (never the internet).

Files are served from a folder like ``SimpleHTTPRequestHandler`` does; ``behaviours`` maps a request
path to a misbehaviour, each a list consumed one request at a time (the last one repeats):

* ``("drip", seconds)``: announce the real length, then send one byte every ``seconds``;
* ``("truncate", n)``: announce the real length, send ``n`` bytes and close;
* ``("cut", n)``: no Content-Length (HTTP/1.0, close-delimited), send ``n`` bytes and close;
* ``("html", status)``: a captive-portal page as ``text/html`` with that status;
* ``("disguised", None)``: the same page as ``text/plain`` (only parsing can tell);
* ``("redirect", url)``: ``302`` to ``url`` (``{base}`` and ``{other}`` are filled with this server's
  ``127.0.0.1`` and ``localhost`` addresses: two host names of one server);
* ``("status", code)``: that HTTP status with an empty body;
* ``("endless", chunk)``: an unlimited chunked stream of ``chunk`` bytes;
* ``("ok", None)``: serve the file normally.

``hits`` counts requests per path.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

PORTAL = b"<!DOCTYPE html><html><head><title>Hotel WiFi</title></head><body>Please log in</body></html>"


class MisbehavingServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.behaviours: dict[str, list[tuple[str, object]]] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def log_message(self, *args):  # noqa: D401 - quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's API
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                plan = server.behaviours.get(path)
                if not plan:
                    return super().do_GET()
                kind, arg = plan.pop(0) if len(plan) > 1 else plan[0]
                body = (server.root / path.lstrip("/")).read_bytes() if (server.root / path.lstrip("/")).is_file() else b""
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    getattr(self, f"_{kind}")(arg, body)

            def _ok(self, _arg, _body):
                super().do_GET()

            def _drip(self, seconds, body):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for index in range(len(body)):
                    self.wfile.write(body[index:index + 1])
                    self.wfile.flush()
                    time.sleep(seconds)

            def _truncate(self, n, body):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:n])
                self.wfile.flush()
                self.close_connection = True

            def _cut(self, n, body):
                self.protocol_version = "HTTP/1.0"
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()
                self.wfile.write(body[:n])
                self.close_connection = True

            def _html(self, status, _body):
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PORTAL)))
                self.end_headers()
                self.wfile.write(PORTAL)

            def _disguised(self, _arg, _body):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(PORTAL)))
                self.end_headers()
                self.wfile.write(PORTAL)

            def _redirect(self, url, _body):
                self.send_response(302)
                self.send_header("Location", url.format(base=server.base, other=server.other))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _status(self, code, _body):
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _endless(self, chunk, _body):
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                piece = b"x" * chunk
                while True:
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{port}"
        self.other = f"http://localhost:{port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def misbehave(self, path: str, *plan: tuple[str, object]) -> None:
        self.behaviours[path] = list(plan)

    def __enter__(self) -> MisbehavingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def serving(root: Path) -> Iterator[MisbehavingServer]:
    with MisbehavingServer(root) as server:
        yield server
