"""Work done by a forked copy of this process, its result sent back through a pipe.

A fork starts with everything the build has loaded, so nothing is pickled for it, and
it shares no GIL with the build: its Python and its file writes never wait on the
build's (a thread writing files beside a busy thread waits up to 5 ms for the GIL after
each write). Only for a process with no other thread: the caller knows when that is.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


def no_other_thread() -> bool:
    """Whether this process may fork now: a fork copies one thread, and a lock another
    thread held stays locked in the child for ever."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Forked:
    """`work()` running in a forked child; `result()` waits for what it returned."""

    def __init__(self, work: Callable[[], dict[str, Any]], niceness: int = 0) -> None:
        read, write = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid:
            os.close(write)
            self._pipe = read
            try:  # as the child does: whichever runs first, `kill` finds the group
                os.setpgid(self.pid, self.pid)
            except OSError:
                pass
            return
        # The child: its own process group (so `kill` ends what it started too), the
        # work, a report, and an exit that runs nothing of the parent's.
        os.close(read)
        status, result = 1, {}
        try:
            os.setpgid(0, 0)
            _die_with(parent)
            if niceness:
                os.nice(niceness)
            result, status = work(), 0
        except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
            result = {"error": f"{type(e).__name__}: {e}"}
        finally:
            try:
                os.write(write, json.dumps(result).encode())
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)

    def result(self) -> dict[str, Any]:
        """What `work` returned, once the child ended; {"error": ...} if it failed."""
        with os.fdopen(self._pipe, "r", encoding="utf-8") as report:
            text = report.read()
        _, status = os.waitpid(self.pid, 0)
        result: dict[str, Any] = json.loads(text) if text else {}
        if status != 0 and "error" not in result:
            result["error"] = f"a worker ended with status {os.waitstatus_to_exitcode(status)}"
        return result

    def kill(self) -> None:
        """End the child, and every process it started, now."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self._pipe)


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """On Linux, end this child and all it started as soon as the build ends, however
    it ends (an interrupt, a kill): nothing may go on writing into a build's folders
    once the next build has cleaned them."""
    if sys.platform != "linux":
        return  # (the children look for their parent between pages and parts)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    signal.signal(signal.SIGTERM, lambda *_: os.killpg(0, signal.SIGKILL))
    if os.getppid() != parent:  # it ended before the line above
        os.killpg(0, signal.SIGKILL)
