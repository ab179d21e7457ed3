"""The same paper entered twice: under two ids, but with one arXiv id, DOI or title.

Two entries for one paper split its upvotes and show it twice in every listing, and
with contributors adding papers in parallel pull requests it happens. Ids are unique
already (load.py checks them); this finds the same paper behind different ids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from paperfeed.arxiv_id import strip_version
from paperfeed.entry import Entry, Paper
from paperfeed.errors import Problem


@dataclass(frozen=True)
class Clash:
    """One field of an entry that names a paper another file has already."""

    field: str
    value: str  # as this entry writes it
    other: str  # the earlier file

    @property
    def message(self) -> str:
        return f"{self.value!r} is already in {self.other}: remove one of them"


class Claims:
    """Which file first named each arXiv id, DOI and title: the index of a whole feed."""

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], str] = {}

    def clashes(self, entry: Entry, keys: list[tuple[str, str, str]] | None = None) -> list[Clash]:
        """What `entry` names that an earlier entry named first."""
        return [
            Clash(field, value, self._owners[(field, key)])
            for field, value, key in (keys if keys is not None else _keys(entry.paper))
            if self._owners.get((field, key), entry.source) != entry.source
        ]

    def claim(self, entry: Entry) -> list[Clash]:
        """Record what `entry` names; return its clashes with earlier entries."""
        keys = list(_keys(entry.paper))  # normalising a title is the costly part: once
        found = self.clashes(entry, keys)
        for field, _, key in keys:
            self._owners.setdefault((field, key), entry.source)
        return found


def find_duplicates(entries: list[Entry]) -> list[Problem]:
    """Each later entry that names a paper an earlier one has, on the line of the field."""
    claims = Claims()
    return [
        Problem(entry.source, entry.line_of(clash.field), clash.field, clash.message)
        for entry in entries
        for clash in claims.claim(entry)
    ]


def normal_title(title: str) -> str:
    """A title as compared: case, Unicode forms, punctuation and spacing set aside."""
    # casefold() can leave text that NFKC would still change, hence NFKC on both sides.
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title).casefold())
    kept = (" " if unicodedata.category(c)[0] in "PZC" else c for c in text)
    return " ".join("".join(kept).split())


def _keys(paper: Paper) -> Iterator[tuple[str, str, str]]:
    """(field, value as written, value as compared) for each field that names the paper."""
    if paper.arxiv:
        yield "arxiv", paper.arxiv, strip_version(paper.arxiv)
    if paper.doi:
        yield "doi", paper.doi, paper.doi.casefold()
    title = normal_title(paper.title)
    if title:  # a title of punctuation only names nothing
        yield "title", paper.title, title
