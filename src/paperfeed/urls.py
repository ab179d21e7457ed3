"""Addresses: which text is a web address, and where the site puts its own pages.

A page's path is part of its public address (feeds and other sites link to it), so it
is spelled here once and every module that links to a page asks for it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = ("https", "http")
PAPERS = "papers"  # the folder of the paper pages, in the site and in its sources


def is_web_url(text: str, schemes: tuple[str, ...] = WEB_SCHEMES) -> bool:
    """Whether `text` is an absolute address a browser opens: a web scheme and a host."""
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 host, "http://[::1"
        return False
    return parts.scheme in schemes and bool(parts.netloc)


def paper_path(paper_id: str) -> str:
    """A paper's page, relative to the site's root: papers/<id>/."""
    return f"{PAPERS}/{paper_id}/"


def paper_source(paper_id: str) -> str:
    """The Markdown source of a paper's page, relative to the docs folder: papers/<id>.md."""
    return f"{PAPERS}/{paper_id}.md"
