"""`papers.json`: every paper of the feed as data, for scripts and other tools.

Each entry's fields as the contributor wrote them (dates in ISO 8601), plus the page
URL and the resolved links, newest first, like the feeds. JSON encoding leaves any
text inert, whatever it holds.
"""

from __future__ import annotations

import json
from typing import Any

from paperfeed.catalog import Catalog
from paperfeed.entry import Paper
from paperfeed.feeds import FeedSettings

EXPORT_PATH = "papers.json"


def papers_json(catalog: Catalog, settings: FeedSettings) -> bytes:
    data = {
        "title": settings.title,
        "home_page_url": settings.site_url,
        "papers": [_paper(paper, settings) for paper in catalog.papers],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _paper(paper: Paper, settings: FeedSettings) -> dict[str, Any]:
    fields = paper.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {**fields, "url": settings.paper_url(paper), "resolved_links": paper.resolved_links()}
