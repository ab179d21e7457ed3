"""The pages a feed site consists of, as Markdown with front matter.

Paper pages carry their entry; listing pages (home, days, archive, tags) carry only
which view to show, and their template asks the catalog for the cards. Nothing here
knows about MkDocs: an engine takes (uri, text) pairs and renders them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import frontmatter

from paperfeed.catalog import Catalog
from paperfeed.convert import HIDE, page_uri, to_markdown
from paperfeed.entry import Paper
from paperfeed.parallel import map_chunks


@dataclass(frozen=True)
class GeneratedPage:
    uri: str  # path under the docs folder, e.g. "days/2024-11-27.md"
    text: str


def site_pages(
    catalog: Catalog, converted: Mapping[str, str] | None = None
) -> Iterator[GeneratedPage]:
    """Every generated page: one per paper, day and tag, plus home, archive and tags.

    `converted` holds paper pages already made while loading (by paper id).
    """
    if converted is not None:
        yield from (GeneratedPage(page_uri(p), converted[p.id]) for p in catalog.papers)
    else:
        jobs = [(paper, catalog.sources[paper.id]) for paper in catalog.papers]
        yield from map_chunks(_paper_pages, jobs)
    latest = catalog.latest_day.isoformat() if catalog.latest_day else None
    yield _listing("index.md", "home.html", "Daily Papers", view="day", day=latest)
    for day in catalog.days:
        title = f"Papers of {day.isoformat()}"
        yield _listing(
            f"days/{day.isoformat()}.md", "day.html", title, view="day", day=day.isoformat()
        )
    yield _listing("archive.md", "archive.html", "Archive", view="archive")
    yield _listing("tags/index.md", "tags.html", "Tags", view="tags")
    for tag, _ in catalog.tags:
        yield _listing(f"tags/{tag}.md", "tag.html", f"Tag: {tag}", view="tag", tag=tag)


def _paper_pages(jobs: Sequence[tuple[Paper, str]]) -> list[GeneratedPage]:
    """Convert some papers: what one worker does (see parallel.py)."""
    return [GeneratedPage(page_uri(paper), to_markdown(paper, source)) for paper, source in jobs]


def _listing(uri: str, template: str, title: str, **view: Any) -> GeneratedPage:
    # Listings repeat what paper pages hold, so search skips them.
    meta = {
        "template": template,
        "title": title,
        "hide": list(HIDE),
        "search": {"exclude": True},
        "pf": view,
    }
    return GeneratedPage(uri, frontmatter.dumps(frontmatter.Post("", **meta)) + "\n")
