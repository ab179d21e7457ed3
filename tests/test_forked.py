"""Work in a forked copy of the build (processes.py): its result comes back, its failure
comes back as a message, and killing it ends what it started too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import entry
from paperfeed import search_index
from paperfeed.convert import convert
from paperfeed.entry import Paper
from paperfeed.processes import Forked

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


def test_a_search_index_child_ends_with_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build is killed (no on_build_error): its indexer, in a process group of its
    # own that an interrupt does not reach, ends with it, Pagefind included.
    script = f"""
import os
from pathlib import Path
from conftest import entry
from paperfeed import search_index
from paperfeed.entry import Paper
search_index.SHARD_PAGES = 1
search_index._IN_MEMORY = Path({str(tmp_path / "shm")!r})
from paperfeed.convert import convert
papers = [Paper.model_validate(entry(id=f"p{{i:02d}}")) for i in range(40)]
papers = [(paper, convert(paper, "p.yaml")) for paper in papers]
search_index.PaperIndex(Path({str(tmp_path / "out")!r}), papers, "en", fork=True)
os._exit(0)
"""
    (tmp_path / "shm").mkdir()
    tests = str(Path(__file__).parent)  # for conftest's entry()
    env = {**os.environ, "PYTHONPATH": tests}
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60, env=env)
    parts = lambda: len(list((tmp_path / "out").glob("**/pagefind-entry.json")))  # noqa: E731
    time.sleep(1)
    written = parts()
    time.sleep(2)  # a part takes Pagefind a fraction of a second
    assert parts() == written < 40
    # What it left in memory goes with the next index made on this machine.
    (left,) = (tmp_path / "shm").iterdir()
    monkeypatch.setattr(search_index, "_IN_MEMORY", tmp_path / "shm")
    search_index.PaperIndex(tmp_path / "next", [], "en").stop()
    assert list((tmp_path / "shm").iterdir()) == []


@pytest.mark.parametrize("how", ["finished", "stopped"])
def test_a_search_index_leaves_nothing_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    (tmp_path / "shm").mkdir()
    monkeypatch.setattr(search_index, "_IN_MEMORY", tmp_path / "shm")
    made = [Paper.model_validate(entry(id=f"p{i}")) for i in range(3)]
    papers = [(paper, convert(paper, "p.yaml")) for paper in made]
    index = search_index.PaperIndex(tmp_path / "out", papers, "en", fork=True)
    if how == "finished":
        assert index.finish(tmp_path / "site", []) == 3
    else:
        index.stop()
    assert list((tmp_path / "shm").iterdir()) == []
