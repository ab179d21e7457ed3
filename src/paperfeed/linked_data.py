"""A paper as schema.org data: the ScholarlyArticle that search engines and reference
managers read from its page (its abstract they read from the page itself).

It is data, not markup, so it is made here, where a dict is a dict: built in the page's
template it cost a quarter of rendering a paper page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from paperfeed.convert import describe
from paperfeed.title import title_text

if TYPE_CHECKING:
    from paperfeed.catalog import PaperView


def scholarly_article(paper: PaperView | Mapping[str, Any], url: str) -> Markup:
    """The JSON-LD of a paper page, safe inside <script>. (Deprecated: `paper` as the
    page's front matter, `page.meta`, which a paper.html of paperfeed 0.1.0 passes.)"""
    if isinstance(paper, Mapping):
        return _article(partial(_front_matter_field, paper), url)
    return _article(partial(getattr, paper.entry), url)


def _article(field: Callable[[str], Any], url: str) -> Markup:
    """`field(name)`: the entry's field `name` (None when it has none)."""
    title = title_text(field("title"))  # text: "UniF²ace" for UniF$^2$ace (title.py)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "identifier": field("id"),
        "headline": title,
        "name": title,
        "author": [{"@type": "Person", "name": name} for name in field("authors")],
        "datePublished": field("published").isoformat(),
        # The page's description, not the abstract: the page shows the abstract, and
        # a second copy in every page's head was 1-2 KB of each of 100,000 pages.
        "description": describe(field("summary"), field("abstract")),
        "url": url,
        "keywords": field("tags") or [],
    }
    if field("doi"):
        data["sameAs"] = "https://doi.org/" + field("doi")
    if field("venue"):
        data["isPartOf"] = {"@type": "Periodical", "name": field("venue")}
    # (Jinja's tojson, as the template had it: no <, > or & can end the script element)
    return htmlsafe_json_dumps(data, sort_keys=True)


def _front_matter_field(meta: Mapping[str, Any], name: str) -> Any:
    value = meta.get(name)
    # MkDocs' page holds the title escaped (plugin/generated.py)
    return value.unescape() if isinstance(value, Markup) else value
