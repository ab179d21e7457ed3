"""Work in a forked copy of the build (forked.py): its result comes back, its failure
comes back as a message, and killing it ends what it started too."""

from __future__ import annotations

import os
import subprocess
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
