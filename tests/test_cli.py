"""The `paperfeed` command as a contributor and a maintainer run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Site, entry, write_entry


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_check_passes_on_good_entries(tmp_path: Path) -> None:
    write_entry(tmp_path / "papers", entry(tags=["a"]))
    result = run(tmp_path, "check")
    assert result.returncode == 0
    assert result.stdout == "1 papers OK (1 days, 1 tags)\n"


def test_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    write_entry(tmp_path / "papers", entry(id="a", upvotes="many"))
    write_entry(tmp_path / "papers", entry(id="b", abstract=None))
    result = run(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "papers/a.yaml:9: upvotes: must be a whole number, not text",
        "papers/b.yaml:1: abstract: is required but missing: add a line `abstract: ...`",
        "2 problem(s) found: fix them and run again.",
    ]


def test_build_builds_and_summarises(site: Site) -> None:
    site.add(tags=["x", "y"])
    site.config()
    result = run(site.root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 1 papers, 1 days, 2 tags in ")
    assert (site.root / "site/papers/2401.00001/index.html").is_file()
    assert (site.root / "site/feed.xml").is_file()


def test_build_refuses_bad_entries_before_touching_the_site(site: Site) -> None:
    site.add(added="yesterday")
    site.config()
    (site.root / "site").mkdir()
    (site.root / "site/old.html").write_text("previous site")
    result = run(site.root, "build")
    assert result.returncode == 1
    assert (
        "papers/2401.00001.yaml:8: added: 'yesterday' is not a date or a date-time" in result.stderr
    )
    assert (site.root / "site/old.html").read_text() == "previous site"


def test_convert_writes_the_generated_pages(tmp_path: Path) -> None:
    write_entry(tmp_path / "papers", entry(tags=["a"]))
    result = run(tmp_path, "convert", "out")
    assert result.returncode == 0
    pages = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md")
    )
    assert pages == [
        "archive.md",
        "authors/ada-lovelace.md",
        "authors/alan-turing.md",
        "authors/index.md",
        "code/index.md",
        "days/2024-11-27.md",
        "index.md",
        "months/2024-11.md",
        "papers/2401.00001.md",
        "subscribe.md",
        "tags/a.md",
        "tags/index.md",
        "trending.md",
        "weeks/2024-W48.md",
    ]
