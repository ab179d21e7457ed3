"""The feeds as a feed reader gets them: parsed back with feedparser and checked."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import jsonschema
import pytest

from conftest import Site

SCHEMA = json.loads((Path(__file__).parent / "fixtures/jsonfeed-1.1.schema.json").read_text())
BASE = "https://feeds.example.org/lab/"


@pytest.fixture
def many(site: Site) -> Site:
    """60 papers over 30 days, two a day; the second of each day at 12:00 UTC."""
    start = date(2024, 10, 1)
    for n in range(60):
        day = start + timedelta(days=n // 2)
        added = day.isoformat() if n % 2 == 0 else f"{day.isoformat()}T12:00:00Z"
        site.add(
            id=f"p{n:02d}",
            title=f"Paper {n:02d}: On Things",
            added=added,
            authors=[f"Author {n}", "Marie Skłodowska"],
            tags=["all", f"t{n % 3}"],
            abstract=f"Abstract {n} with math $x^{n}$ and a <tag>.",
        )
    site.build()
    return site


def parsed(site: Site, path: str) -> feedparser.FeedParserDict:
    result = feedparser.parse(site.read(path))
    assert not result.bozo, result.get("bozo_exception")
    return result


@pytest.mark.parametrize("path, version", [("feed.xml", "rss20"), ("atom.xml", "atom10")])
def test_rss_and_atom_list_the_newest_50_newest_first(many: Site, path: str, version: str) -> None:
    feed = parsed(many, path)
    assert feed.version == version
    assert [e.link for e in feed.entries] == [f"{BASE}papers/p{n:02d}/" for n in range(59, 9, -1)]
    assert [e.id for e in feed.entries] == [e.link for e in feed.entries]
    newest = feed.entries[0]
    assert newest.title == "Paper 59: On Things"
    assert [a.get("name") for a in newest.authors] == ["Author 59", "Marie Skłodowska"]
    assert {t.term for t in newest.tags} == {"all", "t2"}
    assert "<math" in newest.content[0].value and "&lt;tag&gt;" in newest.content[0].value
    # the feed's date is its newest paper's, not the time of the build
    assert feed.feed.updated_parsed[:6] == (2024, 10, 30, 12, 0, 0)
    assert newest.published_parsed[:6] == (2024, 10, 30, 12, 0, 0)


def test_rss_has_a_self_link_and_permalink_guids(many: Site) -> None:
    xml = many.read("feed.xml")
    assert f'<atom:link href="{BASE}feed.xml" rel="self" type="application/rss+xml"/>' in xml
    assert f'<guid isPermaLink="true">{BASE}papers/p59/</guid>' in xml
    assert "<lastBuildDate>Wed, 30 Oct 2024 12:00:00 +0000</lastBuildDate>" in xml


def test_json_feed_is_valid_and_matches_the_other_feeds(many: Site) -> None:
    feed = json.loads(many.read("feed.json"))
    jsonschema.validate(feed, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert feed["feed_url"] == f"{BASE}feed.json"
    assert [i["id"] for i in feed["items"]] == [f"{BASE}papers/p{n:02d}/" for n in range(59, 9, -1)]
    assert feed["items"][0]["date_published"] == "2024-10-30T12:00:00+00:00"
    assert feed["items"][1]["date_published"] == "2024-10-30T00:00:00+00:00"


def test_an_items_id_survives_a_new_title(site: Site) -> None:
    site.add(id="stable", title="First Title")
    site.build()
    first = parsed(site, "atom.xml").entries[0].id
    site.add(id="stable", title="A Better Title")
    site.build()
    again = parsed(site, "atom.xml").entries[0]
    assert again.title == "A Better Title" and again.id == first == f"{BASE}papers/stable/"


def test_feed_limit_and_title_come_from_the_plugin_options(site: Site) -> None:
    for n in range(5):
        site.add(id=f"p{n}", title=f"Paper {n}", added=f"2024-11-0{n + 1}")
    site.plugin_options = {"feed_limit": 2, "feed_title": "Graph Papers"}
    site.build()
    feed = parsed(site, "feed.xml")
    assert feed.feed.title == "Graph Papers"
    assert [e.link.rsplit("/", 2)[1] for e in feed.entries] == ["p4", "p3"]


def test_feeds_follow_the_validators_rules(many: Site) -> None:
    """What the W3C feed validator checks that a parser forgives."""
    rss = ET.fromstring(many.read("feed.xml").encode())
    channel = rss.find("channel")
    assert channel.findtext("title") and channel.findtext("description")
    assert channel.findtext("link") == BASE
    items = channel.findall("item")
    guids = [item.find("guid") for item in items]
    assert all(g.get("isPermaLink") == "true" and g.text.startswith(BASE) for g in guids)
    assert len({g.text for g in guids}) == len(guids)
    for item in items:
        when = parsedate_to_datetime(item.findtext("pubDate"))  # RFC 822
        assert when.tzinfo is not None
        assert "<" not in item.findtext("title")
    atom_ns = "{http://www.w3.org/2005/Atom}"
    atom = ET.fromstring(many.read("atom.xml").encode())
    assert atom.findtext(f"{atom_ns}id") == BASE
    links = {(link.get("rel"), link.get("type")) for link in atom.findall(f"{atom_ns}link")}
    assert ("self", "application/atom+xml") in links and ("alternate", "text/html") in links
    rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
    assert rfc3339.match(atom.findtext(f"{atom_ns}updated"))
    for entry in atom.findall(f"{atom_ns}entry"):
        assert entry.findtext(f"{atom_ns}id") and entry.findtext(f"{atom_ns}title")
        assert rfc3339.match(entry.findtext(f"{atom_ns}updated"))
        assert entry.find(f"{atom_ns}author/{atom_ns}name") is not None
        assert entry.find(f"{atom_ns}content").get("type") == "html"
        assert entry.find(f"{atom_ns}summary").get("type") == "html"
    for item in json.loads(many.read("feed.json"))["items"]:
        assert rfc3339.match(item["date_published"])


def test_an_items_summary_is_its_pages_description_and_its_content_the_whole_abstract(
    site: Site,
) -> None:
    """A reader shows the content; one that shows only the summary gets what the paper's
    page says it is about (as a link preview does), not the abstract a second time."""
    sentence = "Diffusion models learn to undo noise one small step at a time. "
    site.add(id="long", title="Long", abstract=sentence * 12, added="2024-11-02")
    site.add(id="tldr", title="Short", summary="Noise, undone.", added="2024-11-01")
    site.build()
    page = re.search(r'<meta name="description" content="([^"]*)"', site.html("papers/long"))
    assert page is not None
    described = page.group(1)
    assert described.endswith("…") and len(described) < len(sentence * 4)
    for path in ("feed.xml", "atom.xml"):
        long, tldr = parsed(site, path).entries
        assert long.summary == described and tldr.summary == "Noise, undone."
        assert long.content[0].value.count("undo noise") == 12
    items = json.loads(site.read("feed.json"))["items"]
    assert [i["summary"] for i in items] == [described, "Noise, undone."]
    assert items[0]["content_html"].count("undo noise") == 12
