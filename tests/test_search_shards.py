"""A feed too big for one Pagefind index in memory is indexed in parts, which the
reader's browser searches newest part first: every paper is found, whichever part holds it."""

from __future__ import annotations

import json

import pytest

from browser import chromium, serve
from conftest import Site
from paperfeed import search_index


@pytest.fixture
def sharded(site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setattr(search_index, "SHARD_PAGES", 5)
    for i in range(12):
        site.add(id=f"p{i:02d}", title=f"Zebrafish study number {i}", tags=[f"t{i % 2}"])
    (site.root / "docs" / "about.md").write_text("# About\n\nZebrafish are our topic.\n")
    site.site_dir = site.root / "served" / "lab"
    site.build()
    return site


def test_a_big_index_is_written_in_parts(sharded: Site) -> None:
    shards = json.loads(sharded.read("pagefind/paperfeed-shards.json"))
    # (hand-written pages have an index of their own: they are indexed once built)
    assert shards == ["shard-1/", "shard-2/", "pages/"]
    urls = sorted(r["url"] for r in sharded.search_records())
    assert urls == ["/about/"] + [f"/papers/p{i:02d}/" for i in range(12)]


def test_the_browser_merges_the_parts(sharded: Site) -> None:
    with serve(sharded.root / "served") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "lab/")
        page.keyboard.press("/")
        page.keyboard.type("zebrafish")
        page.wait_for_function(
            "document.querySelector('.md-search-result__meta').textContent"
            " === '13 matching documents'",
            timeout=10_000,
        )
        page.locator("select[name=tag]").focus()
        page.wait_for_function("document.querySelector('select[name=tag]').options.length == 3")
        page.locator("select[name=tag]").select_option("t1")
        page.wait_for_function(
            "document.querySelector('.md-search-result__meta').textContent"
            " === '6 matching documents'"
        )
