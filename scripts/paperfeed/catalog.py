"""All papers of a feed, grouped the ways readers browse them: by day, month and tag.

Built once per build from the validated entries; the listing pages and the feeds
read from it, and every order here is total, so two builds list the same papers in
the same order whatever order the file system gave.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from markupsafe import Markup

from paperfeed.convert import front_matter
from paperfeed.entry import Paper
from paperfeed.render import excerpt_html


@dataclass(frozen=True)
class Card:
    """What a listing shows of one paper: its front matter and a short text."""

    paper: dict[str, Any]
    blurb: Markup
    authors_shown: tuple[str, ...]
    authors_more: int


@dataclass(frozen=True)
class DayView:
    day: date
    cards: tuple[Card, ...]
    previous: date | None  # the older day with papers
    next: date | None  # the newer day with papers


@dataclass(frozen=True)
class MonthView:
    month: date  # the first of the month
    days: tuple[tuple[date, int], ...]  # newest first, with paper counts


class Catalog:
    """The papers, in feed order (newest `added` first), and the views over them."""

    authors_on_cards = 3

    def __init__(self, papers: dict[str, Paper]):
        """`papers` maps each entry's file (as shown to users) to its Paper."""
        self.sources = {paper.id: source for source, paper in papers.items()}
        self.papers: tuple[Paper, ...] = tuple(
            sorted(papers.values(), key=lambda p: (p.added_at, p.id), reverse=True)
        )
        by_day: dict[date, list[Paper]] = defaultdict(list)
        by_tag: dict[str, list[Paper]] = defaultdict(list)
        for paper in self.papers:
            by_day[paper.day].append(paper)
            for tag in paper.tags:
                by_tag[tag].append(paper)
        self._by_day = dict(by_day)
        self._by_tag = dict(sorted(by_tag.items()))
        self.days: tuple[date, ...] = tuple(sorted(by_day, reverse=True))
        self._cards: dict[str, Card] = {}
        self._rankings: dict[date, list[Paper]] = {}
        self._days_of = {paper.id: paper.day for paper in self.papers}

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

    def neighbours(self, paper_id: str) -> tuple[Card | None, Card | None]:
        """The papers before and after this one on its day's page."""
        day = self._days_of[paper_id]
        ranked = self._ranked(day)
        index = [p.id for p in ranked].index(paper_id)
        before = self.card(ranked[index - 1]) if index > 0 else None
        after = self.card(ranked[index + 1]) if index + 1 < len(ranked) else None
        return before, after

    def _ranked(self, day: date) -> list[Paper]:
        """A day's papers as its page lists them: most upvoted first."""
        ranked = self._rankings.get(day)
        if ranked is None:
            ranked = sorted(self._by_day[day], key=lambda p: (-(p.upvotes or 0), p.title, p.id))
            self._rankings[day] = ranked
        return ranked

    def newest_day(self, tag: str) -> date:
        """The day the newest paper with `tag` was added."""
        return self._by_tag[tag][0].day

    def tagged(self, tag: str) -> tuple[Card, ...]:
        """The papers with `tag`, newest first."""
        return tuple(self.card(p) for p in self._by_tag.get(tag, ()))

    def card(self, paper: Paper) -> Card:
        card = self._cards.get(paper.id)
        if card is None:
            shown = tuple(paper.authors[: self.authors_on_cards])
            card = Card(
                paper=front_matter(paper, self.sources.get(paper.id, "")),
                blurb=Markup.escape(paper.summary)
                if paper.summary
                else excerpt_html(paper.abstract),
                authors_shown=shown,
                authors_more=len(paper.authors) - len(shown),
            )
            self._cards[paper.id] = card
        return card

    def newest(self, limit: int) -> tuple[Paper, ...]:
        return self.papers[:limit]
