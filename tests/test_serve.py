"""`mkdocs serve` rebuilds when an entry under papers/ changes: a real server, polled."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import Site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in fetch(url):
            return True
        time.sleep(0.5)
    return False


def test_serve_shows_an_edited_paper(site: Site) -> None:
    site.add(id="live", title="Before the Edit")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "-f",
            str(site.config()),
            "-a",
            f"127.0.0.1:{port}",
        ],
        cwd=site.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}/lab/"
        assert wait_for(base + "papers/live/", "Before the Edit")
        site.add(id="live", title="After the Edit")
        assert wait_for(base + "papers/live/", "After the Edit")
        site.add(id="new", title="A Paper Added While Serving")
        assert wait_for(base, "A Paper Added While Serving")
        # search works in the preview too: its index is made in the background
        assert wait_for(base + "pagefind/pagefind-entry.json", '"page_count":2')
    finally:
        server.terminate()
        server.wait(timeout=30)
