""" "New since your last visit", in headless Chromium: what a reader has seen lives in their
browser only, a later visit marks exactly the papers added since, and "Mark as seen"
clears the marks. Each browser tab is a visit (sessionStorage is per tab)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import chromium, serve
from conftest import Site

FIRST = [("2411.00001", "2024-11-25"), ("2411.00002", "2024-11-26"), ("2411.00003", "2024-11-27")]
LATER = [("2411.00004", "2024-11-27T18:00:00Z"), ("2411.00005", "2024-11-28")]


def add(site: Site, papers: list[tuple[str, str]]) -> None:
    for paper_id, added in papers:
        site.add(id=paper_id, title=f"Paper {paper_id}", added=added, tags=["vision"])


def marked(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        ".pf-card--new h2 a, .pf-card--new h3 a", "links => links.map(a => a.textContent)"
    )


def visit(context: Any, url: str) -> Any:
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_load_state("load")
    page.requests = requests
    return page


@pytest.fixture()
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    add(site, FIRST)
    site.build()
    return site


def test_a_later_visit_marks_exactly_the_papers_added_since(site: Site) -> None:
    with serve(site.site_dir) as base, chromium() as browser:
        context = browser.new_context()
        first = visit(context, base + "tags/vision/")
        assert marked(first) == [] and first.locator("[data-pf-new]").is_hidden()
        first.close()
        add(site, LATER)
        site.build()
        again = visit(context, base + "tags/vision/")
        assert sorted(marked(again)) == ["Paper 2411.00004", "Paper 2411.00005"]
        assert again.locator("[data-pf-new-count]").text_content() == "2 new since your last visit"
        assert again.locator(".pf-new-badge").count() == 2
        # the same visit, another page: the home page (the newest day) marks its paper too
        again.goto(base)
        assert marked(again) == ["Paper 2411.00005"]
        assert all(url.startswith(base) for url in again.requests), again.requests
        again.locator("[data-pf-new] button").click()
        assert marked(again) == [] and again.locator("[data-pf-new]").is_hidden()
        again.close()
        after = visit(context, base + "tags/vision/")
        assert marked(after) == []
        stored = after.evaluate("Object.keys(localStorage)")
        assert [key for key in stored if key.endswith("paperfeed.seen")] == ["/.paperfeed.seen"]
        assert after.evaluate("document.cookie") == ""


def test_without_javascript_nothing_is_marked_and_nothing_breaks(site: Site) -> None:
    with serve(site.site_dir) as base, chromium() as browser:
        context = browser.new_context(java_script_enabled=False)
        visit(context, base + "tags/vision/").close()
        add(site, LATER)
        site.build()
        page = visit(context, base + "tags/vision/")
        assert page.locator(".pf-card").count() == 5
        assert page.locator(".pf-new-badge").count() == 0
        assert page.locator("[data-pf-new]").is_hidden()
