"""`papers.json`: every paper of the feed as data, for scripts and other tools.

Each entry's fields as the contributor wrote them (dates in ISO 8601), plus the page
URL and the resolved links, newest first, like the feeds. JSON encoding leaves any
text inert, whatever it holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from paperfeed.catalog import Catalog
from paperfeed.entry import Paper
from paperfeed.feeds import FeedSettings

EXPORT_PATH = "papers.json"


def papers_json(catalog: Catalog, settings: FeedSettings) -> Iterator[bytes]:
    """The file in pieces, a paper each: whole, it is 200 MB at 100,000 papers, and
    held at once (with the list it is joined from) it was the build's largest object."""
    # One paper a line: a file that reads and diffs paper by paper, written by the C
    # encoder (any `indent` takes the pure-Python one: seconds at 10,000 papers).
    head = {"title": settings.title, "home_page_url": settings.site_url}
    yield f'{_dumps(head)[:-1]}, "papers": ['.encode()
    separator = "\n"
    for paper in catalog.papers:
        yield (separator + _dumps(_paper(paper, settings))).encode()
        separator = ",\n"
    yield b"\n]}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _paper(paper: Paper, settings: FeedSettings) -> dict[str, Any]:
    fields = paper.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {**fields, "url": settings.paper_url(paper), "resolved_links": paper.resolved_links()}
