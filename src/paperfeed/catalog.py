"""All papers of a feed, grouped the ways readers browse them: by day, week, month,
tag and author, and ranked for trending.

Built once per build from the validated entries; the listing pages and the feeds
read from it, and every order here is total, so two builds list the same papers in
the same order whatever order the file system gave.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from markupsafe import Markup

from paperfeed.authors import author_slug, display_name
from paperfeed.convert import listing_fields
from paperfeed.entry import Paper
from paperfeed.render import excerpt_html


@dataclass(frozen=True)
class Card:
    """What a listing shows of one paper: its front matter and a short text."""

    paper: dict[str, Any]
    blurb: Markup
    authors_shown: tuple[str, ...]
    authors_more: int


class CardCache:
    """Cards by the Paper they show. A card is made from one Paper object only, so a
    `mkdocs serve` rebuild, which keeps the Paper of every unchanged file, can keep its
    card too: the cache holds the paper with it, so the object is the one it was."""

    def __init__(self) -> None:
        self._by_id: dict[str, tuple[Paper, Card]] = {}

    def get(self, paper: Paper) -> Card | None:
        found = self._by_id.get(paper.id)
        return found[1] if found and found[0] is paper else None

    def put(self, paper: Paper, card: Card) -> None:
        self._by_id[paper.id] = (paper, card)


@dataclass(frozen=True)
class DayView:
    day: date
    cards: tuple[Card, ...]
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
    cards: tuple[Card, ...]  # most upvoted first
    previous: str | None  # the older period with papers
    next: str | None


@dataclass(frozen=True)
class AuthorView:
    slug: str
    name: str
    spellings: tuple[str, ...]  # every way the feed writes the name
    cards: tuple[Card, ...]  # newest first


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

    def __init__(self, papers: dict[str, Paper], cards: CardCache | None = None):
        """`papers` maps each entry's file (as shown to users) to its Paper; `cards` may
        carry the cards of an earlier catalog over (see CardCache)."""
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

    def trending(self, days: int, limit: int = 30) -> tuple[Card, ...]:
        """The most upvoted papers added in the `days` before the newest one (not the clock,
        so a rebuild ranks the same)."""
        if not self.papers:
            return ()
        since = self.papers[0].added_at - timedelta(days=days)
        recent = [p for p in self.papers if p.added_at > since]
        return tuple(self.card(p) for p in sorted(recent, key=_by_upvotes)[:limit])

    def with_code(self) -> tuple[Card, ...]:
        """The papers that link their code, newest first."""
        return tuple(self.card(p) for p in self.papers if "code" in p.links)

    @property
    def authors(self) -> tuple[tuple[str, str, int], ...]:
        """(slug, name, paper count) of every author, by name."""
        rows = [(slug, self.author_name(slug), len(p)) for slug, p in self._by_author.items()]
        return tuple(sorted(rows, key=lambda row: (row[1].casefold(), row[0])))

    def author_name(self, slug: str) -> str:
        return display_name(self._spellings[slug])

    def author(self, slug: str) -> AuthorView:
        return AuthorView(
            slug=slug,
            name=self.author_name(slug),
            spellings=tuple(sorted(self._spellings[slug])),
            cards=tuple(self.card(p) for p in self._by_author[slug]),
        )

    def neighbours(self, paper_id: str) -> tuple[Card | None, Card | None]:
        """The papers before and after this one on its day's page."""
        ranked = self._ranked(self._days_of[paper_id])
        index = self._rank_of[paper_id]
        before = self.card(ranked[index - 1]) if index > 0 else None
        after = self.card(ranked[index + 1]) if index + 1 < len(ranked) else None
        return before, after

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

    def tagged(self, tag: str) -> tuple[Card, ...]:
        """The papers with `tag`, newest first."""
        return tuple(self.card(p) for p in self._by_tag.get(tag, ()))

    def card(self, paper: Paper) -> Card:
        card = self._cards.get(paper)
        if card is None:
            shown = tuple(paper.authors[: self.authors_on_cards])
            card = Card(
                paper=listing_fields(paper),
                blurb=Markup.escape(paper.summary)
                if paper.summary
                else excerpt_html(paper.abstract),
                authors_shown=shown,
                authors_more=len(paper.authors) - len(shown),
            )
            self._cards.put(paper, card)
        return card

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
