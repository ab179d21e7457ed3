"""A digest as the two bodies of an email: HTML for mail clients, plain text beside it.

The markup lives in templates/digest.html and digest.txt; a feed overrides either by
putting its own copy in a folder given first in `template_dirs` (its overrides/).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)

from paperfeed.abstract import Piece
from paperfeed.digest.content import Digest
from paperfeed.digest.periods import long_date
from paperfeed.errors import PaperfeedError, Problem

HTML_TEMPLATE = "digest.html"
TEXT_TEMPLATE = "digest.txt"


@lru_cache(maxsize=8)
def _env(template_dirs: tuple[str, ...]) -> Environment:
    loaders: list[BaseLoader] = [FileSystemLoader(d) for d in template_dirs]
    loaders.append(PackageLoader("paperfeed", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        # The HTML escapes everything it is given; the text part is text.
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["long_date"] = long_date
    env.filters["plain"] = plain
    return env


def _render(name: str, digest: Digest, recipient: str | None, dirs: Sequence[Path]) -> str:
    """A feed's own template may be broken: that is a message naming it, not a traceback."""
    template = None
    try:
        template = _env(tuple(str(d) for d in dirs)).get_template(name)
        return template.render(digest=digest, unsubscribe=digest.unsubscribe_for(recipient))
    except TemplateSyntaxError as e:
        raise _template_problem(e.filename or name, e.lineno, e.message or str(e)) from None
    except TemplateError as e:
        found = template.filename if template is not None and template.filename else name
        raise _template_problem(found, None, e.message or str(e)) from None


def _template_problem(path: str, line: int | None, message: str) -> PaperfeedError:
    fix = "fix it, or remove it to use paperfeed's own"
    return PaperfeedError(Problem(path, line, "digest template", f"{message}: {fix}"))


def render_html(
    digest: Digest, recipient: str | None = None, template_dirs: Sequence[Path] = ()
) -> str:
    """The email's HTML: tables and inline styles, readable at 375 px and in dark mode."""
    return _render(HTML_TEMPLATE, digest, recipient, template_dirs)


def render_text(
    digest: Digest, recipient: str | None = None, template_dirs: Sequence[Path] = ()
) -> str:
    """The email's plain-text part, with the same papers and links."""
    return _render(TEXT_TEMPLATE, digest, recipient, template_dirs)


def plain(pieces: Sequence[Piece]) -> str:
    """Abstract pieces as one line of text: links as their address, math as its TeX
    between $, every run of spaces one space."""
    return " ".join("".join(f"${p.text}$" if p.kind == "math" else p.text for p in pieces).split())
