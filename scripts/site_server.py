"""A built site served on 127.0.0.1 as a web host serves it: text gzipped.

GitHub Pages compresses HTML, CSS, JavaScript and JSON; figures taken from a plain
file server would count bytes no reader downloads. Used by lighthouse.py and the
benchmark's browser search.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TEXT_TYPES = {"application/javascript", "application/json", "application/xml", "image/svg+xml"}


def compressible(kind: str) -> bool:
    """Whether a response of this MIME type is text that a web host would compress."""
    return kind.startswith("text/") or kind.split(";")[0] in TEXT_TYPES


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly, gzipping text when the client accepts it."""

    def __init__(self, *args: Any, compress: bool = True, **kwargs: Any) -> None:
        """Handle one request; compress=False serves every file as it is."""
        self.compress = compress
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Log nothing."""

    def do_GET(self) -> None:  # noqa: N802
        """Send a text file gzipped if the client accepts it; anything else as usual."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and accepts and path.is_file() and compressible(kind)):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(root: Path, compress: bool = True) -> Iterator[str]:
    """Serve root on 127.0.0.1 on a free port from a thread; yield its base URL."""
    handler = functools.partial(Handler, directory=str(root), compress=compress)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
