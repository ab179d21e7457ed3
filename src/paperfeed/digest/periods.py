"""The periods a digest covers: one feed day, or one ISO week.

A period is named by the key its site page uses (2024-11-27, 2024-W48), so a digest,
its page on the site and its line in the send state all agree on what "this week" is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from paperfeed.catalog import week_key
from paperfeed.entry import Paper
from paperfeed.errors import PaperfeedError

Kind = Literal["day", "week"]
KINDS: tuple[Kind, ...] = ("day", "week")

# Spelled out, not strftime's %B: that follows the locale, and digests must not.
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


@dataclass(frozen=True, order=True)
class Period:
    """A day or an ISO week; `first` and `last` are its first and last feed days."""

    kind: Kind
    key: str  # "2024-11-27" or "2024-W48"
    first: date
    last: date

    @classmethod
    def containing(cls, kind: Kind, day: date) -> Period:
        """The day itself, or the ISO week (Monday to Sunday) it falls in."""
        if kind == "day":
            return cls("day", day.isoformat(), day, day)
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls("week", week_key(day), monday, monday + timedelta(days=6))
        raise PaperfeedError(f"{kind!r} is not a digest period: use one of {', '.join(KINDS)}")

    @classmethod
    def parse(cls, kind: Kind, key: str) -> Period:
        """The period a key names: "2024-11-27" for a day, "2024-W48" for a week."""
        try:
            if kind == "week":
                year, week = key.split("-W")
                return cls.containing(kind, date.fromisocalendar(int(year), int(week), 1))
            return cls.containing(kind, date.fromisoformat(key))
        except ValueError:
            example = "2024-W48" if kind == "week" else "2024-11-27"
            raise PaperfeedError(f"{key!r} is not a {kind}: write it as {example}") from None

    @property
    def id(self) -> str:
        """Unique across kinds, for the send state: "week:2024-W48"."""
        return f"{self.kind}:{self.key}"

    @property
    def path(self) -> str:
        """Its page on the site, relative to the site's root."""
        return f"days/{self.key}/" if self.kind == "day" else f"weeks/{self.key}/"

    @property
    def end(self) -> datetime:
        """When it is over: midnight UTC after its last day (a digest's Date)."""
        return datetime.combine(self.last + timedelta(days=1), time(0, 0), tzinfo=timezone.utc)

    @property
    def title(self) -> str:
        """ "Wednesday, November 27, 2024" or "week 48 of 2024 (November 25 – December 1)"."""
        if self.kind == "day":
            return f"{_WEEKDAYS[self.first.weekday()]}, {long_date(self.first)}"
        year, week, _ = self.first.isocalendar()
        first = f"{_MONTHS[self.first.month - 1]} {self.first.day}"
        last = f"{_MONTHS[self.last.month - 1]} {self.last.day}"
        return f"week {week} of {year} ({first} – {last})"

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def long_date(day: date) -> str:
    """ "November 27, 2024", whatever the locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def periods_with_papers(papers: Iterable[Paper], kind: Kind) -> tuple[Period, ...]:
    """Every period of `kind` that has at least one paper, newest first."""
    found = {Period.containing(kind, paper.day) for paper in papers}
    return tuple(sorted(found, key=lambda p: p.first, reverse=True))


def newest_period(papers: Iterable[Paper], kind: Kind) -> Period | None:
    """The newest period of `kind` with papers; None for a feed without papers."""
    days = [paper.day for paper in papers]
    return Period.containing(kind, max(days)) if days else None
