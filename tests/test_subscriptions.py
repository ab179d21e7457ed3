"""The feeds beyond the main one: one per tag and per author, one of papers with code,
and their OPML.

Built for real, then read back as a feed reader would: feedparser for the feeds,
ElementTree for the OPML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from feedgen.entry import FeedEntry

import paperfeed.feeds as feeds
from conftest import Site
from paperfeed.catalog import Catalog
from paperfeed.digest.content import DigestSettings
from paperfeed.digest.feeds import with_digest_feeds
from paperfeed.feeds import FeedSettings, render_feeds
from paperfeed.load import load_papers

BASE = "https://feeds.example.org/lab/"
LIMIT = 4
TAG_LIMIT = 3  # a tag's feed has its own limit
CODE = {"code": "https://github.com/lab/code"}

# Oldest first; p5 is 06:00 UTC written in another zone, so it sorts before p6.
PAPERS = [
    dict(id="p1", added="2024-11-01", tags=["graphs"], links=CODE),
    dict(id="p2", added="2024-11-02", tags=["graphs", "vision"]),
    dict(id="p3", added="2024-11-03", tags=["vision"], links=CODE),
    dict(id="p4", added="2024-11-04", tags=["graphs"], links=CODE),
    dict(id="p5", added="2024-11-05T08:00:00+02:00", tags=["graphs", "theory"]),
    dict(id="p6", added="2024-11-05T12:00:00Z", tags=["graphs"], links=CODE),
    dict(id="p7", added="2024-11-06", tags=["vision", "theory"], links={"project": CODE["code"]}),
    dict(id="p8", added="2024-11-07", links=CODE),
    dict(id="p9", added="2024-11-07T09:30:00Z", tags=["graphs"], arxiv="2411.00009"),
]
# What each feed must list (newest first, at most LIMIT, a tag's TAG_LIMIT), and its title.
EXPECTED = {
    "": ("Lab Feed", ["p9", "p8", "p7", "p6"]),
    "code/": ("Lab Feed · papers with code", ["p8", "p6", "p4", "p3"]),
    "tags/graphs/": ("Lab Feed · #graphs", ["p9", "p6", "p5"]),
    "tags/theory/": ("Lab Feed · #theory", ["p7", "p5"]),
    "tags/vision/": ("Lab Feed · #vision", ["p7", "p3", "p2"]),
    # every paper is by both (conftest.entry), so both have a page and a feed, by name
    "authors/ada-lovelace/": ("Lab Feed · Ada Lovelace", ["p9", "p8", "p7", "p6"]),
    "authors/alan-turing/": ("Lab Feed · Alan Turing", ["p9", "p8", "p7", "p6"]),
}
TAGS = ("graphs", "theory", "vision")
# The digest feeds (digest/feeds.py), listed after the paper feeds.
DIGEST_OUTLINES = [
    (f"{BASE}digest/{name}.xml", BASE, f"Lab Feed · {name} digest") for name in ("daily", "weekly")
]
MEDIA_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}


def add_papers(site: Site) -> None:
    for fields in PAPERS:
        number = fields["id"][1:]
        site.add(
            title=f"Paper {number}",
            abstract=f"Paper {number} bounds the loss by $x^2$ when $n > 3$.",
            **fields,
        )
    site.plugin_options = {
        "feed_limit": LIMIT,
        "author_feed_limit": LIMIT,
        "tag_feed_limit": TAG_LIMIT,
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("subscriptions"))
    add_papers(site)
    site.build()
    return site


def parsed(site: Site, path: str) -> feedparser.FeedParserDict:
    result = feedparser.parse(site.read(path))
    assert not result.bozo, (path, result.get("bozo_exception"))
    return result


def settings() -> FeedSettings:
    """What the plugin hands render_feeds for the test site."""
    return FeedSettings(
        title="Lab Feed", site_url=BASE, limit=LIMIT, author_limit=LIMIT, tag_limit=TAG_LIMIT
    )


FEEDS = [(home, name) for home in EXPECTED for name in ("feed.xml", "atom.xml")]


@pytest.mark.parametrize("home, name", FEEDS)
def test_each_feed_lists_its_papers_newest_first(built: Site, home: str, name: str) -> None:
    feed = parsed(built, home + name)
    title, ids = EXPECTED[home]
    assert feed.version == ("rss20" if name == "feed.xml" else "atom10")
    assert feed.feed.title == title
    assert [e.link for e in feed.entries] == [f"{BASE}papers/{i}/" for i in ids]
    assert [e.id for e in feed.entries] == [e.link for e in feed.entries]
    links = {(link.rel, link.href) for link in feed.feed.links}
    assert ("self", BASE + home + name) in links
    assert feed.feed.link == BASE + home  # the page the feed follows
    # the feed is dated by its newest paper, not by the build
    newest = next(p for p in PAPERS if p["id"] == ids[0])
    assert feed.feed.updated_parsed[:3] == tuple(int(n) for n in newest["added"][:10].split("-"))


@pytest.mark.parametrize("home", [h for h in EXPECTED if h.startswith(("tags/", "authors/"))])
def test_tag_and_author_feeds_self_links_are_their_own(built: Site, home: str) -> None:
    for name, media_type in MEDIA_TYPES.items():
        xml = built.read(home + name)
        if name == "feed.xml":
            assert f'<atom:link href="{BASE}{home}{name}" rel="self" type="{media_type}"/>' in xml
        else:
            assert f'<link href="{BASE}{home}{name}" rel="self" type="{media_type}"/>' in xml
            assert f"<id>{BASE}{home}</id>" in xml  # each feed has its own Atom id


def test_every_tag_has_feeds_and_nothing_else_is_made(built: Site) -> None:
    on_disk = {p.parent.name for p in (built.site_dir / "tags").glob("*/feed.xml")}
    assert on_disk == set(TAGS)
    assert {p.parent.name for p in (built.site_dir / "tags").glob("*/atom.xml")} == set(TAGS)
    expected = {"feed.json", "feeds.opml"} | {home + name for home, name in FEEDS}
    catalog = Catalog(load_papers(built.papers, built.root))
    assert set(render_feeds(catalog, settings())) == expected


def test_a_paper_has_the_same_id_in_every_feed(built: Site) -> None:
    ids: dict[str, set[str]] = {}
    for home, name in FEEDS:
        for entry in parsed(built, home + name).entries:
            ids.setdefault(entry.link, set()).add(entry.id)
    assert all(found == {link} for link, found in ids.items())
    # p6 is in the main, code, graphs and authors' feeds, as RSS and Atom
    guid = f'<guid isPermaLink="true">{BASE}papers/p6/</guid>'
    homes = [home for home in EXPECTED if guid in built.read(home + "feed.xml")]
    assert homes == ["", "code/", "tags/graphs/", "authors/ada-lovelace/", "authors/alan-turing/"]
    atom_id = f"<id>{BASE}papers/p6/</id>"
    assert [home for home in EXPECTED if atom_id in built.read(home + "atom.xml")] == homes


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_tag_feed_content_keeps_math_as_mathml_with_its_latex(built: Site, name: str) -> None:
    root = ET.fromstring(built.read(f"tags/theory/{name}").encode())
    contents = [
        e.text or ""
        for e in root.iter()
        if e.tag
        in (
            "{http://purl.org/rss/1.0/modules/content/}encoded",
            "{http://www.w3.org/2005/Atom}content",
        )
    ]
    assert len(contents) == 2
    math = re.compile(
        r"<math [^>]*>.*?<annotation encoding=\"application/x-tex\">x\^2</annotation>.*?</math>"
    )
    for html in contents:
        assert math.search(html), html
        assert "n &gt; 3" in html  # the LaTeX kept as annotation text, escaped


def test_opml_lists_every_feed_of_the_site(built: Site) -> None:
    root = ET.fromstring(built.read("feeds.opml").encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    created = parsedate_to_datetime(root.findtext("head/dateCreated"))  # RFC 822
    assert created.isoformat() == "2024-11-07T09:30:00+00:00"  # the newest paper's
    outlines = root.findall("body/outline")
    assert all(o.get("type") == "rss" and o.get("text") == o.get("title") for o in outlines)
    assert [(o.get("xmlUrl"), o.get("htmlUrl"), o.get("title")) for o in outlines] == [
        *((f"{BASE}{home}feed.xml", BASE + home, title) for home, (title, _) in EXPECTED.items()),
        *DIGEST_OUTLINES,
    ]
    for outline in outlines:
        path = outline.get("xmlUrl").removeprefix(BASE)
        assert (built.site_dir / path).is_file(), path
        assert parsed(built, path).feed.title == outline.get("title")
        page = outline.get("htmlUrl").removeprefix(BASE) + "index.html"
        assert (built.site_dir / page).is_file(), page


def test_two_renders_are_byte_identical_and_are_what_the_site_holds(built: Site) -> None:
    first = render_feeds(Catalog(load_papers(built.papers, built.root)), settings())
    again = render_feeds(Catalog(load_papers(built.papers, built.root)), settings())
    assert first == again
    # the plugin adds the digest feeds, and lists them in feeds.opml (digest/feeds.py)
    catalog = Catalog(load_papers(built.papers, built.root))
    site_feeds = with_digest_feeds(first.items(), catalog, DigestSettings("Lab Feed", BASE))
    for path, data in site_feeds:
        assert (built.site_dir / path).read_bytes() == data, path


def test_a_paper_is_rendered_once_whatever_number_of_feeds_lists_it(
    built: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: Counter[str] = Counter()
    built_xml: Counter[tuple[str, bool]] = Counter()
    abstract_html, rss_entry = feeds.abstract_html, FeedEntry.rss_entry

    def count_html(abstract: str) -> Any:
        rendered[abstract] += 1
        return abstract_html(abstract)

    def count_rss(self: FeedEntry, extensions: bool = True) -> Any:
        built_xml[self.id(), self.content() is None] += 1  # full, or brief (author feeds)
        return rss_entry(self, extensions)

    monkeypatch.setattr(feeds, "abstract_html", count_html)
    monkeypatch.setattr(FeedEntry, "rss_entry", count_rss)
    render_feeds(Catalog(load_papers(built.papers, built.root)), settings())
    listed = {i for _, ids in EXPECTED.values() for i in ids}
    assert len(rendered) == len(listed) and set(rendered.values()) == {1}
    assert {url for url, _ in built_xml} == {f"{BASE}papers/{i}/" for i in listed}
    assert set(built_xml.values()) == {1}


def test_a_site_without_papers_has_valid_empty_feeds(site: Site) -> None:
    site.build()
    for path in ("feed.xml", "atom.xml", "code/feed.xml", "code/atom.xml"):
        assert parsed(site, path).entries == []
    root = ET.fromstring(site.read("feeds.opml").encode())
    assert root.find("head/dateCreated") is None  # no paper to date it by, and no clock
    assert [o.get("xmlUrl") for o in root.findall("body/outline")] == [
        f"{BASE}feed.xml",
        f"{BASE}code/feed.xml",
        *(xml_url for xml_url, _, _ in DIGEST_OUTLINES),
    ]
    assert not list(site.site_dir.glob("tags/*/*.xml"))


@pytest.mark.parametrize("home, name", FEEDS)
def test_feeds_carry_no_indents(built: Site, home: str, name: str) -> None:
    # Feed readers ignore them, and they were 7% of a big feed's feed bytes.
    declaration, _, feed = built.read(home + name).partition("?>\n")
    assert declaration.startswith("<?xml")
    assert re.search(r">\s+<", feed) is None
