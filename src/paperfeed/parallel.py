"""Per-entry work spread over the machine's cores once a feed is large.

Loading and converting are independent for each entry, and at 10,000 entries they are
the core's whole cost, so big feeds are cut into one chunk per core. Workers are forks of
this process where it has no other thread (`mkdocs build`), else of a fork server that
has already imported paperfeed (`mkdocs serve` has threads): milliseconds either way.
Small feeds stay in-process, where a pool would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, one process is faster than starting a pool.
MIN_ITEMS = 2000
CHUNKS_PER_WORKER = 4
_PRELOAD = ["paperfeed.load", "paperfeed.pages"]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def map_chunks(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """`work` applied to consecutive chunks of `items`, results concatenated in order.

    `work` must be a module-level function (workers import it by name).
    """
    workers = min(cores(), len(items) // max(MIN_ITEMS // 2, 1))
    if workers < 2:
        return work(items)
    # Several chunks per worker: no worker idles at the end waiting for a slow one,
    # and the parent unpickles early results while later ones are still computed.
    size = -(-len(items) // (workers * CHUNKS_PER_WORKER))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    context = _context()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(work, chunks)
        return [result for chunk in results for result in chunk]


def _context() -> multiprocessing.context.BaseContext:
    # A plain fork is the quickest (the workers have everything imported), and safe in
    # a process with no other thread; elsewhere a fork server started for the purpose.
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context
