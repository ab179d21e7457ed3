"""The feeds: RSS 2.0 and Atom 1.0 through feedgen, JSON Feed 1.1, and their OPML list.

The site has one feed of its newest papers, one of the papers that link their code,
one per tag and one per author with a page, each as RSS and Atom; the main feed also
as JSON Feed. Every date comes from the papers, never the clock, and each paper's id
is the URL of its page, which derives from its `id` and so survives any edit of the
entry: the same paper has the same id in every feed. A paper's item is built once per
build and shared by every feed that lists it: a large feed has thousands of author
feeds, and each costs its own few lines of XML around entries already made. Author
feeds carry brief items (the page's description, not the abstract as text and as
HTML, and the first authors): there are many of them, and their readers follow a
person to the next paper, whose page has the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import escape

from paperfeed import urls
from paperfeed.authors import author_slug
from paperfeed.catalog import Catalog
from paperfeed.convert import description
from paperfeed.entry import Paper
from paperfeed.opml import OPML_PATH, Subscription, render_opml
from paperfeed.render import abstract_html
from paperfeed.title import title_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.etree import _Element

RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"
JSON_PATH = "feed.json"
_MEDIA_TYPES = {RSS_PATH: "application/rss+xml", ATOM_PATH: "application/atom+xml"}
# Authors a brief item names. A paper of 300 authors is in 300 author feeds: naming
# them all in each would make its items weigh more than the rest of those feeds.
BRIEF_AUTHORS = 10
# An empty feed still needs an "updated" date; the clock would break reproducible builds.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class FeedSettings:
    title: str
    site_url: str  # absolute, ending in "/"
    description: str = "New research papers, day by day."
    language: str = "en"
    limit: int = 50
    author_min: int = 1  # the fewest papers that give an author a page, and so a feed
    # Papers in an author's feed: a feed has thousands of authors, and a reader follows a
    # person for what comes next, not for their whole list (their page has it).
    author_limit: int = 10
    # Papers in a tag's feed: a feed has hundreds of tags, each feed carries abstracts,
    # and a reader polls it hourly or daily (the tag's page lists them all).
    tag_limit: int = 20

    def url(self, path: str) -> str:
        return self.site_url + path

    def paper_url(self, paper: Paper) -> str:
        return self.url(urls.paper_path(paper.id))


@dataclass(frozen=True)
class Feed:
    """One feed of the site: some papers, newest first, published as RSS and Atom."""

    # the page it follows, relative to the site: "", "code/", "tags/<tag>/" or
    # "authors/<slug>/"
    home: str
    title: str
    description: str
    papers: tuple[Paper, ...]
    # Brief items: title, the first BRIEF_AUTHORS authors, tags and the page's
    # description, not the abstract.
    brief: bool = False

    @property
    def rss_path(self) -> str:
        return self.home + RSS_PATH

    @property
    def atom_path(self) -> str:
        return self.home + ATOM_PATH


def site_feeds(catalog: Catalog, settings: FeedSettings) -> list[Feed]:
    """Every RSS/Atom feed of the site: the newest papers, those with code, one per tag,
    and one per author with a page (`author_min` papers or more), by name as the authors
    index lists them."""
    limit = max(settings.limit, 0)
    tag_limit = max(settings.tag_limit, 0)
    with_code = [paper for paper in catalog.papers if "code" in paper.links]
    tagged: dict[str, list[Paper]] = {tag: [] for tag, _ in catalog.tags}
    for paper in catalog.papers:  # newest first, so each list is too
        for tag in paper.tags:
            tagged[tag].append(paper)
    authored = _by_author(catalog, max(settings.author_min, 0), max(settings.author_limit, 0))
    title = settings.title
    return [
        Feed("", title, settings.description, catalog.newest(limit)),
        Feed(
            urls.CODE,
            f"{title} · papers with code",
            "The newest papers that link their code.",
            tuple(with_code[:limit]),
        ),
        *(
            Feed(
                urls.tag_path(tag),
                f"{title} · #{tag}",
                f"The newest papers tagged #{tag}.",
                tuple(papers[:tag_limit]),
            )
            for tag, papers in tagged.items()
        ),
        *(
            Feed(
                urls.author_path(slug),
                f"{title} · {name}",
                f"The newest papers by {name}.",
                authored[slug],
                brief=True,
            )
            for slug, name, count in catalog.authors
            if slug in authored
        ),
    ]


def _by_author(catalog: Catalog, minimum: int, limit: int) -> dict[str, tuple[Paper, ...]]:
    """The newest `limit` papers of each author with `minimum` papers or more, by slug:
    an author written two ways is one author, as on their page (catalog.py)."""
    counts = {slug: count for slug, _, count in catalog.authors if count >= minimum}
    papers: dict[str, list[Paper]] = {slug: [] for slug in counts}
    for paper in catalog.papers:  # newest first, so each list is too
        for slug in dict.fromkeys(author_slug(name) for name in paper.authors):
            listed = papers.get(slug)
            if listed is not None and len(listed) < limit:
                listed.append(paper)
    return {slug: tuple(listed) for slug, listed in papers.items()}


def render_feeds(catalog: Catalog, settings: FeedSettings) -> dict[str, bytes]:
    """Every feed file of the site, by its path in the site (see `feed_files`)."""
    return dict(feed_files(catalog, settings))


def feed_files(catalog: Catalog, settings: FeedSettings) -> Iterator[tuple[str, bytes]]:
    """(path in the site, bytes) of every feed file, one at a time: a feed of thousands
    of authors has thousands of feeds, too many to hold at once.

    RSS and Atom of each feed of `site_feeds`, the JSON Feed of the newest papers, and
    `feeds.opml` listing the RSS of each feed.
    """
    items = _Items(settings)
    feeds = site_feeds(catalog, settings)
    # Not pretty-printed: the indents were 7% of the feeds' bytes, for no reader.
    for feed in feeds:
        yield feed.rss_path, _generator(feed, settings, items, RSS_PATH).rss_str()
        yield feed.atom_path, _generator(feed, settings, items, ATOM_PATH).atom_str()
    main = feeds[0]
    yield JSON_PATH, json_feed(main.papers, settings, items).encode("utf-8")
    yield (
        OPML_PATH,
        render_opml(
            f"{settings.title} · feeds",
            (
                Subscription(feed.title, settings.url(feed.rss_path), settings.url(feed.home))
                for feed in feeds
            ),
            catalog.papers[0].added_at if catalog.papers else None,
        ),
    )


def _generator(feed: Feed, settings: FeedSettings, items: _Items, path: str) -> FeedGenerator:
    home = settings.url(feed.home)
    fg = FeedGenerator()
    # Atom has its own <author>. (load_extension("dc") would first try to import a module
    # that does not exist, for each of thousands of feeds.)
    fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
    fg.id(home)
    fg.title(feed.title)
    fg.description(feed.description)
    fg.language(settings.language)
    fg.generator("paperfeed")
    fg.link(href=settings.url(feed.home + path), rel="self", type=_MEDIA_TYPES[path])
    # RSS takes the last link as <link>
    fg.link(href=home, rel="alternate", type="text/html")
    updated = feed.papers[0].added_at if feed.papers else _EPOCH
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for paper in feed.papers:
        fg.add_entry(items.entry(paper, feed.brief), order="append")
    return fg


class _SharedEntry(FeedEntry):
    """A paper's entry as feedgen builds it, listed by several feeds.

    feedgen makes an entry's XML anew for each feed; this one makes it once per format
    and hands each feed a copy (a feed takes the element into its own tree). So it must
    be complete before the first feed is written, as `_Items` makes it.
    """

    def __init__(self) -> None:
        super().__init__()
        # Kept as text, parsed again for each feed: a tree of elements weighs several
        # times its text, and a large feed's feeds list tens of thousands of papers.
        self._xml: dict[tuple[str, bool], bytes] = {}

    def rss_entry(self, extensions: bool = True) -> _Element:
        return self._copy("rss", extensions, super().rss_entry)

    def atom_entry(self, extensions: bool = True) -> _Element:
        return self._copy("atom", extensions, super().atom_entry)

    def _copy(self, kind: str, extensions: bool, build: Callable[[bool], _Element]) -> _Element:
        xml = self._xml.get((kind, extensions))
        if xml is None:
            xml = self._xml[kind, extensions] = etree.tostring(build(extensions))
        return etree.fromstring(xml)


class _Items:
    """Each paper's feed entry and abstract HTML, made once per render and then shared."""

    def __init__(self, settings: FeedSettings):
        self.settings = settings
        self._html: dict[str, str] = {}
        self._entries: dict[tuple[str, bool], _SharedEntry] = {}

    def html(self, paper: Paper) -> str:
        html = self._html.get(paper.id)
        if html is None:
            html = self._html[paper.id] = str(abstract_html(paper.abstract))
        return html

    def entry(self, paper: Paper, brief: bool = False) -> _SharedEntry:
        fe = self._entries.get((paper.id, brief))
        if fe is None:
            fe = self._entries[paper.id, brief] = self._new_entry(paper, brief)
        return fe

    def _new_entry(self, paper: Paper, brief: bool) -> _SharedEntry:
        settings = self.settings
        url = settings.paper_url(paper)
        fe = _SharedEntry()
        fe.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        fe.id(url)
        fe.guid(url, permalink=True)
        fe.title(title_text(paper.title))  # math as text: feed titles take no markup
        fe.link(href=url, rel="alternate")
        fe.published(paper.added_at)
        fe.updated(paper.added_at)
        for name in paper.authors[:BRIEF_AUTHORS] if brief else paper.authors:
            fe.author(name=name)
            fe.dc.dc_creator(name)
        for tag in paper.tags:
            fe.category(term=tag, scheme=settings.url(urls.tag_path(tag)), label=tag)
        # The summary is what the paper's page says it is about (the TL;DR, or the
        # abstract's start): the whole abstract is the content, and a second plain copy
        # of it was a fifth of a tag feed's bytes. RSS readers take <description> as
        # HTML: it goes in escaped, as Atom's html summary, so "<b>" in a TL;DR stays text.
        fe.summary(str(escape(description(paper))), type="html")
        if not brief:
            fe.content(self.html(paper), type="html")
        return fe


def json_feed(
    papers: tuple[Paper, ...], settings: FeedSettings, items: _Items | None = None
) -> str:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    if items is None:
        items = _Items(settings)
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": settings.title,
        "home_page_url": settings.site_url,
        "feed_url": settings.url(JSON_PATH),
        "description": settings.description,
        "language": settings.language,
        "items": [_json_item(paper, settings, items) for paper in papers],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _json_item(paper: Paper, settings: FeedSettings, items: _Items) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": settings.paper_url(paper),
        "url": settings.paper_url(paper),
        "title": title_text(paper.title),
        "content_html": items.html(paper),
        "summary": description(paper),
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
