"""Pagefind's indexing service, spoken to directly so pages can stream in.

The `pagefind` package's Python client reads one answer per 0.1 s poll
(Pagefind/pagefind#976): 10,000 pages sent one by one would take 17 minutes. The binary
it drives (`pagefind --service`) speaks a plain protocol on stdin and stdout: messages
are base64-encoded JSON, each followed by a comma. Here requests are written as fast as
the binary takes them while a thread reads the answers as they come, so indexing pages
from memory costs what Pagefind's own parsing costs, and no page is written to disk
for it first.
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import threading
from concurrent.futures import Future
from typing import IO, Any


class PagefindServiceError(Exception):
    """The service failed or refused a request: the message is Pagefind's own."""


def executable() -> str:
    """The binary the `pagefind[bin]` package installed (or one on PATH)."""
    # Imported here: the lookup runs on import, and only a build with search needs it.
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise PagefindServiceError(
            "the Pagefind binary is missing: reinstall paperfeed, "
            "or run `pip install 'pagefind[bin]'`"
        )
    return str(found)


class PagefindService:
    """One running `pagefind --service`; `with` ends it."""

    def __init__(self, cwd: str | None = None) -> None:
        self._errors: IO[bytes] = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [executable(), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            cwd=cwd,
        )
        self._lock = threading.Lock()  # the ids and their waiting answers
        self._writing = threading.Lock()
        self._next_id = 0
        self._waiting: dict[int, Future[dict[str, Any]]] = {}
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        self._reader.start()

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, payload: dict[str, Any]) -> Future[dict[str, Any]]:
        """Send one request; its answer's payload arrives in the returned future."""
        answer: Future[dict[str, Any]] = Future()
        with self._lock:
            self._next_id += 1
            message_id = self._next_id
            self._waiting[message_id] = answer
        message = {"message_id": message_id, "payload": payload}
        # Not under the lock the reader takes: a full pipe must not stop the answers.
        with self._writing:
            stdin = self._process.stdin
            assert stdin is not None
            try:
                stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
                stdin.flush()
            except (BrokenPipeError, ValueError):
                with self._lock:
                    self._waiting.pop(message_id, None)
                raise PagefindServiceError(self._ended()) from None
        return answer

    def request(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        return self.send(payload).result()

    def close(self) -> None:
        try:
            if self._process.stdin:
                self._process.stdin.close()
        except BrokenPipeError:
            pass  # it ended already; what it said was reported to the caller
        self._process.terminate()
        self._process.wait()
        self._reader.join()
        self._errors.close()

    def _read_answers(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        pending = b""
        while chunk := stdout.read1(1 << 16):
            *messages, pending = (pending + chunk).split(b",")
            for message in messages:
                self._answer(json.loads(base64.b64decode(message)))
        # The binary ended: whoever still waits is told why.
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for answer in waiting.values():
            answer.set_exception(PagefindServiceError(self._ended()))

    def _answer(self, message: dict[str, Any]) -> None:
        payload = message.get("payload") or {}
        message_id = message.get("message_id")
        if message_id is None and payload.get("original_message"):
            # An unreadable request is answered without its id, but with the request.
            message_id = json.loads(payload["original_message"]).get("message_id")
        with self._lock:
            answer = self._waiting.pop(message_id, None)
        if answer is None:
            return
        if payload.get("type") == "Error":
            answer.set_exception(PagefindServiceError(payload.get("message", "unknown error")))
        else:
            answer.set_result(payload)

    def _ended(self) -> str:
        try:
            code = self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        self._errors.seek(0)
        said = self._errors.read().decode(errors="replace").strip()
        return f"pagefind ended (status {code})" + (f": {said[-2000:]}" if said else "")


class PagefindIndex:
    """One index in a running service: pages go in, and `write` writes the bundle."""

    def __init__(self, service: PagefindService, config: dict[str, Any]) -> None:
        self._service = service
        answer = service.request({"type": "NewIndex", "config": config})
        self._id: int = answer["index_id"]
        self._added: list[Future[dict[str, Any]]] = []

    def add_html(self, source_path: str, html: str) -> None:
        """Index a page as if read from `source_path` (relative to the site's root, which
        gives its URL). Not waited for: `write` reports any failure."""
        self._added.append(
            self._service.send(
                {
                    "type": "AddFile",
                    "index_id": self._id,
                    "file_path": source_path,
                    "url": None,
                    "file_contents": html,
                }
            )
        )

    def write(self, output_path: str) -> int:
        """Write the bundle into `output_path` once every page is in; the page count."""
        for answer in self._added:
            answer.result()  # raises what the service said about the page, if anything
        indexed, self._added = len(self._added), []
        self._service.request(
            {"type": "WriteFiles", "index_id": self._id, "output_path": output_path}
        )
        self._service.request({"type": "DeleteIndex", "index_id": self._id})
        return indexed
