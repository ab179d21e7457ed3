"""The pages a feed site consists of, as Markdown with front matter.

Paper pages carry their entry; listing pages (home, days, archive, tags) carry only
which view to show, and their template asks the catalog for the cards. Nothing here
knows about MkDocs: an engine takes (uri, text) pairs and renders them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from paperfeed.catalog import Catalog
from paperfeed.convert import HIDE, MarkdownPage, convert, page_uri
from paperfeed.entry import Paper
from paperfeed.processes import map_chunks


@dataclass(frozen=True)
class GeneratedPage:
    uri: str  # path under the docs folder, e.g. "days/2024-11-27.md"
    markdown: MarkdownPage
    # When its content last changed: the newest `added` it shows. Sitemaps use it in
    # place of the build's clock, so two builds of the same papers are identical.
    updated: date | None = None
    # What its template asks the catalog for besides the page's own text: the view of
    # a listing page ({"view": "day", "day": ...}), or the paper of a paper page.
    shows: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return self.markdown.text


def site_pages(
    catalog: Catalog, converted: Mapping[str, MarkdownPage] | None = None, author_min: int = 1
) -> Iterator[GeneratedPage]:
    """Every generated page: one per paper, day, week, month, tag and author, and the
    home, trending, archive, tag index, code, author index and subscribe pages.

    `converted` holds paper pages already made while loading (by paper id); authors
    with fewer than `author_min` papers get no page of their own.
    """
    if converted is not None:
        for paper in catalog.papers:
            yield _paper_page(paper, converted[paper.id])
    else:
        jobs = [(paper, catalog.sources[paper.id]) for paper in catalog.papers]
        yield from map_chunks(_paper_pages, jobs)
    latest = catalog.latest_day
    home_day = latest.isoformat() if latest else None
    yield _listing("index.md", "home.html", "Daily Papers", latest, view="day", day=home_day)
    for day in catalog.days:
        uri, title = f"days/{day.isoformat()}.md", f"Papers of {day.isoformat()}"
        yield _listing(uri, "day.html", title, day, view="day", day=day.isoformat())
    for group, keys, folder in (
        ("week", catalog.weeks, "weeks"),
        ("month", catalog.month_keys, "months"),
    ):
        for key in keys:
            updated = catalog.newest_day(group, key)
            yield _listing(
                f"{folder}/{key}.md",
                "period.html",
                f"Papers of {key}",
                updated,
                view=group,
                key=key,
            )
    yield _listing("trending.md", "trending.html", "Trending", latest, view="trending")
    yield _listing("archive.md", "archive.html", "Archive", latest, view="archive")
    yield _listing("tags/index.md", "tags.html", "Tags", latest, view="tags")
    for tag, _ in catalog.tags:
        updated = catalog.newest_day("tag", tag)
        yield _listing(f"tags/{tag}.md", "tag.html", f"Tag: {tag}", updated, view="tag", tag=tag)
    yield _listing("code/index.md", "code.html", "Papers with code", latest, view="code")
    yield _listing(
        "authors/index.md", "authors.html", "Authors", latest, view="authors", min=author_min
    )
    for slug, name, count in catalog.authors:
        if count < author_min:
            continue
        updated = catalog.newest_day("author", slug)
        yield _listing(f"authors/{slug}.md", "author.html", name, updated, view="author", slug=slug)
    yield _listing("subscribe.md", "subscribe.html", "Subscribe", latest, view="subscribe")


def _paper_pages(jobs: Sequence[tuple[Paper, str]]) -> list[GeneratedPage]:
    """Convert some papers: what one worker does (see processes.py)."""
    return [_paper_page(paper, convert(paper, source)) for paper, source in jobs]


def _paper_page(paper: Paper, page: MarkdownPage) -> GeneratedPage:
    return GeneratedPage(page_uri(paper), page, paper.day, {"view": "paper", "id": paper.id})


def _listing(
    uri: str, template: str, title: str, updated: date | None, **view: Any
) -> GeneratedPage:
    meta = {
        "template": template,
        "title": title,
        "hide": list(HIDE),
        "pf": view,
    }
    return GeneratedPage(uri, MarkdownPage.of(meta, ""), updated, view)
