"""What a generated page shows, as one hash: the same hash, the same page.

A page's HTML comes from the site's theme and settings, from the page's own text (a
paper page's front matter is its whole entry), and from what its template asks the
catalog for: a listing its cards, a paper page the papers beside it and which of its
authors have a page. All of that goes into the hash, so a page whose hash did not
change since the last build can keep its file, bytes and date, without a render.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from paperfeed.authors import author_slug
from paperfeed.catalog import Catalog, PaperView
from paperfeed.pages import FeedShown, GeneratedPage, PaperShown, Shown, TagShown


def site_key(parts: Iterable[str], folders: Iterable[Path]) -> str:
    """One hash of everything every page depends on: settings, versions, theme files."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Fingerprints:
    def __init__(
        self,
        catalog: Catalog,
        key: str,
        pageless: set[str],
        cards: dict[str, tuple[PaperView, str]] | None = None,
    ):
        """`cards`: each card's hash by paper id, kept over rebuilds if given."""
        self.catalog = catalog
        self.key = key
        self.pageless = pageless
        self._feed: str | None = None
        self._tag: tuple[str, tuple[PaperView, ...]] | None = None
        self._cards = cards if cards is not None else {}

    def of(self, page: GeneratedPage) -> str:
        digest = hashlib.sha256(self.key.encode())
        digest.update(page.markdown.fingerprint())
        shown = self._plain(self._shown(page.shows)) if page.shows else None
        digest.update(repr(shown).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _plain(self, value: Any) -> Any:
        """`value` with each card replaced by its own hash: a card shows on many pages
        (its day, week, month, tags, authors), and is written out once."""
        if isinstance(value, PaperView):
            return self._card(value)
        if isinstance(value, tuple | list):
            return tuple(self._plain(item) for item in value)
        if is_dataclass(value):
            return (
                type(value).__name__,
                *(self._plain(getattr(value, f.name)) for f in fields(value)),
            )
        return value

    def _card(self, card: PaperView) -> str:
        key = card.id
        found = self._cards.get(key)
        if found is None or found[0] is not card:
            digest = hashlib.sha256(repr(card).encode("utf-8", "surrogatepass")).hexdigest()
            found = self._cards[key] = (card, digest)
        return found[1]

    def _shown(self, shows: Shown) -> Any:
        if isinstance(shows, PaperShown):  # and which of its authors have a page
            paper = self.catalog.by_id[shows.id]
            slugs = sorted({author_slug(name) for name in paper.authors})
            return shows.of(self.catalog), [s in self.pageless for s in slugs]
        if isinstance(shows, FeedShown):
            return shows, self._whole_feed()
        if isinstance(shows, TagShown):  # only its page's cards (the count is in its text)
            return shows.shown(self._tagged(shows.tag))
        return shows.of(self.catalog)

    def _tagged(self, tag: str) -> tuple[PaperView, ...]:
        """A tag's cards, kept while its pages come one after another: asked anew for
        each of a big tag's hundreds of pages, they would be made hundreds of times."""
        if self._tag is None or self._tag[0] != tag:
            self._tag = tag, self.catalog.tagged(tag)
        return self._tag[1]

    def _whole_feed(self) -> str:
        if self._feed is None:
            digest = hashlib.sha256()
            for paper in self.catalog.papers:
                digest.update(self._card(self.catalog.card(paper)).encode())
            digest.update(repr(self.catalog.authors).encode())
            self._feed = digest.hexdigest()
        return self._feed
