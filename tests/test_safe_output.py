"""The hostile corpus built into a site: every payload comes out as inert text."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Site
from hostile import PAYLOADS, add_hostile_papers


class Elements(HTMLParser):
    """Every element and attribute of a page, and its text, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        # JSON-LD is data that browsers never run; it is checked as JSON below
        self._script = tag == "script" and dict(attrs).get("type") != "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            self.tags.append(("script-text", {"text": data}))
        else:
            self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def assert_inert(html: str, where: str) -> None:
    page = parse(html)
    for tag, attrs in page.tags:
        assert tag not in ("iframe", "object", "embed"), where
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name, value)
            if name in ("href", "src"):
                assert not (value or "").lower().startswith(("javascript:", "data:")), where
        if tag == "script-text":
            assert "alert(1)" not in attrs["text"], where


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("hostile"))
    add_hostile_papers(site)
    site.build()
    return site


def test_no_page_holds_an_active_payload(hostile: Site) -> None:
    pages = sorted(hostile.site_dir.rglob("*.html"))
    assert len(pages) > len(PAYLOADS)
    for page in pages:
        assert_inert(page.read_text(encoding="utf-8"), str(page))


@pytest.mark.parametrize("n, payload", list(enumerate(PAYLOADS.values())), ids=PAYLOADS.keys())
def test_a_paper_page_shows_each_payload_as_text(hostile: Site, n: int, payload: str) -> None:
    html = hostile.html(f"papers/h{n:02d}/")
    text = " ".join(parse(html).text)
    assert text.count(payload) >= 5  # title, authors, venue, submitted by, summary, abstract
    if "{{" in payload:
        assert "49" not in text and "012" not in text
    # the title is text in <title> and in the description meta, never markup
    assert f"<title>{escape(payload)} - Lab Feed</title>" in html
    assert f'<meta name="description" content="{escape(payload)}">' in html
    assert "<math" in html  # math in the same abstract still renders


@pytest.mark.parametrize("n, payload", list(enumerate(PAYLOADS.values())), ids=PAYLOADS.keys())
def test_search_index_holds_each_payload_as_text(hostile: Site, n: int, payload: str) -> None:
    # Pagefind stores the page's text; the search box (search.js) puts it in as text
    # nodes, which the browser tests check. Here: the text is the payload, not markup.
    record = next(r for r in hostile.search_records() if r["url"].endswith(f"/h{n:02d}/"))
    assert record["meta"]["title"] == payload
    assert payload in record["content"]


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml"])
def test_feeds_carry_payloads_as_text(hostile: Site, feed: str) -> None:
    root = ET.fromstring(hostile.read(feed).encode())
    titles = {e.text for e in root.iter() if e.tag.endswith("title")}
    assert set(PAYLOADS.values()) <= titles
    for element in root.iter():
        if element.tag.endswith(("encoded", "content", "description", "summary")):
            assert_inert(element.text or "", feed)


def test_json_feed_carries_payloads_as_text(hostile: Site) -> None:
    items = json.loads(hostile.read("feed.json"))["items"]
    assert {item["title"] for item in items} == set(PAYLOADS.values())
    for item in items:
        assert_inert(item["content_html"], item["id"])


def escape(text: str) -> str:
    from markupsafe import escape as markup_escape

    return str(markup_escape(text))


def test_the_corpus_is_valid_entries(tmp_path: Path) -> None:
    # the corpus must reach the output; if validation refused it, nothing above tests much
    site = Site(tmp_path)
    ids = add_hostile_papers(site)
    from paperfeed.load import load_papers

    assert sorted(p.id for p in load_papers(site.papers).values()) == ids


@pytest.mark.parametrize("n, payload", list(enumerate(PAYLOADS.values())), ids=PAYLOADS.keys())
def test_json_ld_holds_each_payload_as_data(hostile: Site, n: int, payload: str) -> None:
    html = hostile.html(f"papers/h{n:02d}/")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1  # no payload closed the element early
    data = json.loads(scripts[0])
    assert data["headline"] == payload
    assert [a["name"] for a in data["author"]] == [payload, f"Author {n}"]


def test_the_json_export_holds_payloads_as_data(hostile: Site) -> None:
    papers = json.loads(hostile.read("papers.json"))["papers"]
    assert {p["title"] for p in papers} == set(PAYLOADS.values())
    assert all(p["venue"] == p["title"] for p in papers)
