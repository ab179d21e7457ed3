"""Two builds of the same feed are the same bytes, the search index too, and it still filters.

Pagefind writes a filter's values in the order of a hash map seeded anew each run
(Pagefind/pagefind#638); paperfeed sorts them after indexing (pagefind_order.py).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from browser import chromium, serve
from conftest import Site
from paperfeed import pagefind_order, search_index

TAGS = [f"topic-{name}" for name in "abcdefghijkl"]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def feed(site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    """Fourteen papers in three index parts, with twelve tags, years and authors."""
    monkeypatch.setattr(search_index, "SHARD_PAGES", 6)
    for i in range(14):
        site.add(
            id=f"p{i:02d}",
            title=f"Zebrafish study number {i}",
            authors=[f"Author {i % 5}", f"Coauthor {i % 3}"],
            published=f"{2015 + i % 6}-01-0{1 + i % 9}",
            tags=sorted({TAGS[i % len(TAGS)], TAGS[(i * 5) % len(TAGS)]}),
        )
    (site.root / "docs" / "about.md").write_text("# About\n\nZebrafish are our topic.\n")
    return site


def test_two_builds_of_the_same_feed_are_identical_to_the_byte(feed: Site) -> None:
    feed.site_dir = feed.root / "first"
    first = tree(feed.build())
    feed.site_dir = feed.root / "second"
    second = tree(feed.build())
    filters = sorted(path for path in first if path.endswith(".pf_filter"))
    # each of the three parts has its tag and year filters
    assert len(filters) == 6, filters
    assert sorted(first) == sorted(second)
    assert [path for path in first if first[path] != second[path]] == []


def test_a_filters_values_are_in_order_and_its_name_follows_its_bytes(feed: Site) -> None:
    bundle = feed.build() / "pagefind"
    tags: set[str] = set()
    for path in sorted(bundle.rglob("filter/*.pf_filter")):
        name, values = pagefind_order.read(path)  # type: ignore[misc]
        assert [value[0] for value in values] == sorted(value[0] for value in values)
        if name == "tag":
            assert len(values) >= 3  # an order to get wrong
            tags.update(value[0] for value in values)
    assert sorted(tags) == TAGS
    # Written again from what it holds, the bundle is unchanged.
    before = tree(bundle)
    pagefind_order.stabilise(bundle)
    assert tree(bundle) == before


def test_the_codec_reads_and_writes_pagefinds_files_unchanged(feed: Site) -> None:
    bundle = feed.build() / "pagefind"
    files = [*bundle.glob("*.pf_meta"), *bundle.glob("index/*.pf_index")]
    assert files
    for path in files:
        raw = gzip.decompress(path.read_bytes())
        assert b"pagefind_dcd" + pagefind_order.encode(pagefind_order.read(path)) == raw


def test_a_file_in_an_unknown_format_is_an_error_that_says_so(tmp_path: Path) -> None:
    bundle = tmp_path / "pagefind"
    (bundle / "filter").mkdir(parents=True)
    (bundle / "pagefind-entry.json").write_text('{"languages":{"en":{"hash":"en_0123456789"}}}')
    pagefind_order.write(bundle / "pagefind.en_0123456789.pf_meta", pagefind_order.encode([1]))
    with pytest.raises(pagefind_order.PagefindFormatError, match="no list of filters"):
        pagefind_order.stabilise(bundle)
    (bundle / "pagefind.en_0123456789.pf_meta").write_bytes(b"not gzip")
    with pytest.raises(pagefind_order.PagefindFormatError, match="not gzip"):
        pagefind_order.stabilise(bundle)


def test_the_browser_still_filters_the_sorted_index(feed: Site) -> None:
    feed.site_dir = feed.root / "served" / "lab"
    feed.build()
    with serve(feed.root / "served") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "lab/")
        page.keyboard.press("/")
        page.keyboard.type("zebrafish")
        meta = "document.querySelector('.md-search-result__meta').textContent"
        page.wait_for_function(f"{meta} === '15 matching documents'", timeout=10_000)
        tag = page.locator("select[name=tag]")
        tag.focus()
        page.wait_for_function(
            f"document.querySelector('select[name=tag]').options.length == {len(TAGS) + 1}"
        )
        # topic-b: papers 1 and 13 (i % 12 == 1) and 5 ((5 * 5) % 12 == 1)
        tag.select_option("topic-b")
        page.wait_for_function(f"{meta} === '3 matching documents'")
        # of which 1 and 13 were published in 2016, 5 in 2020
        page.locator("select[name=year]").select_option("2016")
        page.wait_for_function(f"{meta} === '2 matching documents'")
