"""A paper's card and row, rendered once per build for each place they are shown from.

A paper shows as a card or a row on its day, week and month, on the page of each of its
tags and on the page of each of its authors: at 10,000 papers of 3 to 12 authors, some
100,000 renders of the same few hundred bytes. That HTML depends on the paper and on
the relative URL of the site's root from the page (`base`), so it is kept by both.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment

# Pieces kept at most; past it the cache starts again, so a huge feed stays in memory.
LIMIT = 50_000


def install(env: Environment, enabled: bool = True) -> None:
    """Give the theme's templates `pf_piece` for this build (one cache per build: a
    `serve` rebuild may show papers changed)."""
    env.globals["pf_piece"] = PieceCache(enabled).piece


class PieceCache:
    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._html: dict[tuple[Hashable, ...], str] = {}
        self.reused = 0  # for tests and the curious

    def piece(self, *key: Hashable, caller: Callable[[], str]) -> str:
        """The HTML the {% call pf_piece(kind, paper id, base, ...) %} body renders,
        rendered once for that key."""
        if not self._enabled:
            return caller()
        found = self._html.get(key)
        if found is not None:
            self.reused += 1
            return found
        if len(self._html) >= LIMIT:
            self._html.clear()
        html = self._html[key] = caller()
        return html
