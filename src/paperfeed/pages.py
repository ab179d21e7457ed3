"""The pages a feed site consists of, as Markdown with front matter.

Paper pages carry their entry; listing pages (home, days, archive, tags) carry only
which view to show, and their template asks the catalog for the cards. Nothing here
knows about MkDocs: an engine takes (uri, text) pairs and renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from typing import Any, ClassVar, TypeVar

from paperfeed import urls
from paperfeed.catalog import Catalog
from paperfeed.convert import HIDE, MarkdownPage, PageSource, convert
from paperfeed.entry import Paper
from paperfeed.processes import map_chunks

_T = TypeVar("_T")


@dataclass(frozen=True)
class PaperShown:
    """A paper's page: its entry, the papers beside it on its day, and those like it."""

    id: str
    view: ClassVar[str] = "paper"

    def of(self, catalog: Catalog) -> object:
        return catalog.neighbours(self.id), catalog.similar(self.id)


@dataclass(frozen=True)
class DayShown:
    """A day's page, or the home page (the latest day; None in a feed without papers)."""

    day: str | None
    view: ClassVar[str] = "day"

    def of(self, catalog: Catalog) -> object:
        return catalog.day(self.day)


@dataclass(frozen=True)
class WeekShown:
    key: str  # 2024-W48
    view: ClassVar[str] = "week"

    def of(self, catalog: Catalog) -> object:
        return catalog.week(self.key)


@dataclass(frozen=True)
class MonthShown:
    key: str  # 2024-11
    view: ClassVar[str] = "month"

    def of(self, catalog: Catalog) -> object:
        return catalog.month(self.key)


@dataclass(frozen=True)
class TagShown:
    """Page `number` of `pages` of a tag's `count` papers, `size` a page (0: all of
    them): a tag on a third of 100,000 papers is no page a browser opens in one piece."""

    tag: str
    number: int = 1
    pages: int = 1
    size: int = 0
    count: int = 0
    view: ClassVar[str] = "tag"

    def of(self, catalog: Catalog) -> object:
        if self.size <= 0:
            return catalog.tagged(self.tag)
        start = (self.number - 1) * self.size
        return catalog.tagged(self.tag, start, start + self.size)

    def shown(self, cards: Sequence[_T]) -> Sequence[_T]:
        """This page's cards of all the tag's `cards`, cut as tag.html cuts them."""
        if self.size <= 0:
            return cards
        start = (self.number - 1) * self.size
        return cards[start : start + self.size]


@dataclass(frozen=True)
class AuthorShown:
    slug: str
    view: ClassVar[str] = "author"

    def of(self, catalog: Catalog) -> object:
        return catalog.author(self.slug)


@dataclass(frozen=True)
class FeedShown:
    """A page of the whole feed: trending, archive, the tag index, code, subscribe."""

    view: str

    def of(self, catalog: Catalog) -> object:
        return None  # the whole feed (see fingerprint.py)


@dataclass(frozen=True)
class AuthorsShown(FeedShown):
    """The authors index; `min`: the fewest papers that give an author a page."""

    view: str = "authors"
    min: int = 1


@dataclass(frozen=True)
class AuthorsLetterShown:
    """One letter's page of the authors with fewer than `min` papers, who have no page
    of their own: at 100,000 papers they are 250,000, no page a browser opens in one."""

    letter: str
    min: int
    view: ClassVar[str] = "authors-letter"

    def of(self, catalog: Catalog) -> object:
        # its authors with the titles of their papers (all it shows of them: an edit
        # to an abstract leaves the page as it is), and the other letters it links to
        rows = catalog.authors_from(self.letter, self.min)
        authors = tuple((row, catalog.author_titles(row[0])) for row in rows)
        return authors, catalog.pageless_letters(self.min)


# What a generated page's template asks the catalog for besides the page's own text.
Shown = (
    PaperShown
    | DayShown
    | WeekShown
    | MonthShown
    | TagShown
    | AuthorShown
    | AuthorsLetterShown
    | FeedShown
)


def shown_meta(shown: Shown) -> dict[str, Any]:
    """What a page's front matter says it shows (`pf`), for its template to ask."""
    return {"view": shown.view, **asdict(shown)}


@dataclass(frozen=True)
class GeneratedPage:
    uri: str  # path under the docs folder, e.g. "days/2024-11-27.md"
    markdown: PageSource
    # When its content last changed: the newest `added` it shows. Sitemaps use it in
    # place of the build's clock, so two builds of the same papers are identical.
    updated: date | None = None
    shows: Shown | None = None

    @property
    def text(self) -> str:
        return self.markdown.text


def site_pages(
    catalog: Catalog,
    converted: Mapping[str, PageSource] | None = None,
    author_min: int = 1,
    make_page: Callable[[dict[str, Any], str], PageSource] = MarkdownPage.of,
    page_size: int = 50,
) -> Iterator[GeneratedPage]:
    """Every generated page: one per paper, day, week, month, tag and author, and the
    home, trending, archive, tag index, code, author index and subscribe pages, and
    the pages of the authors without one of their own, a letter each.

    `converted` holds paper pages already made while loading (by paper id); authors
    with fewer than `author_min` papers get no page of their own. The listing pages are
    made by `make_page(meta, body)` (an engine's kind of page source, e.g. one that
    keeps its front matter parsed); a tag's papers are listed `page_size` a page (0: one page).
    """
    if converted is not None:
        for paper in catalog.papers:
            yield _paper_page(paper, converted[paper.id])
    else:
        jobs = [(paper, catalog.sources[paper.id]) for paper in catalog.papers]
        yield from map_chunks(_paper_pages, jobs)
    listing = partial(_listing, make_page)
    latest = catalog.latest_day
    home_day = latest.isoformat() if latest else None
    yield listing(urls.HOME, "home.html", "Daily Papers", latest, DayShown(home_day))
    for day in catalog.days:
        title = f"Papers of {day.isoformat()}"
        yield listing(urls.day_path(day), "day.html", title, day, DayShown(day.isoformat()))
    periods = (
        ("week", catalog.weeks, urls.week_path, WeekShown),
        ("month", catalog.month_keys, urls.month_path, MonthShown),
    )
    for group, keys, path, shown in periods:
        for key in keys:
            updated = catalog.newest_day(group, key)
            yield listing(path(key), "period.html", f"Papers of {key}", updated, shown(key))
    yield listing(urls.TRENDING, "trending.html", "Trending", latest, FeedShown("trending"))
    yield listing(urls.ARCHIVE, "archive.html", "Archive", latest, FeedShown("archive"))
    yield listing(urls.TAGS_INDEX, "tags.html", "Tags", latest, FeedShown("tags"))
    yield from _tag_listings(listing, catalog, page_size)
    yield listing(urls.CODE, "code.html", "Papers with code", latest, FeedShown("code"))
    yield listing(
        urls.AUTHORS_INDEX, "authors.html", "Authors", latest, AuthorsShown(min=author_min)
    )
    yield from _letter_listings(listing, catalog, author_min)
    for slug, name, count in catalog.authors:
        if count < author_min:
            continue
        updated = catalog.newest_day("author", slug)
        yield listing(urls.author_path(slug), "author.html", name, updated, AuthorShown(slug))
    yield listing(urls.SUBSCRIBE, "subscribe.html", "Subscribe", latest, FeedShown("subscribe"))


def _tag_listings(
    listing: Callable[..., GeneratedPage], catalog: Catalog, size: int
) -> Iterator[GeneratedPage]:
    """Each tag's page, then the pages of its older papers (see tag_pages)."""
    for tag, count in catalog.tags:
        updated = catalog.newest_day("tag", tag)
        for shown in tag_pages(tag, count, size):
            title = f"Tag: {tag}" if shown.number == 1 else f"Tag: {tag} · page {shown.number}"
            yield listing(urls.tag_page_path(tag, shown.number), "tag.html", title, updated, shown)


def _letter_listings(
    listing: Callable[..., GeneratedPage], catalog: Catalog, minimum: int
) -> Iterator[GeneratedPage]:
    """A page for each first letter of the authors without a page (AuthorsLetterShown)."""
    for letter, _ in catalog.pageless_letters(minimum):
        rows = catalog.authors_from(letter, minimum)
        updated = max(catalog.newest_day("author", slug) for slug, _, _ in rows)
        path = urls.authors_letter_path(letter)
        title = f"Authors: {letter.upper()}"
        yield listing(
            path, "authors-letter.html", title, updated, AuthorsLetterShown(letter, minimum)
        )


def tag_pages(tag: str, count: int, size: int) -> Iterator[TagShown]:
    """The pages that list a tag's `count` papers, `size` a page (0 or less: one page)."""
    size = max(size, 0)
    pages = max(1, -(-count // size)) if size else 1
    for number in range(1, pages + 1):
        yield TagShown(tag, number, pages, size, count)


def _paper_pages(jobs: Sequence[tuple[Paper, str]]) -> list[GeneratedPage]:
    """Convert some papers: what one worker does (see processes.py)."""
    return [_paper_page(paper, convert(paper, source)) for paper, source in jobs]


def _paper_page(paper: Paper, page: PageSource) -> GeneratedPage:
    return GeneratedPage(urls.paper_source(paper.id), page, paper.day, PaperShown(paper.id))


def _listing(
    make_page: Callable[[dict[str, Any], str], PageSource],
    path: str,
    template: str,
    title: str,
    updated: date | None,
    shown: Shown,
) -> GeneratedPage:
    """The listing page served at `path`."""
    meta = {
        "template": template,
        "title": title,
        "hide": list(HIDE),
        "pf": shown_meta(shown),
    }
    return GeneratedPage(urls.source_of(path), make_page(meta, ""), updated, shown)
