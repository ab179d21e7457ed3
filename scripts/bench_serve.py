#!/usr/bin/env python
"""How soon `mkdocs serve` shows a paper an author has just edited or added.

    python scripts/bench_serve.py ROOT

ROOT is a bench root (bench_corpus: mkdocs.yml, docs/, papers/). The server runs in it as
an author runs it, logging to ROOT/serve.log. Once the first build is served and its
search index made, the title of one entry is changed, a different entry each time, and
the paper's page is fetched every 0.1 s until the new title is in it; the next edit waits
for that rebuild's search index, so no edit lands in the middle of another's work. Then
a new entry is added and its page awaited. The issue's target: a new or edited paper is
shown within 5 s at 10,000 papers.

The entries are left edited and one is added: the bench runs this stage last.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bench_corpus import SITE_URL

TARGET_S = 5.0
EDITS = 3
POLL_S = 0.1
# Generous: the first build and its search index take minutes at 100,000 papers.
START_TIMEOUT_S = 1800.0
INDEX_TIMEOUT_S = 1800.0
SHOW_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 60.0
LOG = "serve.log"
NEW_ID = "9912.99999"  # no corpus id is this old
BUILDING = "Building documentation..."
INDEXED = re.compile(r"Search index: \d+ pages indexed")
TROUBLE = re.compile(r"^(ERROR|Traceback|Exception in thread)", re.MULTILINE)


class ServeError(Exception):
    """mkdocs serve stopped, failed a build, or did not show a page in time."""


def free_port() -> int:
    """A port nothing listens on now, so parallel benches do not collide."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    """The page's text, or "" while the server is not up or has no such page yet."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except (OSError, http.client.HTTPException):
        return ""


@dataclass
class Server:
    """A running `mkdocs serve` and the log it writes, read to know when it is idle."""

    process: subprocess.Popen[bytes]
    log: Path
    base: str  # the site's URL, SITE_URL's path on the local port

    def page(self, paper_id: str) -> str:
        return f"{self.base}papers/{paper_id}/"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def indexed(self) -> int:
        """How many search indexes have been made: one per build, after it, in the background."""
        return len(INDEXED.findall(self.log_text()))

    def settled(self, indexed_before: int) -> bool:
        """Whether a new search index is made and no build is left without its index."""
        text = self.log_text()
        indexed = len(INDEXED.findall(text))
        return indexed > indexed_before and indexed >= text.count(BUILDING)

    def trouble(self) -> str | None:
        """Why waiting longer is pointless: the server exited, or a build or index failed."""
        if self.process.poll() is not None:
            return f"exited with {self.process.returncode}"
        if found := TROUBLE.search(self.log_text()):
            return f"logged {found.group(1)}"
        return None

    def wait(self, done: Callable[[], bool], since: float, timeout: float, what: str) -> float:
        """Seconds from `since` until `done()`, checked every POLL_S; fails fast on trouble."""
        while not done():
            if reason := self.trouble():
                raise ServeError(f"{what}: mkdocs serve {reason}; {self.log} ends:\n{self.tail()}")
            if time.monotonic() - since > timeout:
                raise ServeError(
                    f"{what}: not after {timeout:.0f} s; {self.log} ends:\n{self.tail()}"
                )
            time.sleep(POLL_S)
        return time.monotonic() - since

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


@contextmanager
def serving(root: Path) -> Iterator[Server]:
    """`mkdocs serve` in root on a free port, stopped however the measurement ends.

    Stopped with Ctrl-C's signal, as an author stops it: mkdocs then removes its temporary
    site, which at 10,000 papers would leave hundreds of MB behind on every run."""
    port = free_port()
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(root / LOG, "wb") as log:
        process = subprocess.Popen(command, cwd=root, stdout=log, stderr=log, env=env)
        try:
            yield Server(process, root / LOG, f"http://127.0.0.1:{port}{urlsplit(SITE_URL).path}")
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def entry_id(path: Path) -> str:
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["id"])


def with_fields(text: str, **fields: str) -> str:
    """The entry's YAML with these top-level fields set, each value on one line; a long
    title the dumper folded onto indented lines below is replaced whole."""
    for key, value in fields.items():
        line = f"{key}: {json.dumps(value)}\n"  # a JSON string is a YAML string
        text, found = re.subn(rf"^{key}:.*\n(?:[ \t]+.*\n)*", line, text, count=1, flags=re.M)
        if not found:
            raise ServeError(f"no {key}: line in the entry to change")
    return text


def save(path: Path, text: str, root: Path) -> None:
    """Write the whole file at once, as editors save: the watcher never sees half of it.
    The temp file is in root, which mkdocs does not watch, on the same file system."""
    temp = root / f".{path.name}.serve-edit"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def measure_serve(root: Path, edits: int = EDITS) -> dict[str, Any]:
    """The first build's seconds, each edit's seconds until shown, and the new paper's."""
    entries = sorted((root / "papers").rglob("*.yaml"))
    if not entries:
        raise ServeError(f"no entries in {root / 'papers'}")
    # Spread over the corpus, oldest first: an old paper's page is as often edited as a new one.
    edited = [entries[i * len(entries) // edits] for i in range(edits)]
    start = time.monotonic()
    with serving(root) as server:
        first_url = server.page(entry_id(edited[0]))
        first = server.wait(lambda: bool(fetch(first_url)), start, START_TIMEOUT_S, "first build")
        server.wait(lambda: server.settled(0), start, INDEX_TIMEOUT_S, "first search index")
        seconds = []
        for number, path in enumerate(edited, 1):
            title = f"Edited while serving number {number}"
            seconds.append(change(server, root, path, path, title))
        newest = entries[-1]
        added = newest.with_name(f"{NEW_ID}.yaml")
        new = change(server, root, newest, added, "Added while serving", NEW_ID)
    return {
        "seconds": statistics.median(seconds),
        "first_build_seconds": first,
        "edit_seconds": seconds,
        "new_paper_seconds": new,
    }


def change(
    server: Server, root: Path, source: Path, target: Path, title: str, new_id: str | None = None
) -> float:
    """Seconds until the page shows `title` after `source`, retitled (and given `new_id`),
    is saved as `target`; then waits for the rebuild's search index, so the server is idle."""
    fields = {"title": title} | ({"id": new_id, "arxiv": new_id} if new_id else {})
    text = with_fields(source.read_text(encoding="utf-8"), **fields)
    url = server.page(new_id or entry_id(source))
    indexed = server.indexed()
    save(target, text, root)
    start = time.monotonic()
    shown = server.wait(lambda: title in fetch(url), start, SHOW_TIMEOUT_S, f"{title!r} at {url}")
    what = f"search index after {target.name}"
    server.wait(lambda: server.settled(indexed), start, INDEX_TIMEOUT_S, what)
    return shown


def summary(label: str, result: dict[str, Any]) -> str:
    """The serve stage's line in the bench's report; both kinds of change are held to target."""
    over = [
        *(["edited"] if result["seconds"] > TARGET_S else []),
        *(["new"] if result["new_paper_seconds"] > TARGET_S else []),
    ]
    flag = f"  over target ({', '.join(over)})" if over else ""
    return (
        f"{label}serve: first build {result['first_build_seconds']:.1f} s; an edited paper "
        f"shows after {result['seconds']:.1f} s (median of {len(result['edit_seconds'])}), "
        f"a new paper after {result['new_paper_seconds']:.1f} s; target <= {TARGET_S:g} s{flag}"
    )


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__.split("\n\n")[1])
    try:
        print(summary("", measure_serve(Path(argv[0]))))
    except ServeError as e:
        sys.exit(str(e))


if __name__ == "__main__":
    main(sys.argv[1:])
