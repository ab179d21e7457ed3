"""The digest feeds: one item per day or week, its content the digest email's HTML.

RSS-to-email services (Buttondown, Mailchimp's RSS campaigns, follow.it) mail each
new item of a feed to their subscribers, so a feed of digests gives a feed without a
mail server of its own an email list. Such a service sends an item once, when it
first sees its guid, and never again: so a period is listed only once it is over,
never while its papers may still be coming in. The build reads no clock (two builds
of the same papers give the same bytes), so "over" means that the feed has a paper
of a later day: a day's digest appears with the next day's first paper, a week's with
the next week's.

The item's guid is the period's page, its date the period's end (as the email's), and
its content the digest rendered for no one in particular, the feed's own templates
(overrides/) included, as `paperfeed digest` renders it, but without the feed's
unsubscribe_url: the service's subscribers are on its list, and it adds its own link.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from feedgen.feed import FeedGenerator
from markupsafe import escape

from paperfeed.catalog import Catalog
from paperfeed.digest.content import Digest, DigestSettings, build_digest
from paperfeed.digest.periods import Kind, Period, periods_with_papers
from paperfeed.digest.render import render_html
from paperfeed.opml import OPML_PATH, Subscription, add_subscriptions

# An empty feed still needs an "updated" date; the clock would break reproducible builds.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class DigestFeed:
    """One digest feed: its periods, its name in the site, and how many items it keeps.

    A service polls the feed and needs only what is new since its last visit; the
    items are whole digests (about 25 KB for ten papers), so two weeks of days and a
    quarter of weeks keep a poll under about 350 KB and give a new reader some past.
    """

    kind: Kind
    name: str  # "daily": digest/daily.xml (RSS) and digest/daily.atom.xml (Atom)
    limit: int

    @property
    def rss_path(self) -> str:
        return f"digest/{self.name}.xml"

    @property
    def atom_path(self) -> str:
        return f"digest/{self.name}.atom.xml"


DIGEST_FEEDS = (DigestFeed("day", "daily", 14), DigestFeed("week", "weekly", 12))


def closed_periods(catalog: Catalog, kind: Kind, limit: int) -> tuple[Period, ...]:
    """The newest `limit` periods of `kind` that have papers and are over (the feed has a
    paper of a later day), newest first."""
    latest = catalog.latest_day
    if latest is None:
        return ()
    periods = periods_with_papers(catalog.papers, kind)
    return tuple(period for period in periods if period.last < latest)[:limit]


def render_digest_feeds(
    catalog: Catalog, settings: DigestSettings, template_dirs: Sequence[Path] = ()
) -> dict[str, bytes]:
    """The RSS and Atom file of each digest feed, by their path in the site."""
    files: dict[str, bytes] = {}
    for feed in DIGEST_FEEDS:
        periods = closed_periods(catalog, feed.kind, feed.limit)
        made = [build_digest(catalog, period, settings) for period in periods]
        items = [(digest, render_html(digest, None, template_dirs)) for digest in made]
        files[feed.rss_path] = _generator(feed, settings, items, rss=True).rss_str(pretty=True)
        files[feed.atom_path] = _generator(feed, settings, items, rss=False).atom_str(pretty=True)
    return files


def digest_subscriptions(settings: DigestSettings) -> list[Subscription]:
    """The digest feeds as `feeds.opml` lists them (their RSS)."""
    return [
        Subscription(_title(feed, settings), settings.site_url + feed.rss_path, settings.site_url)
        for feed in DIGEST_FEEDS
    ]


def with_digest_feeds(
    files: Iterable[tuple[str, bytes]],
    catalog: Catalog,
    settings: DigestSettings,
    template_dirs: Sequence[Path] = (),
) -> Iterator[tuple[str, bytes]]:
    """The site's feed `files` as they come, `feeds.opml` among them listing the digest
    feeds too, then the digest feeds."""
    digests = render_digest_feeds(catalog, settings, template_dirs)
    for path, data in files:
        if path == OPML_PATH:
            data = add_subscriptions(data, digest_subscriptions(settings))
        yield path, data
    yield from digests.items()


def _title(feed: DigestFeed, settings: DigestSettings) -> str:
    return f"{settings.site_name} · {feed.name} digest"


def _generator(
    feed: DigestFeed, settings: DigestSettings, items: list[tuple[Digest, str]], rss: bool
) -> FeedGenerator:
    path = feed.rss_path if rss else feed.atom_path
    fg = FeedGenerator()
    fg.id(settings.site_url + path)
    fg.title(_title(feed, settings))
    every = "day" if feed.kind == "day" else "week"
    fg.description(f"The most upvoted papers of each {every}, one digest an item.")
    fg.language("en")
    fg.generator("paperfeed")
    # Atom wants an author for entries that name none: the site signs its digests.
    fg.author(name=settings.site_name)
    media = "application/rss+xml" if rss else "application/atom+xml"
    fg.link(href=settings.site_url + path, rel="self", type=media)
    # RSS takes the last link as <link>
    fg.link(href=settings.site_url, rel="alternate", type="text/html")
    updated = items[0][0].period.end if items else _EPOCH
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for digest, html in items:
        fe = fg.add_entry(order="append")
        url = digest.page_url
        fe.id(url)
        fe.guid(url, permalink=True)
        fe.title(digest.subject)
        fe.link(href=url, rel="alternate")
        fe.published(digest.period.end)
        fe.updated(digest.period.end)
        # RSS readers take <description> as HTML: escaped, so a title stays text.
        fe.summary(str(escape(_summary(digest))), type="html")
        fe.content(html, type="html")
    return fg


def _summary(digest: Digest) -> str:
    """The short form services show when they do not mail the full content."""
    titles = "; ".join(paper.title for paper in digest.papers)
    return f"The {len(digest.papers)} most upvoted of {digest.total} papers: {titles}"
