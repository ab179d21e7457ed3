"""The build's other processes: how many cores, when a fork is safe, forked children.

Two kinds of work leave the build's process. Per-entry work (loading, converting) goes
to a pool in consecutive chunks (`map_chunks`); work that needs what the build has made
so far (rendering pages, indexing papers) goes to a fork of the build (`Forked`), which
starts with everything loaded, so nothing is pickled for it, and shares no GIL with the
build. Either way a child must not outlive the build: `orphaned()` tells it when it has.

Nothing here knows about MkDocs.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, one process is faster than starting a pool (a fork of the
# build costs little: at 1,000 papers two processes load them in 0.55 s, one in 0.85).
MIN_ITEMS = 400
CHUNKS_PER_WORKER = 4
_PRELOAD = ["paperfeed.load", "paperfeed.pages"]
_PR_SET_PDEATHSIG = 1
# In a forked child: the process that forked it (see `orphaned`).
_forked_from: int | None = None


def cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - not on Linux


def may_fork() -> bool:
    """Whether this process may fork a copy of itself now.

    A fork copies one thread: a lock another thread held stays locked in the child for
    ever, so only a process with no other thread forks. And not on macOS, whose system
    libraries are not safe to use in a forked child.
    """
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def orphaned() -> bool:
    """Whether this is a forked child whose build has ended (interrupted or killed).

    A child has a process group of its own, so an interrupt of the build does not reach
    it: it stops when it sees that the build is gone.
    """
    return _forked_from is not None and os.getppid() != _forked_from


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
        os.close(read)
        _run_child(work, parent, niceness, write)

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


def _run_child(work: Callable[[], dict[str, Any]], parent: int, niceness: int, pipe: int) -> None:
    """The child: its own process group (so `kill` ends what it started too), the work,
    a report, and an exit that runs nothing of the parent's."""
    global _forked_from
    _forked_from = parent
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
            os.write(pipe, json.dumps(result).encode())
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


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
    if orphaned():  # it ended before the line above
        os.killpg(0, signal.SIGKILL)


def map_chunks(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """`work` applied to consecutive chunks of `items`, results concatenated in order.

    Small inputs stay in this process, where a pool would cost more than it saves.
    `work` must be a module-level function (workers import it by name).
    """
    workers = min(cores(), len(items) // max(MIN_ITEMS // 2, 1))
    if workers < 2:
        return work(items)
    # Several chunks per worker: no worker idles at the end waiting for a slow one,
    # and the parent unpickles early results while later ones are still computed.
    size = -(-len(items) // (workers * CHUNKS_PER_WORKER))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        results = pool.map(work, chunks)
        return [result for chunk in results for result in chunk]


def _pool_context() -> multiprocessing.context.BaseContext:
    """A plain fork where it is safe (the workers have everything imported already);
    elsewhere (`mkdocs serve` has threads) a fork server that imported paperfeed."""
    if may_fork():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context
