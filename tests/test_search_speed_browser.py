"""How the search box schedules Pagefind's work, seen by a reader in headless Chromium:
a query is searched at once, keystrokes that come while a search runs are answered by
the newest query only, and results are shown one by one in Pagefind's order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from browser import chromium, serve
from conftest import Site

# Every query below is typed in one task: the later ones come while the first is searched.
TYPE = """
(queries) => {
  const input = document.querySelector("[data-pf-search-query]");
  for (const query of queries) {
    input.value = query;
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }
  return document.querySelector(".md-search-result__meta").textContent;
}
"""
# Every title the list shows from now on, in the order they come.
WATCH = """
() => {
  window.seen = [];
  window.watching?.disconnect();
  window.watching = new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        const title = node.querySelector?.("h1");
        if (title) window.seen.push(title.textContent);
      }
    }
  });
  window.watching.observe(document.querySelector(".md-search-result__list"), {childList: true});
}
"""
# Pagefind's own ranking of a query, asked of pagefind.js's default instance: the
# whole index in a feed of one part, as search.js's first instance holds it.
RANKED = """
async (query) => {
  const box = document.querySelector("[data-pf-search]");
  const bundle = new URL(box.dataset.pfSearch, location.href);
  const pagefind = await import(new URL("pagefind.js", bundle).href);
  const found = await pagefind.search(query);
  return (await Promise.all(found.results.map((r) => r.data()))).map((d) => d.meta.title);
}
"""
# "?." as the box may not be in yet: a missing node is "not yet", not an error.
META = "document.querySelector('.md-search-result__meta')?.textContent"
ITEMS = "document.querySelectorAll('.md-search-result__item:not(.pf-search-more)').length"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A feed of twelve zebrafish papers (the word more often in some) and one otter paper."""
    site = Site(tmp_path_factory.mktemp("speed"))
    for i in range(12):
        abstract = " ".join(["Zebrafish swim."] * (i % 5 + 1) + ["Fins grow back."] * 4)
        site.add(id=f"24{i:02d}.00001", title=f"Zebrafish study number {i}", abstract=abstract)
    site.add(id="2413.00001", title="Otters hold hands", abstract="Sea otters sleep afloat.")
    site.site_dir = site.root / "served" / "lab"
    site.build()
    with serve(site.root / "served") as base:
        yield base + "lab/"


@pytest.fixture
def page(served: str) -> Iterator[object]:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(served)
        page.wait_for_selector("[data-pf-search-query]", state="attached")  # the box is in
        page.keyboard.press("/")
        yield page


def test_results_come_in_pagefinds_order_a_page_at_a_time(page) -> None:  # noqa: ANN001
    page.keyboard.type("zebrafish")
    page.wait_for_selector(".pf-search-more")  # it follows the first page once all is in
    titles = page.locator(".md-search-result__item h1")
    ranked = page.evaluate(RANKED, "zebrafish")
    assert len(ranked) == 12
    assert titles.all_inner_texts() == ranked[:10]
    page.click(".pf-search-more button")
    page.wait_for_function(f"{ITEMS} == 12")
    assert titles.all_inner_texts() == ranked
    assert page.locator(".pf-search-more").count() == 0


def test_keystrokes_during_a_search_are_answered_by_the_newest_query(page) -> None:  # noqa: ANN001
    page.evaluate(WATCH)
    page.evaluate(TYPE, ["zebrafish", "otter"])
    page.wait_for_function(f"{META} == '1 matching document' && {ITEMS} == 1")
    assert page.evaluate("window.seen") == ["Otters hold hands"]

    # Emptied while a search runs: the box is ready at once, and the search's answer,
    # come later, is not shown.
    page.evaluate(WATCH)
    assert page.evaluate(TYPE, ["zebrafish", ""]) == "Type to start searching"
    assert page.evaluate(f"{ITEMS}") == 0
    page.evaluate(TYPE, ["otter"])
    page.wait_for_function(f"{META} == '1 matching document' && {ITEMS} == 1")
    assert page.evaluate("window.seen") == ["Otters hold hands"]


def test_what_a_reader_types_before_the_box_is_in_is_searched(served: str) -> None:
    # A page holds the box's frame and fetches its inside (search-box.html): held back
    # here, as a slow network would, while the reader opens the box and types.
    with chromium() as browser:
        page = browser.new_page()
        held: list[object] = []
        page.route("**/search-box.html", lambda route: held.append(route))
        page.goto(served)
        page.keyboard.press("/")
        page.keyboard.type("otterz")
        page.keyboard.press("Backspace")
        assert page.is_checked("#__search")  # the key opened the box at once
        assert page.locator("[data-pf-search-query]").count() == 0
        assert len(held) == 1
        held[0].continue_()  # type: ignore[attr-defined]
        page.wait_for_function(f"{META} == '1 matching document'")
        assert page.input_value("[data-pf-search-query]") == "otter"
        assert page.evaluate("document.activeElement.matches('[data-pf-search-query]')")


def test_the_box_speaks_the_sites_language(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.add(id="2413.00001", title="Otters hold hands", abstract="Sea otters sleep afloat.")
    config = site.config
    site.config = lambda: _in_german(config())  # type: ignore[method-assign]
    site.build()
    with serve(site.site_dir) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base)
        page.wait_for_selector("[data-pf-search-query]", state="attached")
        page.keyboard.press("/")
        page.wait_for_function(f"{META} == 'Suchbegriff eingeben'")
        page.keyboard.type("otters")
        page.wait_for_function(f"{META} == '1 Suchergebnis'")
        page.locator("[data-pf-search-query]").fill("walrus")
        page.wait_for_function(f"{META} == 'Keine Suchergebnisse'")


def _in_german(path: Path) -> Path:
    config = yaml.safe_load(path.read_text())
    config["theme"]["language"] = "de"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
