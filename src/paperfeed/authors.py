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
