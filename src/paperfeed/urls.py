"""Addresses: which text is a web address, and where the site puts its own pages.

A page's path is part of its public address (feeds and other sites link to it), so it
is spelled here once: every module that links to a page asks for it, and so do the
templates, which get this module as `pf_urls` (the plugin and render.py register it).
Paths are relative to the site's root and end in "/" (MkDocs' directory URLs).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

WEB_SCHEMES = ("https", "http")
PAPERS = "papers"  # the folder of the paper pages, in the site and in its sources

HOME = ""
TRENDING = "trending/"
ARCHIVE = "archive/"
TAGS_INDEX = "tags/"
CODE = "code/"  # the papers with code, and their feeds
AUTHORS_INDEX = "authors/"
# The authors without a page of their own, a page for each first character of their
# slugs: "index" is no author's slug (authors.author_slug), so it cannot collide.
AUTHORS_BY_LETTER = f"{AUTHORS_INDEX}index/"
SUBSCRIBE = "subscribe/"
# A folder's own page has its source in the folder (tags/index.md beside tags/<tag>.md),
# which is also how mkdocs.yml's nav names it.
_FOLDER_PAGES = frozenset({HOME, TAGS_INDEX, CODE, AUTHORS_INDEX})


def is_web_url(text: str, schemes: tuple[str, ...] = WEB_SCHEMES) -> bool:
    """Whether `text` is an absolute address a browser opens: a web scheme and a host."""
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 host, "http://[::1"
        return False
    return parts.scheme in schemes and bool(parts.netloc)


def paper_path(paper_id: str) -> str:
    """A paper's page: papers/<id>/."""
    return f"{PAPERS}/{paper_id}/"


def paper_source(paper_id: str) -> str:
    """The Markdown source of a paper's page, relative to the docs folder: papers/<id>.md."""
    return source_of(paper_path(paper_id))


def day_path(day: date | str) -> str:
    """A day's papers: days/YYYY-MM-DD/."""
    return f"days/{day.isoformat() if isinstance(day, date) else day}/"


def week_path(key: str) -> str:
    """An ISO week's papers: weeks/2024-W48/."""
    return f"weeks/{key}/"


def month_path(key: str) -> str:
    """A month's papers: months/2024-11/."""
    return f"months/{key}/"


def tag_path(tag: str) -> str:
    """A tag's papers, whose folder also holds the tag's feeds: tags/<tag>/."""
    return f"{TAGS_INDEX}{tag}/"


def tag_page_path(tag: str, number: int) -> str:
    """Page `number` of a tag's papers: the first is the tag's own page, the older ones
    follow as tags/<tag>/page/2/ ... (the way Material's blog numbers its pages)."""
    return tag_path(tag) if number <= 1 else f"{tag_path(tag)}page/{number}/"


def author_path(slug: str) -> str:
    """An author's papers: authors/<slug>/."""
    return f"{AUTHORS_INDEX}{slug}/"


def author_letter(slug: str) -> str:
    """Which page of the authors without a page lists this one: their slug's first
    character (a-z or 0-9, as slugs are ASCII)."""
    return slug[:1]


def authors_letter_path(letter: str) -> str:
    """The authors without a page whose slugs start with `letter`: authors/index/<letter>/."""
    return f"{AUTHORS_BY_LETTER}{letter}/"


def author_feed(slug: str) -> str:
    """An author's RSS feed, in the folder of their page: authors/<slug>/feed.xml."""
    return f"{author_path(slug)}feed.xml"


def author_atom(slug: str) -> str:
    """An author's Atom feed, beside the RSS one: authors/<slug>/atom.xml."""
    return f"{author_path(slug)}atom.xml"


# Ids and anchors made from data (names, tags, dates) carry a prefix by kind, so a
# crafted name cannot make an id the page has already ("search", "__proto__",
# "md-content") or one of another kind.
ANCHOR_PREFIX = "pf-"


def author_anchor(slug: str) -> str:
    """The id of an author's entry in the authors index (or on its letter's page, for
    an author without a page): pf-author-<slug>."""
    return f"{ANCHOR_PREFIX}author-{slug}"


def month_anchor(key: str) -> str:
    """The id of a month's section in the archive: pf-month-2024-11."""
    return f"{ANCHOR_PREFIX}month-{key}"


def tag_anchor(tag: str) -> str:
    """The id of a tag's entry in the tags index: pf-tag-<tag>."""
    return f"{ANCHOR_PREFIX}tag-{tag}"


def author_entry(slug: str) -> str:
    """An author's entry among the authors without a page, on their letter's page:
    authors/index/<letter>/#pf-author-<slug>."""
    return f"{authors_letter_path(author_letter(slug))}#{author_anchor(slug)}"


def source_of(path: str) -> str:
    """The Markdown source, relative to the docs folder, of the page at `path`."""
    return f"{path}index.md" if path in _FOLDER_PAGES else f"{path[:-1]}.md"
