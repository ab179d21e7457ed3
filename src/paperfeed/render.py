"""The HTML the core produces itself: abstracts, excerpts, page bodies, author lists,
search records.

Pages and feeds must show an abstract identically, so both take it from here; the
markup lives in the package's templates, with autoescape on.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from functools import lru_cache

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    Template,
    select_autoescape,
)
from markupsafe import Markup

from paperfeed import urls
from paperfeed.abstract import excerpt, paragraphs
from paperfeed.authors import author_slug
from paperfeed.entry import Paper
from paperfeed.theme import THEME_DIR


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        # The package's templates, and behind them the theme's: a search record is the
        # article of its paper's page (search-record.html).
        loader=ChoiceLoader([PackageLoader("paperfeed", "templates"), FileSystemLoader(THEME_DIR)]),
        # HTML and the Markdown page bodies (which are HTML) escape; BibTeX does not.
        autoescape=select_autoescape(enabled_extensions=("html", "md"), default=False),
        keep_trailing_newline=True,
        # The package's files change only with the package: no stat on every render.
        auto_reload=False,
    )
    env.filters["author_slug"] = author_slug
    env.globals["pf_urls"] = urls  # as the theme has it (plugin/build.py)
    return env


def template(name: str) -> Template:
    """One of the package's templates (abstract.html, paper-body.md, entry.bib)."""
    return _env().get_template(name)


def abstract_html(abstract: str) -> Markup:
    """The whole abstract as <p> elements with links and MathML."""
    html = _env().get_template("abstract.html").render(paragraphs=paragraphs(abstract))
    return Markup(html.strip())


def excerpt_html(abstract: str, limit: int = 280) -> Markup:
    """The start of the abstract, inline (no <p>), for cards."""
    html = (
        _env()
        .get_template("abstract.html")
        .render(paragraphs=(excerpt(abstract, limit),), inline=True)
    )
    return Markup(html.strip())


def page_body(paper: Paper) -> str:
    """The Markdown body of a paper page (one raw HTML block): its abstract."""
    template = _env().get_template("paper-body.md")
    return template.render(paper=paper, paragraphs=paragraphs(paper.abstract))


def author_links(names: Sequence[str], pageless: Container[str] = frozenset()) -> Markup:
    """A paper page's list of authors: each links to their page, or, for an author in
    `pageless` (slugs), to their entry in the authors index."""
    html = _authors_template().render(names=names, pageless=pageless)
    return Markup(html.rstrip("\n"))


@lru_cache(maxsize=1)
def _authors_template() -> Template:
    # Rendered for every paper page: looked up once, not once a page.
    return _env().get_template("paper-authors.html")


def search_record(paper: object, body: str, lang: str) -> str:
    """The page search indexes for a paper (a catalog.PaperView, as its page has it):
    what the page shows under data-pagefind-body, from the same partial. `body`: the
    body of its converted page (`page_body`), which the page shows too."""
    template = _env().get_template("search-record.html")
    # The record stands where the paper's page does (papers/<id>/), as its links do.
    return template.render(p=paper, body=Markup(body), lang=lang, base_url="../..")


def empty_index(lang: str) -> str:
    """The one page of a search index when the site has nothing else to search."""
    return _env().get_template("search-empty.html").render(lang=lang)
