"""Work in a forked copy of the build (forked.py): its result comes back, its failure
comes back as a message, and killing it ends what it started too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperfeed.forked import Forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_the_result_comes_back_from_the_child() -> None:
    seen = [1, 2, 3]  # the child has what the parent had, unpickled
    child = Forked(lambda: {"sum": sum(seen), "pid": os.getpid()})
    result = child.result()
    assert result["sum"] == 6
    assert result["pid"] == child.pid != os.getpid()


def test_a_failure_comes_back_as_a_message() -> None:
    def work() -> dict:
        raise RuntimeError("the disk is full")

    assert Forked(work).result() == {"error": "RuntimeError: the disk is full"}


def test_the_child_runs_at_the_niceness_asked() -> None:
    child = Forked(lambda: {"nice": os.nice(0)}, niceness=5)
    assert child.result()["nice"] == os.nice(0) + 5


def test_kill_ends_the_child_and_what_it_started(tmp_path: Path) -> None:
    started = tmp_path / "pid"

    def work() -> dict:
        sleeper = subprocess.Popen(["sleep", "60"])
        started.write_text(str(sleeper.pid))
        sleeper.wait()
        return {}

    child = Forked(work)
    deadline = time.monotonic() + 10
    while not started.exists() or not started.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    child.kill()
    sleeper = int(started.read_text())
    time.sleep(0.1)
    # the sleeper is gone (or a zombie no one waits for, which counts as gone)
    status = Path(f"/proc/{sleeper}/status")
    assert not status.exists() or "State:\tZ" in status.read_text()


def test_a_search_index_child_stops_when_the_build_is_gone(tmp_path: Path) -> None:
    # The build is killed (no on_build_error): its indexer, in a process group of its
    # own that an interrupt does not reach, stops after the part it is writing.
    script = f"""
import os, sys
from pathlib import Path
sys.path[:0] = {[str(Path(__file__).parent)]!r}
from conftest import entry
from paperfeed import search_index
from paperfeed.entry import Paper
search_index.SHARD_PAGES = 1
papers = [(Paper.model_validate(entry(id=f"p{{i:02d}}")), "") for i in range(40)]
search_index.PaperIndex(Path({str(tmp_path / "out")!r}), papers, "en", fork=True)
os._exit(0)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    time.sleep(3)  # a part takes Pagefind a fraction of a second
    parts = lambda: len(list((tmp_path / "out").glob("**/pagefind-entry.json")))  # noqa: E731
    written = parts()
    time.sleep(2)
    assert parts() == written < 40
