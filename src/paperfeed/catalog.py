"""All papers of a feed, grouped the ways readers browse them: by day, week, month,
tag and author, and ranked for trending.

Built once per build from the validated entries; the listing pages and the feeds
read from it, and every order here is total, so two builds list the same papers in
the same order whatever order the file system gave.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from markupsafe import Markup

from paperfeed import urls
from paperfeed.authors import author_slug, display_name
from paperfeed.cite import bibtex as bibtex_entry
from paperfeed.convert import description as page_description
from paperfeed.entry import Paper
from paperfeed.render import excerpt_html
from paperfeed.title import Title
from paperfeed.title import title as title_of

if TYPE_CHECKING:
    from paperfeed.similar import Neighbour, WordCache

_T = TypeVar("_T")


class _EntryField(Generic[_T]):
    """One field of the entry, read on the view: `view.title` is `view.entry.title`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._read = attrgetter(f"entry.{name}")

    @overload
    def __get__(self, view: None, owner: type | None = None) -> _EntryField[_T]: ...
    @overload
    def __get__(self, view: PaperView, owner: type | None = None) -> _T: ...
    def __get__(self, view: PaperView | None, owner: type | None = None) -> Any:
        return self if view is None else self._read(view)


@dataclass(frozen=True)
class PaperView:
    """A paper as every template shows it, the paper page as a listing's card or row:
    its entry, and what is derived from it for display. Made once per paper (see
    CardCache), it reads the entry's fields as its own (`view.title`); `links` are the
    links a reader gets, completed from `arxiv` and `doi` (the entry's own are
    `view.entry.links`)."""

    entry: Paper
    source: str  # the entry's file, as shown to users
    day: date  # the feed day it was added on (Paper.day)
    links: dict[str, str]  # Paper.resolved_links(), in the format's order
    authors_shown: tuple[str, ...]  # the first few authors, for cards
    authors_more: int  # how many authors that leaves out
    path: str  # its page, from the site's root: papers/<id>/

    id = _EntryField[str]()
    title = _EntryField[str]()
    authors = _EntryField[list[str]]()
    abstract = _EntryField[str]()
    published = _EntryField[date]()
    added = _EntryField[datetime | date]()
    arxiv = _EntryField[str | None]()
    doi = _EntryField[str | None]()
    tags = _EntryField[list[str]]()
    venue = _EntryField[str | None]()
    upvotes = _EntryField[int | None]()
    submitted_by = _EntryField[str | None]()
    summary = _EntryField[str | None]()
    thumbnail = _EntryField[str | None]()

    @classmethod
    def of(cls, paper: Paper, source: str, authors_shown: int) -> PaperView:
        shown = tuple(paper.authors[:authors_shown])
        return cls(
            entry=paper,
            source=source,
            day=paper.day,
            links=paper.resolved_links(),
            authors_shown=shown,
            authors_more=len(paper.authors) - len(shown),
            path=urls.paper_path(paper.id),
        )

    # Made when a page shows them (in the process that renders it), from the entry alone:
    # so what the view holds, as its repr says (fingerprint.py), stays all it shows.
    @cached_property
    def blurb(self) -> Markup:
        """What a card says of it: the TL;DR, or the start of the abstract."""
        paper = self.entry
        return Markup.escape(paper.summary) if paper.summary else excerpt_html(paper.abstract)

    @cached_property
    def _title(self) -> Title:
        return title_of(self.entry.title)

    @property
    def title_html(self) -> Markup:
        """Its title for pages, with MathML for inline `$...$` math (title.py)."""
        return self._title.html

    @property
    def title_text(self) -> str:
        """Its title as plain Unicode text, where markup cannot go (<title>, meta tags)."""
        return self._title.text

    @property
    def title_search(self) -> str:
        """The words of its title's math as search finds them, scripts run in ("UniF2ace
        for UniF$^2$ace): those `title_text` lacks, or ""."""
        return self._title.search

    @cached_property
    def description(self) -> str:
        """The page's description for link previews (convert.description)."""
        return page_description(self.entry)

    @cached_property
    def bibtex(self) -> str:
        """Its BibTeX entry, for the page's Cite box."""
        return bibtex_entry(self.entry)

    # -- the shape of paperfeed 0.1.0, which a feed's own copies of its templates
    #    (overrides/) may still read: deprecated, see CHANGELOG.md ------------------

    @property
    def paper(self) -> PaperView:
        """Deprecated: a 0.1.0 card held the paper's front matter as `card.paper` (so
        `c.paper.id`, `c.paper.pf.links`); the view answers for it."""
        return self

    @cached_property
    def pf(self) -> dict[str, Any]:
        """Deprecated: the display data as 0.1.0's cards had it: `pf.day` (ISO), `pf.links`."""
        return {"day": self.day.isoformat(), "links": self.links}

    def __getitem__(self, key: str) -> Any:
        """Deprecated: `card.paper["id"]`, the front matter a 0.1.0 card held."""
        return self._front_matter[key]

    @cached_property
    def _front_matter(self) -> dict[str, Any]:
        return {**self.entry.fields(), "pf": self.pf}


# A listing's name for a paper it shows: its cards are views.
Card = PaperView


class CardCache:
    """The view of each paper, by the Paper it shows. A view is made from one Paper
    object only, so a `mkdocs serve` rebuild, which keeps the Paper of every unchanged
    file, can keep its view too: the view holds the paper, so the object is the one it
    was."""

    def __init__(self) -> None:
        self._by_id: dict[str, PaperView] = {}

    def get(self, paper: Paper, source: str) -> PaperView | None:
        found = self._by_id.get(paper.id)
        return found if found and found.entry is paper and found.source == source else None

    def put(self, view: PaperView) -> None:
        self._by_id[view.id] = view


@dataclass(frozen=True)
class DayView:
    day: date
    cards: tuple[PaperView, ...]
    previous: date | None  # the older day with papers
    next: date | None  # the newer day with papers

    @property
    def week(self) -> str:
        return week_key(self.day)

    @property
    def month(self) -> str:
        return month_key(self.day)


@dataclass(frozen=True)
class PeriodView:
    """An ISO week ("2024-W48") or a month ("2024-11") of papers."""

    key: str
    first: date  # its first day
    cards: tuple[PaperView, ...]  # most upvoted first
    previous: str | None  # the older period with papers
    next: str | None


@dataclass(frozen=True)
class AuthorView:
    slug: str
    name: str
    spellings: tuple[str, ...]  # every way the feed writes the name
    cards: tuple[PaperView, ...]  # newest first


# (slug, name, paper count) of an author, as Catalog.authors lists them.
AuthorRow = tuple[str, str, int]


@dataclass(frozen=True)
class _AuthorsSplit:
    paged: tuple[AuthorRow, ...]  # the authors with a page
    by_letter: dict[str, tuple[AuthorRow, ...]]  # the others, by urls.author_letter


@dataclass(frozen=True)
class MonthView:
    month: date  # the first of the month
    days: tuple[tuple[date, int], ...]  # newest first, with paper counts

    @property
    def weeks(self) -> tuple[str, ...]:
        """The ISO weeks of its days, newest first."""
        return tuple(dict.fromkeys(week_key(day) for day, _ in self.days))


class Catalog:
    """The papers, in feed order (newest `added` first), and the views over them."""

    authors_on_cards = 3
    # The words of the papers an earlier catalog compared (similar.WordCache): a
    # `mkdocs serve` rebuild reads only an edited paper's again.
    similar_words: WordCache | None = None

    def __init__(
        self, papers: dict[str, Paper], cards: CardCache | None = None, similar_limit: int = 5
    ):
        """`papers` maps each entry's file (as shown to users) to its Paper; `cards` may
        carry the cards of an earlier catalog over (see CardCache); `similar_limit`: how
        many related papers a paper page lists."""
        self.similar_limit = similar_limit
        self._similar: dict[str, tuple[Neighbour, ...]] | None = None
        self.sources = {paper.id: source for source, paper in papers.items()}
        self.papers: tuple[Paper, ...] = tuple(
            sorted(papers.values(), key=lambda p: (p.added_at, p.id), reverse=True)
        )
        by_day: dict[date, list[Paper]] = defaultdict(list)
        by_tag: dict[str, list[Paper]] = defaultdict(list)
        by_week: dict[str, list[Paper]] = defaultdict(list)
        by_month: dict[str, list[Paper]] = defaultdict(list)
        by_author: dict[str, list[Paper]] = defaultdict(list)
        self._spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for paper in self.papers:
            by_day[paper.day].append(paper)
            by_week[week_key(paper.day)].append(paper)
            by_month[month_key(paper.day)].append(paper)
            for tag in paper.tags:
                by_tag[tag].append(paper)
            for name in dict.fromkeys(paper.authors):
                slug = author_slug(name)
                if not by_author[slug] or by_author[slug][-1] is not paper:
                    by_author[slug].append(paper)
                self._spellings[slug][name] += 1
        self._by_week = dict(by_week)
        self._by_month = dict(by_month)
        self._by_author = dict(by_author)
        self.weeks: tuple[str, ...] = tuple(sorted(by_week, reverse=True))
        self.month_keys: tuple[str, ...] = tuple(sorted(by_month, reverse=True))
        self._by_day = dict(by_day)
        self._by_tag = dict(sorted(by_tag.items()))
        self.days: tuple[date, ...] = tuple(sorted(by_day, reverse=True))
        self._cards = cards if cards is not None else CardCache()
        self._rankings: dict[date, list[Paper]] = {}
        self._rank_of: dict[str, int] = {}
        self._days_of = {paper.id: paper.day for paper in self.papers}
        self.by_id = {paper.id: paper for paper in self.papers}
        self._authors_split: dict[int, _AuthorsSplit] = {}

    # -- what exists --------------------------------------------------------

    @property
    def latest_day(self) -> date | None:
        return self.days[0] if self.days else None

    @property
    def tags(self) -> tuple[tuple[str, int], ...]:
        """Every tag with its paper count, by name."""
        return tuple((tag, len(papers)) for tag, papers in self._by_tag.items())

    @cached_property
    def months(self) -> tuple[MonthView, ...]:
        grouped: dict[date, list[tuple[date, int]]] = defaultdict(list)
        for day in self.days:
            grouped[day.replace(day=1)].append((day, len(self._by_day[day])))
        return tuple(MonthView(month, tuple(days)) for month, days in grouped.items())

    # -- views --------------------------------------------------------------

    def day(self, day: date | str | None) -> DayView | None:
        """One day's papers, most upvoted first, with the neighbouring days."""
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if day is None or day not in self._by_day:
            return None
        index = self.days.index(day)
        papers = self._ranked(day)
        return DayView(
            day=day,
            cards=tuple(self.card(p) for p in papers),
            previous=self.days[index + 1] if index + 1 < len(self.days) else None,
            next=self.days[index - 1] if index > 0 else None,
        )

    def week(self, key: str) -> PeriodView:
        year, week = key.split("-W")
        first = date.fromisocalendar(int(year), int(week), 1)
        return self._period(self._by_week, self.weeks, key, first)

    def month(self, key: str) -> PeriodView:
        year, month = key.split("-")
        return self._period(self._by_month, self.month_keys, key, date(int(year), int(month), 1))

    def _period(
        self, groups: dict[str, list[Paper]], keys: tuple[str, ...], key: str, first: date
    ) -> PeriodView:
        index = keys.index(key)
        return PeriodView(
            key=key,
            first=first,
            cards=tuple(self.card(p) for p in sorted(groups[key], key=_by_upvotes)),
            previous=keys[index + 1] if index + 1 < len(keys) else None,
            next=keys[index - 1] if index > 0 else None,
        )

    def trending(self, days: int, limit: int = 30) -> tuple[PaperView, ...]:
        """The most upvoted papers added in the `days` before the newest one (not the clock,
        so a rebuild ranks the same)."""
        if not self.papers:
            return ()
        since = self.papers[0].added_at - timedelta(days=days)
        recent = [p for p in self.papers if p.added_at > since]
        return tuple(self.card(p) for p in sorted(recent, key=_by_upvotes)[:limit])

    def with_code(self) -> tuple[PaperView, ...]:
        """The papers that link their code, newest first."""
        return tuple(self.card(p) for p in self.papers if "code" in p.links)

    @cached_property
    def authors(self) -> tuple[tuple[str, str, int], ...]:
        """(slug, name, paper count) of every author, by name (once: a build asks several
        times, and choosing each of 25,000 names' spelling takes a fifth of a second)."""
        rows = [(slug, self.author_name(slug), len(p)) for slug, p in self._by_author.items()]
        return tuple(sorted(rows, key=lambda row: (row[1].casefold(), row[0])))

    def authors_with_page(self, minimum: int) -> tuple[AuthorRow, ...]:
        """The authors with `minimum` papers or more, as `authors` orders them: those the
        authors index lists."""
        return self._split_authors(minimum).paged

    def pageless_letters(self, minimum: int) -> tuple[tuple[str, int], ...]:
        """Each first character of the slugs of the authors with fewer than `minimum`
        papers (urls.author_letter), in order, with how many authors it has a page for."""
        return tuple(
            (letter, len(rows)) for letter, rows in self._split_authors(minimum).by_letter.items()
        )

    def authors_from(self, letter: str, minimum: int) -> tuple[AuthorRow, ...]:
        """The authors with fewer than `minimum` papers whose slugs start with `letter`,
        as `authors` orders them: one letter's page of them."""
        return self._split_authors(minimum).by_letter.get(letter, ())

    def _split_authors(self, minimum: int) -> _AuthorsSplit:
        """The authors split by `minimum` once: every letter's page, and the index, ask
        for their part, and a feed of 100,000 papers has 250,000 authors to sort."""
        found = self._authors_split.get(minimum)
        if found is None:
            paged: list[AuthorRow] = []
            by_letter: dict[str, list[AuthorRow]] = defaultdict(list)
            for row in self.authors:
                if row[2] >= minimum:
                    paged.append(row)
                else:
                    by_letter[urls.author_letter(row[0])].append(row)
            letters = {letter: tuple(by_letter[letter]) for letter in sorted(by_letter)}
            found = self._authors_split[minimum] = _AuthorsSplit(tuple(paged), letters)
        return found

    def author_name(self, slug: str) -> str:
        return display_name(self._spellings[slug])

    def author_titles(self, slug: str) -> tuple[tuple[str, str], ...]:
        """(id, title) of each paper of an author, newest first: what an authors index
        shows of them."""
        return tuple((paper.id, paper.title) for paper in self._by_author[slug])

    def author(self, slug: str) -> AuthorView:
        return AuthorView(
            slug=slug,
            name=self.author_name(slug),
            spellings=tuple(sorted(self._spellings[slug])),
            cards=tuple(self.card(p) for p in self._by_author[slug]),
        )

    def neighbours(self, paper_id: str) -> tuple[PaperView | None, PaperView | None]:
        """The papers before and after this one on its day's page."""
        ranked = self._ranked(self._days_of[paper_id])
        index = self._rank_of[paper_id]
        before = self.card(ranked[index - 1]) if index > 0 else None
        after = self.card(ranked[index + 1]) if index + 1 < len(ranked) else None
        return before, after

    def similar(self, paper_id: str) -> tuple[tuple[PaperView, tuple[str, ...]], ...]:
        """The papers most like this one (similar.py), each with the tags both carry."""
        if self._similar is None:
            # Imported when first asked: numpy and scipy take a few tenths of a second.
            from paperfeed.similar import similar_papers

            self._similar = similar_papers(self.papers, self.similar_limit, self.similar_words)
        return tuple(
            (self.card(self.by_id[n.id]), n.shared_tags) for n in self._similar.get(paper_id, ())
        )

    def _ranked(self, day: date) -> list[Paper]:
        """A day's papers as its page lists them: most upvoted first."""
        ranked = self._rankings.get(day)
        if ranked is None:
            ranked = sorted(self._by_day[day], key=_by_upvotes)
            self._rankings[day] = ranked
            # every paper page asks for its place: look it up, don't search the day
            self._rank_of.update((p.id, i) for i, p in enumerate(ranked))
        return ranked

    def newest_day(self, group: str, key: str) -> date:
        """The day the newest paper of a tag, week, month or author was added."""
        groups = {
            "tag": self._by_tag,
            "week": self._by_week,
            "month": self._by_month,
            "author": self._by_author,
        }
        return groups[group][key][0].day

    def tagged(self, tag: str, start: int = 0, stop: int | None = None) -> tuple[PaperView, ...]:
        """The papers with `tag`, newest first; [start:stop] of them for one page of a
        tag's listing (a tag on 30,000 papers has 600 pages, each asking for 50)."""
        return tuple(self.card(p) for p in self._by_tag.get(tag, ())[start:stop])

    def card(self, paper: Paper) -> PaperView:
        """The paper as templates show it, made once (see CardCache)."""
        source = self.sources[paper.id]
        view = self._cards.get(paper, source)
        if view is None:
            view = PaperView.of(paper, source, self.authors_on_cards)
            self._cards.put(view)
        return view

    def paper(self, paper_id: str) -> PaperView:
        """A paper by its id, as templates show it (a paper page asks for its own)."""
        return self.card(self.by_id[paper_id])

    def newest(self, limit: int) -> tuple[Paper, ...]:
        return self.papers[:limit]


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _by_upvotes(paper: Paper) -> tuple[int, str, str]:
    """Most upvoted first; ties by title and id, so every build ranks the same."""
    return (-(paper.upvotes or 0), paper.title, paper.id)
