"""What a digest says: the most upvoted papers of one period, ready for a template.

Pure data, made from the Catalog with the site's own ordering and author rule, so an
email lists the papers exactly as the period's page does; templates only lay it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from paperfeed.abstract import Piece, excerpt
from paperfeed.catalog import Card, Catalog
from paperfeed.digest.periods import Kind, Period, periods_with_papers
from paperfeed.entry import Paper
from paperfeed.errors import PaperfeedError
from paperfeed.title import title_text
from paperfeed.urls import is_web_url, paper_path, tag_path

DEFAULT_LIMIT = 10
EXCERPT_LIMIT = 280  # as the site's cards


@dataclass(frozen=True)
class DigestSettings:
    """What a feed decides about its digests (mkdocs.yml: site_* and plugin options).

    `unsubscribe_url` is an https page that unsubscribes; "{email}" in it is replaced
    by the recipient's address, URL-encoded, so one click can say who leaves.
    """

    site_name: str
    site_url: str
    limit: int = DEFAULT_LIMIT
    unsubscribe_url: str | None = None

    def __post_init__(self) -> None:
        if not is_web_url(self.site_url):
            raise PaperfeedError(
                f"site_url {self.site_url!r} is not a web address: digests link to the site, "
                "so set site_url to its full https:// address"
            )
        if self.limit < 1:
            raise PaperfeedError(f"digest_limit {self.limit!r} must be 1 or more")
        if self.unsubscribe_url is not None and not is_web_url(self.unsubscribe_url, ("https",)):
            raise PaperfeedError(
                f"unsubscribe_url {self.unsubscribe_url!r} is not an https:// address"
            )
        if not self.site_url.endswith("/"):
            object.__setattr__(self, "site_url", self.site_url + "/")


@dataclass(frozen=True)
class DigestPaper:
    """One paper as a digest shows it; every URL is absolute."""

    id: str
    title: str
    url: str
    authors_shown: tuple[str, ...]  # the first ones, as on the site's cards
    authors_more: int  # how many more ("et al.")
    published: date
    venue: str | None
    upvotes: int
    blurb: tuple[Piece, ...]  # the TL;DR as one text piece, or the abstract's start
    tags: tuple[tuple[str, str], ...]  # (tag, its page)
    links: tuple[tuple[str, str], ...]  # (kind, url), in the format's order

    @property
    def authors_count(self) -> int:
        return len(self.authors_shown) + self.authors_more


@dataclass(frozen=True)
class Digest:
    """The top papers of one period; `total` counts all the period's papers."""

    period: Period
    site_name: str
    site_url: str  # ends with "/"
    papers: tuple[DigestPaper, ...]
    total: int
    unsubscribe_url: str | None = None

    @property
    def page_url(self) -> str:
        """The period's full page on the site."""
        return self.site_url + self.period.path

    @property
    def subject(self) -> str:
        return f"{self.site_name}: top papers of {self.period.title}"

    def unsubscribe_for(self, recipient: str | None) -> str | None:
        """The unsubscribe page for `recipient` ("{email}" filled in), if the feed has one."""
        if self.unsubscribe_url is None:
            return None
        return self.unsubscribe_url.replace("{email}", quote(recipient or "", safe="@"))


def build_digest(catalog: Catalog, period: Period, settings: DigestSettings) -> Digest:
    """The digest of `period`: its `settings.limit` most upvoted papers, ranked as on its
    page (ties by title, then id). A period without papers gives a digest without papers."""
    cards = _cards(catalog, period)
    papers = tuple(_paper(card.entry, card, settings.site_url) for card in cards[: settings.limit])
    return Digest(
        period=period,
        site_name=settings.site_name,
        site_url=settings.site_url,
        papers=papers,
        total=len(cards),
        unsubscribe_url=settings.unsubscribe_url,
    )


def digests(catalog: Catalog, kind: Kind, settings: DigestSettings) -> Iterator[Digest]:
    """The digest of every period of `kind` that has papers, newest first."""
    for period in periods_with_papers(catalog.papers, kind):
        yield build_digest(catalog, period, settings)


def _cards(catalog: Catalog, period: Period) -> tuple[Card, ...]:
    if period.kind == "day":
        view = catalog.day(period.first)
        return view.cards if view else ()
    if period.key not in catalog.weeks:
        return ()
    return catalog.week(period.key).cards


def _paper(paper: Paper, card: Card, site_url: str) -> DigestPaper:
    blurb = (
        (Piece("text", paper.summary),) if paper.summary else excerpt(paper.abstract, EXCERPT_LIMIT)
    )
    return DigestPaper(
        id=paper.id,
        title=title_text(paper.title),  # math as text: mail clients show no MathML
        url=site_url + paper_path(paper.id),
        authors_shown=card.authors_shown,
        authors_more=card.authors_more,
        published=paper.published,
        venue=paper.venue,
        upvotes=paper.upvotes or 0,
        blurb=blurb,
        tags=tuple((tag, site_url + tag_path(tag)) for tag in paper.tags),
        links=tuple(paper.resolved_links().items()),
    )
