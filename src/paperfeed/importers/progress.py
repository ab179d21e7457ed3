"""Progress on long imports: a bar for a person at a terminal, plain lines for a log.

A day's listing or a big bibliography takes a while, and silence looks like a hang. A
live bar would fill a CI log with control codes, so without a terminal a few plain
lines (about one per tenth of the work) say how far it got.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")

LONG = 10  # items from which work is long enough to report on


def progress(items: Sequence[T], doing: str, stream: TextIO | None = None) -> Iterator[T]:
    """Yield `items`, reporting on `stream` (default stderr) how many are done."""
    stream = stream or sys.stderr
    total = len(items)
    if total < LONG:
        yield from items
    elif stream.isatty():
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(file=stream), transient=True) as bar:
            task = bar.add_task(doing, total=total)
            for item in items:
                yield item
                bar.advance(task)
    else:
        step = max(total // 10, 1)
        for done, item in enumerate(items, start=1):
            yield item
            if done % step == 0 or done == total:
                print(f"{doing}: {done}/{total}", file=stream, flush=True)
