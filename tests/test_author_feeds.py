"""The feed of each author with a page: /authors/<slug>/feed.xml and atom.xml.

Built for real, then read back as a reader finds them: from the author's page (a link
and autodiscovery), from feeds.opml, and parsed with feedparser and ElementTree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from conftest import Site
from hostile import PAYLOADS, add_hostile_papers
from paperfeed.authors import author_slug, display_name

BASE = "https://feeds.example.org/lab/"
LIMIT = 3
MEDIA_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}
ATOM = "{http://www.w3.org/2005/Atom}"
# Where an item carries the abstract: RSS's description and content:encoded, Atom's
# summary and content.
ABSTRACT = {
    "description",
    "{http://purl.org/rss/1.0/modules/content/}encoded",
    f"{ATOM}summary",
    f"{ATOM}content",
}

# Oldest first. "Łukasz Kaiser" and "Lukasz Kaiser" are one author (one slug, one page).
PAPERS = [
    dict(id="a1", added="2024-11-01", authors=["Łukasz Kaiser", "Grace Hopper"]),
    dict(id="a2", added="2024-11-02", authors=["Grace Hopper"], tags=["graphs"]),
    dict(id="a3", added="2024-11-03", authors=["Lukasz Kaiser", "Solo Writer"]),
    dict(id="a4", added="2024-11-04T08:00:00+02:00", authors=["Łukasz Kaiser", "Grace Hopper"]),
    dict(id="a5", added="2024-11-04T12:00:00Z", authors=["Łukasz Kaiser"], tags=["graphs"]),
    dict(id="a6", added="2024-11-05", authors=["Ada Lovelace", "Grace Hopper"]),
]
# Authors with at least 2 papers have a page, and so a feed: newest first, at most LIMIT.
EXPECTED = {
    "lukasz-kaiser": ("Łukasz Kaiser", ["a5", "a4", "a3"]),
    "grace-hopper": ("Grace Hopper", ["a6", "a4", "a2"]),
}
PAGELESS = ("solo-writer", "ada-lovelace")  # one paper each


def add_papers(site: Site) -> None:
    for fields in PAPERS:
        site.add(
            title=f"Paper {fields['id']}", abstract=f"Bound $x^2$ in {fields['id']}.", **fields
        )
    site.plugin_options = {"author_feed_limit": LIMIT, "author_pages_min_papers": 2}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("author-feeds"))
    add_papers(site)
    site.build()
    return site


def parsed(site: Site, path: str) -> feedparser.FeedParserDict:
    result = feedparser.parse(site.read(path))
    assert not result.bozo, (path, result.get("bozo_exception"))
    return result


class _Links(HTMLParser):
    """The <link> elements of a page's head, and the <a> elements of its body."""

    def __init__(self) -> None:
        super().__init__()
        self.head: list[dict[str, str | None]] = []
        self.anchors: list[tuple[str | None, str]] = []
        self._in_head = False
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head:
            self.head.append(dict(attrs))
        elif tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag == "a":
            self.anchors.append((self._href, "".join(self._text).strip()))

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def page_links(site: Site, slug: str) -> _Links:
    links = _Links()
    links.feed(site.html(f"authors/{slug}"))
    return links


def absolute(slug: str, href: str | None) -> str:
    assert href is not None
    return urljoin(f"{BASE}authors/{slug}/", href)


def test_every_author_with_a_page_and_only_they_have_both_feeds(built: Site) -> None:
    authors = built.site_dir / "authors"
    pages = {p.parent.name for p in authors.glob("*/index.html")}
    assert pages == set(EXPECTED)
    for name in MEDIA_TYPES:
        assert {p.parent.name for p in authors.glob(f"*/{name}")} == pages
    for slug in PAGELESS:
        assert not (authors / slug).exists()


@pytest.mark.parametrize("name", list(MEDIA_TYPES))
@pytest.mark.parametrize("slug", list(EXPECTED))
def test_an_author_feed_lists_their_papers_newest_first(built: Site, slug: str, name: str) -> None:
    feed = parsed(built, f"authors/{slug}/{name}")
    author, ids = EXPECTED[slug]
    assert feed.version == ("rss20" if name == "feed.xml" else "atom10")
    assert feed.feed.title == f"Lab Feed · {author}"
    assert [e.link for e in feed.entries] == [f"{BASE}papers/{i}/" for i in ids]
    assert [e.id for e in feed.entries] == [e.link for e in feed.entries]
    links = {(link.rel, link.href, link.get("type")) for link in feed.feed.links}
    assert ("self", f"{BASE}authors/{slug}/{name}", MEDIA_TYPES[name]) in links
    assert feed.feed.link == f"{BASE}authors/{slug}/"  # the author's page
    newest = next(p for p in PAPERS if p["id"] == ids[0])
    assert feed.feed.updated_parsed[:3] == tuple(int(n) for n in newest["added"][:10].split("-"))


def test_an_author_feed_follows_the_validators_rules(built: Site) -> None:
    slug = "grace-hopper"
    channel = ET.fromstring(built.read(f"authors/{slug}/feed.xml").encode()).find("channel")
    assert channel is not None
    assert channel.findtext("title") and channel.findtext("description")
    assert channel.findtext("link") == f"{BASE}authors/{slug}/"
    guids = [item.find("guid") for item in channel.findall("item")]
    assert [g.get("isPermaLink") for g in guids if g is not None] == ["true"] * 3
    atom = ET.fromstring(built.read(f"authors/{slug}/atom.xml").encode())
    assert atom.findtext(f"{ATOM}id") == f"{BASE}authors/{slug}/"  # its own Atom id
    for entry in atom.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}summary").get("type") == "html"  # type: ignore[union-attr]
        # no <content>, so Atom wants a link to the paper (rel defaults to "alternate")
        assert entry.find(f"{ATOM}content") is None
        assert [link.get("rel", "alternate") for link in entry.iter(f"{ATOM}link")] == ["alternate"]


@pytest.mark.parametrize("name, tag", [("feed.xml", "item"), ("atom.xml", f"{ATOM}entry")])
def test_an_author_feed_item_is_the_main_feeds_without_the_abstract(
    built: Site, name: str, tag: str
) -> None:
    """Same id, title, link, dates, authors and tags; the page's description in place of
    the abstract (twice in a full item: as text and as HTML)."""

    def items(path: str) -> dict[str, ET.Element]:
        root = ET.fromstring(built.read(path).encode())
        return {(e.findtext("guid") or e.findtext(f"{ATOM}id") or ""): e for e in root.iter(tag)}

    def without_abstract(item: ET.Element) -> list[tuple[str, str, str]]:
        kept = [c for c in item if c.tag not in ABSTRACT]
        return [(c.tag, c.text or "", str(sorted(c.attrib.items()))) for c in kept]

    by_author = items(f"authors/lukasz-kaiser/{name}")
    main = items(name)
    tagged = items(f"tags/graphs/{name}")
    for paper in ("a5", "a4"):
        url = f"{BASE}papers/{paper}/"
        assert without_abstract(by_author[url]) == without_abstract(main[url])
    url = f"{BASE}papers/a5/"  # tagged #graphs
    assert without_abstract(by_author[url]) == without_abstract(tagged[url])
    entry = parsed(built, f"authors/lukasz-kaiser/{name}").entries[0]
    assert entry.summary == "Bound $x^2$ in a5."  # the page's meta description
    assert "content" not in entry
    main_entry = parsed(built, name).entries[0]
    assert "<math" in main_entry.content[0].value  # the full item keeps the rendered abstract


def test_an_author_feed_weighs_less_than_its_full_items(tmp_path: Path) -> None:
    """The brief items are what keeps tens of thousands of author feeds small."""
    site = Site(tmp_path)
    long = " ".join(["A sentence of an abstract long enough to be cut."] * 30)
    for n in range(3):
        site.add(
            id=f"p{n}",
            title=f"Paper {n}",
            added=f"2024-11-0{n + 1}",
            authors=["Grace Hopper"],
            abstract=long,
        )
    site.build()
    author = len(site.read("authors/grace-hopper/atom.xml"))
    main = len(site.read("atom.xml"))
    assert author < main / 3, (author, main)
    assert "A sentence" in site.read("authors/grace-hopper/atom.xml")


def test_author_feeds_are_stable_across_builds(tmp_path: Path) -> None:
    site = Site(tmp_path)
    add_papers(site)
    site.build()
    first = {
        p: site.read(f"authors/{p}") for p in ("grace-hopper/feed.xml", "grace-hopper/atom.xml")
    }
    site.build()
    assert {p: site.read(f"authors/{p}") for p in first} == first  # the same bytes
    ids = [e.id for e in parsed(site, "authors/grace-hopper/atom.xml").entries]
    site.add(**{**PAPERS[-1], "title": "A Better Title", "abstract": "Rewritten."})
    site.build()
    again = parsed(site, "authors/grace-hopper/atom.xml").entries
    assert [e.id for e in again] == ids and again[0].title == "A Better Title"


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_the_author_page_links_its_feeds(built: Site, slug: str) -> None:
    links = page_links(built, slug)
    title = f"Lab Feed · {EXPECTED[slug][0]}"
    alternates = [
        (link.get("type"), link.get("title"), absolute(slug, link.get("href")))
        for link in links.head
        if link.get("rel") == "alternate"
        and absolute(slug, link.get("href")).startswith(f"{BASE}authors/")
    ]
    assert alternates == [
        ("application/rss+xml", f"{title} (RSS)", f"{BASE}authors/{slug}/feed.xml"),
        ("application/atom+xml", f"{title} (Atom)", f"{BASE}authors/{slug}/atom.xml"),
    ]
    visible = {text: absolute(slug, href) for href, text in links.anchors}
    assert visible["RSS"] == f"{BASE}authors/{slug}/feed.xml"
    assert visible["Atom"] == f"{BASE}authors/{slug}/atom.xml"


def test_the_opml_lists_each_author_feed_after_the_tags(built: Site) -> None:
    root = ET.fromstring(built.read("feeds.opml").encode())
    outlines = [(o.get("xmlUrl"), o.get("htmlUrl"), o.get("title")) for o in root.iter("outline")]
    by_author = [o for o in outlines if "/authors/" in (o[0] or "")]
    # by name, as the authors index lists them
    assert by_author == [
        (f"{BASE}authors/{slug}/feed.xml", f"{BASE}authors/{slug}/", f"Lab Feed · {name}")
        for slug, (name, _) in sorted(EXPECTED.items(), key=lambda item: item[1][0])
    ]
    tags = [i for i, o in enumerate(outlines) if "/tags/" in (o[0] or "")]
    authors = [i for i, o in enumerate(outlines) if o in by_author]
    assert tags and max(tags) < min(authors)


def test_the_subscribe_page_says_author_pages_have_feeds(built: Site) -> None:
    html = built.html("subscribe")
    assert "Each author page has its own feed" in html
    assert "authors/ada-lovelace" not in html and "authors/grace-hopper" not in html


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("hostile-author-feeds"))
    add_hostile_papers(site)  # each payload is the first author of one paper
    site.build()
    return site


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_a_hostile_author_name_stays_text_in_their_feeds_and_page(
    hostile: Site, payload: str
) -> None:
    slug = author_slug(payload)
    # payloads that differ only in punctuation share a slug, a page and a feed
    name = display_name(Counter(p for p in PAYLOADS.values() if author_slug(p) == slug))
    title = f"Lab Feed · {name}"
    for name in MEDIA_TYPES:
        path = f"authors/{slug}/{name}"
        parsed(hostile, path)
        root = ET.fromstring(hostile.read(path).encode())
        feed_title = root.findtext("channel/title") or root.findtext(f"{ATOM}title")
        assert feed_title == title  # the name as text, whatever it holds
        assert "<script>alert" not in hostile.read(path)
    opml = ET.fromstring(hostile.read("feeds.opml").encode())
    assert title in [o.get("title") for o in opml.iter("outline")]
    links = page_links(hostile, slug)
    titles = [link.get("title") for link in links.head if link.get("rel") == "alternate"]
    assert f"{title} (RSS)" in titles and f"{title} (Atom)" in titles
    assert "<script>alert" not in hostile.html(f"authors/{slug}")


def test_an_author_feed_has_its_own_limit(site: Site) -> None:
    add_papers(site)
    site.plugin_options["author_feed_limit"] = 1
    site.build()
    items = ET.fromstring(site.read("authors/grace-hopper/feed.xml").encode()).findall(".//item")
    assert len(items) == 1
    assert len(ET.fromstring(site.read("feed.xml").encode()).findall(".//item")) > 1


def test_a_brief_item_names_the_first_ten_authors(tmp_path: Path) -> None:
    """A paper of many authors is in as many author feeds; the main feed names them all."""
    site = Site(tmp_path)
    names = [f"Writer {n}" for n in range(15)]
    site.add(id="big", title="Big Team", authors=names)
    site.build()
    main = feedparser.parse(site.read("atom.xml")).entries[0]
    assert [a.name for a in main.authors] == names
    for slug in ("writer-0", "writer-14"):
        brief = feedparser.parse(site.read(f"authors/{slug}/atom.xml")).entries[0]
        assert [a.name for a in brief.authors] == names[:10]
        rss = ET.fromstring(site.read(f"authors/{slug}/feed.xml").encode())
        creators = rss.findall(".//{http://purl.org/dc/elements/1.1/}creator")
        assert [c.text for c in creators] == names[:10]
