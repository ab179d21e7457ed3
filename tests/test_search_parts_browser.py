"""A feed indexed in several parts is searched newest part first, in headless Chromium:
a common word's first page comes without fetching every part, asking for more reaches
the older parts, a word only in the oldest part is found, and filters hold in all."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from browser import QuietHandler, chromium
from conftest import Site
from paperfeed import search_index

META = "document.querySelector('.md-search-result__meta').textContent"
ITEMS = "document.querySelectorAll('.md-search-result__item:not(.pf-search-more)').length"
# Parts of 5 papers, 23 papers: pagefind/ holds p00-p04 (the oldest), shard-4/ p20-p22.
PAPERS = 23


class Recorder(QuietHandler):
    """Serves the site and notes each path asked for."""

    asked: list[str]

    def do_GET(self) -> None:
        self.asked.append(self.path)
        super().do_GET()


@contextmanager
def recorded(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve `directory` on 127.0.0.1; yields the base URL and the paths asked for."""
    asked: list[str] = []
    handler = functools.partial(
        type("Handler", (Recorder,), {"asked": asked}), directory=str(directory)
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(search_index, "SHARD_PAGES", 5)
    site = Site(tmp_path_factory.mktemp("parts"))
    for i in range(PAPERS):
        rare = " Axolotls regrow limbs." if i == 0 else ""
        site.add(
            id=f"p{i:02d}",
            title=f"Zebrafish study number {i}",
            abstract=f"Zebrafish swim.{rare}",
            tags=[f"t{i % 2}"],
        )
    site.site_dir = site.root / "served" / "lab"
    try:
        site.build()
    finally:
        monkeypatch.undo()
    return site.root / "served"


@pytest.fixture
def searching(parted: Path) -> Iterator[tuple[object, list[str]]]:
    with recorded(parted) as (base, asked), chromium() as browser:
        page = browser.new_page()
        page.goto(base + "lab/")
        page.keyboard.press("/")
        page.wait_for_function("document.querySelector('[data-pf-search]').dataset.state")
        yield page, asked


def metas(asked: list[str]) -> set[str]:
    """The parts whose metadata was fetched: '' for pagefind/ itself, else 'shard-N/'."""
    parts = {path.split("/pagefind/", 1)[1] for path in asked if path.endswith(".pf_meta")}
    return {part.rpartition("pagefind.")[0] for part in parts}


def titles(page) -> list[str]:  # noqa: ANN001
    return page.locator(".md-search-result__item h1").all_inner_texts()


def test_a_common_words_first_page_needs_only_the_newest_parts(searching) -> None:  # noqa: ANN001
    page, asked = searching
    assert metas(asked) == {"shard-4/"}  # opening the box loads the newest part alone
    page.keyboard.type("zebrafish")
    page.wait_for_function(f"{ITEMS} == 10")
    # shard-4 has 3 papers, too few for a page: the next batch (3 parts) answered too
    assert page.evaluate(META) == "18+ matching documents"
    assert metas(asked) == {"shard-4/", "shard-3/", "shard-2/", "shard-1/"}
    assert all(int(t.rsplit(" ", 1)[1]) >= 5 for t in titles(page))  # none of pagefind/'s

    # More reaches the oldest part, which makes the count exact.
    assert page.inner_text(".pf-search-more button") == "Show more (8+)"
    page.click(".pf-search-more button")
    page.wait_for_function(f"{ITEMS} == 20")
    assert page.evaluate(META) == f"{PAPERS} matching documents"
    assert "" in metas(asked)
    page.click(".pf-search-more button")
    page.wait_for_function(f"{ITEMS} == {PAPERS}")
    assert page.locator(".pf-search-more").count() == 0
    assert sorted(titles(page)) == sorted(f"Zebrafish study number {i}" for i in range(PAPERS))


def test_a_word_only_in_the_oldest_part_is_found(searching) -> None:  # noqa: ANN001
    page, _ = searching
    page.keyboard.type("axolotls")
    page.wait_for_function(f"{META} == '1 matching document' && {ITEMS} == 1")
    assert titles(page) == ["Zebrafish study number 0"]


def test_filters_apply_in_every_part(searching) -> None:  # noqa: ANN001
    page, _ = searching
    tags = page.locator("select[name=tag]")
    tags.focus()
    page.wait_for_function("document.querySelector('select[name=tag]').options.length == 3")
    # the lists count the papers of every part
    assert tags.locator("option").all_inner_texts()[1:] == ["t0 (12)", "t1 (11)"]
    page.keyboard.press("Escape")
    page.locator("[data-pf-search-query]").fill("zebrafish")
    tags.select_option("t1")
    # the newer parts hold 9 papers tagged t1, fewer than a page: every part answers
    page.wait_for_function(f"{META} == '11 matching documents' && {ITEMS} == 10")
    page.click(".pf-search-more button")
    page.wait_for_function(f"{ITEMS} == 11")
    odd = sorted(f"Zebrafish study number {i}" for i in range(1, PAPERS, 2))
    assert sorted(titles(page)) == odd


def test_a_double_click_on_more_shows_each_paper_once(searching) -> None:  # noqa: ANN001
    page, _ = searching
    page.keyboard.type("zebrafish")
    page.wait_for_function(f"{ITEMS} == 10 && !!document.querySelector('.pf-search-more')")
    page.dblclick(".pf-search-more button")
    page.wait_for_function(f"{ITEMS} == 20")
    page.click(".pf-search-more button")
    page.wait_for_function(f"{ITEMS} == {PAPERS}")
    assert sorted(titles(page)) == sorted(f"Zebrafish study number {i}" for i in range(PAPERS))
