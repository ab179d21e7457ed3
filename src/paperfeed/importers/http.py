"""Fetching from the paper APIs: polite to their rate limits, patient with their outages.

arXiv asks for at most one request every three seconds and answers 503 when busy, and a
time-out or a 5xx is usually gone a few seconds later. So every request waits its turn,
and one that fails that way is tried again after a pause that doubles each time, a
bounded number of times. The clock and the sleep are injectable: tests never wait.

What comes back is bounded as well, because a server (or whoever answers in its place)
may be hostile: the whole request, redirects and the last byte of the answer included,
ends within `timeout`, however slowly the answer drips; an answer larger than
`max_bytes` is refused; and a redirect from https to plain http is refused, since it
would send the request, and trust the answer, unencrypted.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any
from urllib.parse import urlsplit

from paperfeed.errors import PaperfeedError

try:
    USER_AGENT = f"paperfeed/{version('paperfeed')}"
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    USER_AGENT = "paperfeed"

# Retry-After beyond this is a server asking us to come back much later: give up instead.
MAX_RETRY_AFTER = 60.0
# The largest answer read. arXiv's answer for a full batch of 100 ids is about 400 kB,
# a day of Hugging Face papers about 200 kB: 8 MiB leaves room and bounds the memory.
MAX_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024


class FetchError(PaperfeedError):
    """The server could not be reached, or kept failing: the message says why."""


@dataclass(frozen=True)
class Reply:
    """A final answer: 2xx, or a 4xx the caller may still read (arXiv's 400 is a feed)."""

    url: str
    status: int
    body: bytes


class _Transient(Exception):
    """A failure worth another try, with the least pause the server asked for."""

    def __init__(self, what: str, retry_after: float = 0.0):
        super().__init__(what)
        self.retry_after = retry_after


@dataclass
class Client:
    """GET requests to one service, spaced and retried as that service wants."""

    interval: float = 0.0  # least seconds between the starts of two requests
    timeout: float = 30.0  # seconds one attempt may take, from connecting to the last byte
    attempts: int = 4
    backoff: float = 1.0  # pause before the second attempt; doubles after each failure
    max_bytes: int = MAX_BYTES  # a larger answer is refused
    ssl_context: ssl.SSLContext | None = None  # whom to trust; None: the system's CAs
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last_start: float | None = field(default=None, init=False, repr=False)

    def get(self, url: str, accept: str = "*/*") -> Reply:
        """The server's answer, or FetchError once every attempt has failed."""
        attempts = max(self.attempts, 1)
        for attempt in range(1, attempts + 1):
            self._wait_turn()
            try:
                return self._once(url, accept)
            except _Transient as e:
                failure = e
            if attempt < attempts:
                self.sleep(max(self.backoff * 2 ** (attempt - 1), failure.retry_after))
        raise FetchError(f"{url}: {failure} ({attempts} attempts): try again later")

    def _wait_turn(self) -> None:
        if self._last_start is not None:
            wait = self.interval - (self.clock() - self._last_start)
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _once(self, url: str, accept: str) -> Reply:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
        with _Deadline(self.timeout) as deadline:
            opener = urllib.request.build_opener(
                _HTTPHandler(deadline), _HTTPSHandler(deadline, self.ssl_context), _NoDowngrade()
            )
            try:
                status, body = self._exchange(opener, request, deadline)
            except _Transient:
                raise
            except (OSError, http.client.HTTPException) as e:
                if deadline.expired:  # the deadline cut the connection: that was the error
                    raise _Transient(f"no answer within {self.timeout:g} s") from None
                raise self._failure(url, e) from None
        return Reply(url, status, body)

    def _exchange(
        self,
        opener: urllib.request.OpenerDirector,
        request: urllib.request.Request,
        deadline: _Deadline,
    ) -> tuple[int, bytes]:
        """The status and body of the final answer (after redirects)."""
        try:
            response: Any = opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            if e.code >= 500 or e.code == 429:
                e.close()
                raise _Transient(f"HTTP {e.code} {e.reason}", _retry_after(e)) from None
            response = e  # a 4xx the caller may still read: its body is read as any other
        with response:
            status = response.status if response.status is not None else response.code
            # An HTTPError wraps the response; the response itself decodes chunks.
            stream = response.fp if isinstance(response, urllib.error.HTTPError) else response
            body = self._body(request.full_url, stream, response.headers)
        if deadline.expired:  # an answer without a length ends when the deadline cuts it
            raise _Transient(f"no answer within {self.timeout:g} s")
        return status, body

    def _body(self, url: str, stream: IO[bytes] | None, headers: Message) -> bytes:
        """The answer's bytes, read in chunks so that a huge one is refused early."""
        length = (headers.get("Content-Length") or "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large(url)
        chunks: list[bytes] = []
        size = 0
        while stream is not None:
            # read1 returns what has arrived, so each chunk is checked as it comes.
            chunk = stream.read1(_CHUNK) if hasattr(stream, "read1") else stream.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str) -> FetchError:
        return FetchError(
            f"{url}: the answer is larger than {self.max_bytes:,} bytes, the most paperfeed "
            "reads: refused"
        )

    def _failure(self, url: str, error: OSError | http.client.HTTPException) -> Exception:
        """What a failed exchange means: worth another try, or not."""
        if isinstance(error, TimeoutError):
            return _Transient(f"no answer within {self.timeout:g} s")
        if isinstance(error, urllib.error.URLError):
            if isinstance(error.reason, TimeoutError):
                return _Transient(f"no connection within {self.timeout:g} s")
            return FetchError(f"{url}: cannot connect: {error.reason}")
        if isinstance(error, (ConnectionError, http.client.HTTPException)):
            # The connection broke mid-answer: as passing as a time-out.
            return _Transient(f"connection broken ({type(error).__name__})")
        return FetchError(f"{url}: {error}")


class _Deadline:
    """Ends a request still running `seconds` after it began, however slowly it goes.

    A socket time-out bounds each read, so a server sending a byte a second would hold
    a read-everything request forever; here a timer shuts down the request's sockets
    when its time is up, which wakes any read blocked on them: from the moment a socket
    is connected, through the TLS handshake, to the last byte of the answer.
    """

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._owned: list[socket.socket] = []  # copies to close when the request ends
        self._lock = threading.Lock()
        self._over = False
        self._end = time.monotonic() + seconds
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:  # a timer already firing must not touch a later request's socket
            self._over = True
            owned, self._owned = self._owned, []
        for sock in owned:
            sock.close()

    def remaining(self) -> float:
        """Seconds left, for a step (connecting) that must not outlast the deadline."""
        return max(self._end - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def watch_handshake(self, sock: socket.socket) -> socket.socket:
        """Watch a connected socket about to be wrapped in TLS. Wrapping detaches the
        socket object from its connection before the handshake, so what is watched is
        a copy of it (the same connection, another descriptor), closed by `release`."""
        copy = sock.dup()
        with self._lock:
            self._owned.append(copy)
        self.watch(copy)
        return copy

    def release(self, copy: socket.socket) -> None:
        """Close a copy from `watch_handshake` once its connection is watched itself."""
        with self._lock:
            if copy not in self._owned:
                return  # closed already
            self._owned.remove(copy)
            self._sockets.remove(copy)
        copy.close()

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


class _WatchedHTTP(http.client.HTTPConnection):
    """A connection whose socket its request's deadline can cut."""

    deadline: _Deadline  # set by the handler that makes it

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()  # connecting is part of the request
        super().connect()
        self.deadline.watch(self.sock)


class _WatchedHTTPS(http.client.HTTPSConnection):
    """The same for https, whose deadline also cuts a handshake that never ends.

    http.client connects and then shakes hands in one `connect`; between the two it
    sets `sock` to the connected socket, and this class's `sock` watches it there.
    """

    deadline: _Deadline
    _handshake: socket.socket | None = None  # the watched copy while shaking hands
    _socket: socket.socket | None = None

    @property
    def sock(self) -> socket.socket | None:
        return self._socket

    @sock.setter
    def sock(self, value: socket.socket | None) -> None:
        self._socket = value
        if isinstance(value, ssl.SSLSocket):  # through the handshake: watch the TLS socket
            self.deadline.watch(value)
            if self._handshake is not None:
                self.deadline.release(self._handshake)
                self._handshake = None
        elif value is not None:  # connected, about to shake hands
            self._handshake = self.deadline.watch_handshake(value)

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **options: Any) -> http.client.HTTPConnection:
        connection = _WatchedHTTP(host, **options)
        connection.deadline = self._deadline
        return connection


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, context: ssl.SSLContext | None):
        super().__init__(context=context)
        self._deadline = deadline
        self._trusted = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self._trusted)

    def _connection(self, host: str, **options: Any) -> http.client.HTTPConnection:
        connection = _WatchedHTTPS(host, **options)
        connection.deadline = self._deadline
        return connection


class _NoDowngrade(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but never from https to anything less."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(req.full_url).scheme == "https" and urlsplit(newurl).scheme != "https":
            fp.close()
            raise FetchError(
                f"{req.full_url}: redirected to {newurl}, which is not https: refused, as it "
                "would send the request and take the answer unencrypted"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _retry_after(error: urllib.error.HTTPError) -> float:
    """The pause a 503 or 429 asks for, in seconds (the date form is ignored)."""
    value = (error.headers.get("Retry-After") or "").strip()
    if not value.isdigit():
        return 0.0
    seconds = float(value)
    if seconds > MAX_RETRY_AFTER:
        raise FetchError(f"{error.url}: HTTP {error.code}: the server asks to wait {value} s")
    return seconds
