"""Builds that are atomic and reproducible: the site on disk is always a whole one,
and the same papers always give the same bytes."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import Site, entry, write_entry


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def mkdocs_build(site: Site, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site.config())],
        cwd=site.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
    )


def failed_build(site: Site, before: dict[str, bytes], **env: str) -> str:
    """What `mkdocs build` printed as it failed: a message, no traceback, and the site
    as it was (`before`), with nothing of the build left beside it."""
    build = mkdocs_build(site, **env)
    assert build.wait(timeout=120) != 0
    error = build.stderr.read().decode() if build.stderr else ""
    assert "Traceback" not in error
    assert tree(site.site_dir) == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".paperfeed-")] == []
    return error


def write_papers(site: Site, n: int, order: range | reversed) -> None:
    for i in order:
        write_entry(
            site.papers,
            entry(
                id=f"p{i:04d}",
                title=f"Paper {i}: Things",
                tags=[f"t{i % 7}"],
                added=f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                abstract=f"About $x_{i}$ and https://example.org/{i}.",
                upvotes=i,
            ),
            f"{i % 5}/p{i:04d}.yaml",
        )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_build_leaves_the_previous_site_intact(site: Site, signum: int) -> None:
    write_papers(site, 400, range(400))
    site.build()
    before = tree(site.site_dir)
    site.add(id="new", title="A New Paper")
    build = mkdocs_build(site)
    # wait until the new build is writing pages, then interrupt it
    deadline = time.monotonic() + 60
    while not any(site.root.glob(".paperfeed-site-new-*/papers/*/index.html")):
        assert build.poll() is None, build.stderr.read() if build.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)
    build.send_signal(signum)
    try:
        build.wait(timeout=60)
    finally:
        build.kill()  # (a build that hangs on the way out must not outlive the test)
    assert build.returncode != 0
    assert tree(site.site_dir) == before
    # the next build cleans up what the interrupted one left and succeeds
    site.build()
    assert "A New Paper" in site.html("papers/new/")
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".paperfeed-")] == []


def test_a_build_that_fails_late_leaves_the_previous_site_intact(site: Site) -> None:
    write_papers(site, 5, range(5))
    site.build()
    before = tree(site.site_dir)
    # a page with a broken link passes validation of the papers but fails --strict
    # after the pages are written
    (site.root / "docs" / "broken.md").write_text("[x](missing.md)\n")
    site.add(id="new", title="A New Paper")
    with pytest.raises(Abort):
        site.build(strict=True)
    assert tree(site.site_dir) == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".paperfeed-")] == []


def test_a_search_index_that_fails_names_pagefind_and_keeps_the_previous_site(
    site: Site, tmp_path: Path
) -> None:
    write_papers(site, 5, range(5))
    site.build()
    before = tree(site.site_dir)
    site.add(id="new", title="A New Paper")
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'pagefind: out of disk space' >&2\nexit 3\n")
    broken.chmod(0o755)
    error = failed_build(site, before, PAGEFIND_BINARY_PATH=str(broken))
    assert "search index: pagefind ended (status 3): pagefind: out of disk space" in error


def test_two_builds_of_the_same_papers_are_byte_identical(tmp_path: Path) -> None:
    one, two = Site(tmp_path / "one"), Site(tmp_path / "two")
    write_papers(one, 40, range(40))
    write_papers(two, 40, reversed(range(40)))  # another order on disk
    runs = [
        (one, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C", "SOURCE_DATE_EPOCH": "0"}),
        (
            two,
            {
                "PYTHONHASHSEED": "2",
                "TZ": "Pacific/Kiritimati",
                "LC_ALL": "C.UTF-8",
                "SOURCE_DATE_EPOCH": "2000000000",
            },
        ),
    ]
    for site, env in runs:
        build = mkdocs_build(site, **env)
        assert build.wait(timeout=120) == 0, build.stderr.read() if build.stderr else ""
    first, second = tree(one.site_dir), tree(two.site_dir)
    stable = [name for name in first.keys() | second.keys() if not _hash_map_ordered(name)]
    assert [name for name in stable if first.get(name) != second.get(name)] == []
    # Pagefind writes filter values in hash-map order (upstream Pagefind/pagefind#638),
    # which renames those chunks: same content, other order.
    assert one.search_records() == two.search_records()
    filters = [
        sorted(sorted(gzip.decompress(tree[name])) for name in tree if "/filter/" in name)
        for tree in (first, second)
    ]
    assert filters[0] == filters[1] and filters[0]
    # no date of the build anywhere: the sitemap dates pages by their papers
    newest = max(f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}" for i in range(40))
    assert f"<lastmod>{newest}</lastmod>" in first["sitemap.xml"].decode()
    assert time.strftime("%Y-%m-%d").encode() not in first["sitemap.xml"]


def _hash_map_ordered(name: str) -> bool:
    """Pagefind's filter chunks, and the files that name them by their hash."""
    return name.startswith("pagefind/filter/") or name.endswith((".pf_meta", "pagefind-entry.json"))


def test_a_broken_digest_template_is_a_message_and_keeps_the_previous_site(site: Site) -> None:
    """The digest feeds are made from the feed's own overrides/digest.html if it has one:
    broken, it is named with its line, and the build stops before the site is touched."""
    write_papers(site, 20, range(20))
    site.build()
    before = tree(site.site_dir)
    site.add(id="new", title="A New Paper")
    (site.root / "overrides").mkdir()
    (site.root / "overrides" / "digest.html").write_text("{% if %}\n", encoding="utf-8")
    error = failed_build(site, before)
    assert "overrides/digest.html:1: digest template: Expected an expression" in error
