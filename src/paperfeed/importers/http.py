"""Fetching from the paper APIs: polite to their rate limits, patient with their outages.

arXiv asks for at most one request every three seconds and answers 503 when busy, and a
time-out or a 5xx is usually gone a few seconds later. So every request waits its turn,
and one that fails that way is tried again after a pause that doubles each time, a
bounded number of times. The clock and the sleep are injectable: tests never wait.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from paperfeed.errors import PaperfeedError

try:
    USER_AGENT = f"paperfeed/{version('paperfeed')}"
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    USER_AGENT = "paperfeed"

# Retry-After beyond this is a server asking us to come back much later: give up instead.
MAX_RETRY_AFTER = 60.0


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
    timeout: float = 30.0  # seconds to wait for a connection or for data
    attempts: int = 4
    backoff: float = 1.0  # pause before the second attempt; doubles after each failure
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
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Reply(url, response.status, response.read())
        except urllib.error.HTTPError as e:
            if e.code >= 500 or e.code == 429:
                raise _Transient(f"HTTP {e.code} {e.reason}", _retry_after(e)) from None
            return Reply(url, e.code, e.read())
        except TimeoutError:
            raise _Transient(f"no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise _Transient(f"no connection within {self.timeout:g} s") from None
            raise FetchError(f"{url}: cannot connect: {e.reason}") from None
        except (ConnectionError, http.client.HTTPException) as e:
            # The connection broke mid-answer: as passing as a time-out.
            raise _Transient(f"connection broken ({type(e).__name__})") from None
        except OSError as e:
            raise FetchError(f"{url}: {e}") from None


def _retry_after(error: urllib.error.HTTPError) -> float:
    """The pause a 503 or 429 asks for, in seconds (the date form is ignored)."""
    value = (error.headers.get("Retry-After") or "").strip()
    if not value.isdigit():
        return 0.0
    seconds = float(value)
    if seconds > MAX_RETRY_AFTER:
        raise FetchError(f"{error.url}: HTTP {error.code}: the server asks to wait {value} s")
    return seconds
