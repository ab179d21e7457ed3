"""The feeds: RSS 2.0 and Atom 1.0 through feedgen, and JSON Feed 1.1.

Every date comes from the papers, never the clock, and each paper's id is the URL
of its page, which derives from its `id` and so survives any edit of the entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from feedgen.feed import FeedGenerator
from markupsafe import escape

from paperfeed.abstract import plain_text
from paperfeed.catalog import Catalog
from paperfeed.entry import Paper
from paperfeed.render import abstract_html

RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"
JSON_PATH = "feed.json"
_MEDIA_TYPES = {RSS_PATH: "application/rss+xml", ATOM_PATH: "application/atom+xml"}
# An empty feed still needs an "updated" date; the clock would break reproducible builds.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class FeedSettings:
    title: str
    site_url: str  # absolute, ending in "/"
    description: str = "New research papers, day by day."
    language: str = "en"
    limit: int = 50

    def url(self, path: str) -> str:
        return self.site_url + path

    def paper_url(self, paper: Paper) -> str:
        return self.url(f"papers/{paper.id}/")


def render_feeds(catalog: Catalog, settings: FeedSettings) -> dict[str, bytes]:
    """All three feeds, by their path in the site."""
    papers = catalog.newest(settings.limit)
    return {
        RSS_PATH: _generator(papers, settings, RSS_PATH).rss_str(pretty=True),
        ATOM_PATH: _generator(papers, settings, ATOM_PATH).atom_str(pretty=True),
        JSON_PATH: json_feed(papers, settings).encode("utf-8"),
    }


def _generator(papers: tuple[Paper, ...], settings: FeedSettings, path: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # Atom has its own <author>
    fg.id(settings.site_url)
    fg.title(settings.title)
    fg.description(settings.description)
    fg.language(settings.language)
    fg.generator("paperfeed")
    fg.link(href=settings.url(path), rel="self", type=_MEDIA_TYPES[path])
    # RSS takes the last link as <link>
    fg.link(href=settings.site_url, rel="alternate", type="text/html")
    updated = papers[0].added_at if papers else _EPOCH
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for paper in papers:
        _entry(fg, paper, settings)
    return fg


def _entry(fg: FeedGenerator, paper: Paper, settings: FeedSettings) -> None:
    url = settings.paper_url(paper)
    fe = fg.add_entry(order="append")
    fe.id(url)
    fe.guid(url, permalink=True)
    fe.title(paper.title)
    fe.link(href=url, rel="alternate")
    fe.published(paper.added_at)
    fe.updated(paper.added_at)
    for name in paper.authors:
        fe.author(name=name)
        fe.dc.dc_creator(name)
    for tag in paper.tags:
        fe.category(term=tag, scheme=settings.url(f"tags/{tag}/"), label=tag)
    # RSS readers take <description> as HTML: the summary goes in escaped, as Atom's
    # html summary, so "<b>" in a TL;DR stays text everywhere.
    fe.summary(str(escape(_summary(paper))), type="html")
    fe.content(str(abstract_html(paper.abstract)), type="html")


def _summary(paper: Paper) -> str:
    return paper.summary or plain_text(paper.abstract)


def json_feed(papers: tuple[Paper, ...], settings: FeedSettings) -> str:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": settings.title,
        "home_page_url": settings.site_url,
        "feed_url": settings.url(JSON_PATH),
        "description": settings.description,
        "language": settings.language,
        "items": [_json_item(paper, settings) for paper in papers],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _json_item(paper: Paper, settings: FeedSettings) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": settings.paper_url(paper),
        "url": settings.paper_url(paper),
        "title": paper.title,
        "content_html": str(abstract_html(paper.abstract)),
        "summary": _summary(paper),
        "date_published": paper.added_at.isoformat(),
        "authors": [{"name": name} for name in paper.authors],
    }
    links = paper.resolved_links()
    if "arxiv" in links:
        item["external_url"] = links["arxiv"]
    if paper.tags:
        item["tags"] = list(paper.tags)
    if paper.thumbnail:
        item["image"] = paper.thumbnail
    return item
