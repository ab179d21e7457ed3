"""Authors as readers look them up: one page per person, whatever the spelling.

"Łukasz Kaiser" and "Lukasz Kaiser" are one person written two ways; the slug (an
ASCII transliteration, lowercase, hyphenated) is what brings them onto one page.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache

from slugify import slugify


@lru_cache(maxsize=65536)
def author_slug(name: str) -> str:
    """The URL slug of an author: /authors/<slug>/."""
    # A name slugify cannot spell in ASCII still needs a stable page of its own, and
    # "index" is the authors index itself.
    slug = slugify(name) or "author-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    return "index-author" if slug == "index" else slug


def display_name(spellings: Counter[str]) -> str:
    """The spelling to show: the most used, then the richest (diacritics kept), then A-Z."""
    return min(spellings, key=lambda s: (-spellings[s], -sum(ord(c) > 127 for c in s), s))


# A large feed gives a page (and two feeds) to at most one author in ten papers: with
# real author lists a feed has 2.5 distinct authors a paper, most of them on a single
# paper, and a page each would outweigh the papers' own pages several times over.
PAGES_PER_PAPER = 0.1
# A small feed (a lab's, a reading group's) keeps a page for up to this many authors.
PAGES_AT_LEAST = 100


def page_minimum(counts: list[int], papers: int) -> int:
    """The fewest papers that give an author a page when the maintainer has not said:
    1 while the authors are few, else the bar that leaves the most prolific
    `max(papers * PAGES_PER_PAPER, PAGES_AT_LEAST)` authors with a page (or fewer:
    authors with as many papers as the last one in get the same answer)."""
    room = max(int(papers * PAGES_PER_PAPER), PAGES_AT_LEAST)
    if len(counts) <= room:
        return 1
    return sorted(counts, reverse=True)[room] + 1
