"""A real HTTP server on 127.0.0.1 for tests: canned replies in order, every request kept.

Importers are tested against real sockets, so time-outs, status codes and retries go
through the same urllib code as in production; only the far end is ours.
"""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from paperfeed.importers.http import Client

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass(frozen=True)
class Reply:
    """One canned answer; `delay` seconds of silence first, to provoke a time-out.

    `drip` sends the body a byte at a time, that many seconds apart (a server too slow
    for any whole-request deadline); without `send_length` there is no Content-Length,
    so the client reads until the server closes.
    """

    body: bytes = b""
    status: int = 200
    delay: float = 0.0
    content_type: str = "application/atom+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0
    send_length: bool = True


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class LocalServer:
    """Serve `route`d replies; each path answers its replies in turn, then the last again."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """With `tls` (a server context holding a certificate), it serves https."""
        self.requests: list[Request] = []
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._scheme = "https" if tls else "http"
        if tls:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        # A short poll, so that shutdown() returns at once rather than in half a second.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def route(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._routes[path] = list(replies)

    def url(self, path: str = "") -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self._scheme}://{host}:{port}{path}"

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self._routes.get(request.path)
            if not queue:
                return Reply(b"no such route", status=404, content_type="text/plain")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                parts = urlsplit(self.path)
                reply = server._next_reply(
                    Request(parts.path, dict(parse_qsl(parts.query)), dict(self.headers))
                )
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    if reply.send_length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if reply.drip:
                        for at in range(len(reply.body)):
                            self.wfile.write(reply.body[at : at + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that was the test

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        return Handler


def client() -> Client:
    """An importer's HTTP client that gives up fast: tests wait for nothing."""
    return Client(timeout=2.0, attempts=2, backoff=0.0)
