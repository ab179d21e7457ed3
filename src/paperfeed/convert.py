"""Paper -> Markdown page with YAML front matter, and back.

The front matter holds every field of the entry unchanged, so any engine (MkDocs
today) can render the page from the page alone; what paperfeed derives for display
sits apart under `pf` and is ignored when reading a page back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import frontmatter
import yaml

from paperfeed.abstract import plain_text
from paperfeed.cite import bibtex
from paperfeed.entry import Paper
from paperfeed.render import page_body

try:
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Front matter never uses YAML anchors: any reader can take it as plain data."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


PAPER_TEMPLATE = "paper.html"
_FENCE = "---\n"
# Keys the converter adds for the engine; everything else is the entry itself.
DERIVED_KEYS = frozenset({"template", "description", "hide", "pf"})
# Generated pages use the full width: their links replace the sidebars.
HIDE = ("navigation", "toc")
DESCRIPTION_LIMIT = 200


def front_matter(paper: Paper, source: str) -> dict[str, Any]:
    """Every field of the entry, plus the display data the paper template needs."""
    meta: dict[str, Any] = {"template": PAPER_TEMPLATE, **paper.fields()}
    meta["pf"] = {
        "day": paper.day.isoformat(),
        "links": paper.resolved_links(),
        "bibtex": bibtex(paper),
        "source": source,
    }
    meta["description"] = description(paper)
    meta["hide"] = list(HIDE)
    return meta


def description(paper: Paper) -> str:
    """What a page says it is about, for search engines and link previews: the TL;DR,
    or the start of the abstract as plain text."""
    return describe(paper.summary, paper.abstract)


def describe(summary: str | None, abstract: str) -> str:
    """`description` of the entry's fields (for callers holding front matter)."""
    return summary or _shorten(plain_text(abstract))


class PageSource(Protocol):
    """A converted page however it is kept: as its text (MarkdownPage), or in the form an
    engine reads fastest (the plugin's ParsedPage), which makes the text when asked."""

    @property
    def text(self) -> str: ...

    @property
    def body(self) -> str: ...

    def front_matter(self) -> dict[str, Any]: ...

    def parts(self) -> tuple[dict[str, Any], str]:
        """(front matter, body) in one read."""
        ...

    def fingerprint(self) -> bytes:
        """What the page is made of, as bytes: the same bytes, the same page."""
        ...


@dataclass(frozen=True)
class MarkdownPage:
    """A converted page: Markdown text that starts with YAML front matter."""

    text: str

    @classmethod
    def of(cls, meta: dict[str, Any], body: str) -> MarkdownPage:
        return cls(page_text(meta, body))

    def front_matter(self) -> dict[str, Any]:
        """What the YAML front matter of `text` holds."""
        front = split_page(self.text)[0]
        meta: dict[str, Any] = yaml.load(front, Loader=_Loader) if front else {}
        return meta or {}

    @property
    def body(self) -> str:
        return split_page(self.text)[1]

    def parts(self) -> tuple[dict[str, Any], str]:
        return self.front_matter(), self.body

    def fingerprint(self) -> bytes:
        return self.text.encode("utf-8", "surrogatepass")


def to_markdown(paper: Paper, source: str) -> str:
    """The whole page: front matter and body."""
    return convert(paper, source).text


def convert(paper: Paper, source: str) -> MarkdownPage:
    """The page of a paper."""
    return MarkdownPage.of(front_matter(paper, source), page_body(paper))


def page_text(meta: dict[str, Any], body: str) -> str:
    """A Markdown page with `meta` as YAML front matter (libyaml's dumper: 10,000s of pages)."""
    post = frontmatter.Post(body, **meta)
    text: str = frontmatter.dumps(
        post, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000
    )
    return text + "\n"


def body_as_read(body: str) -> str:
    """`body` as split_page reads it back from page_text's page (which trims it)."""
    trimmed = body.lstrip("\n").rstrip()
    return trimmed + "\n" if trimmed else ""


def from_markdown(text: str) -> Paper:
    """Read a generated page back into the Paper it was made from."""
    front, _ = split_page(text)
    return from_front_matter(yaml.load(front, Loader=yaml.SafeLoader))


def split_page(text: str) -> tuple[str, str]:
    """(front matter, body) of a page: the front matter ends at the first line that is
    `---` alone (in the YAML, a line of a multi-line value is indented)."""
    if not text.startswith(_FENCE):
        return "", text
    front, _, body = text[len(_FENCE) :].partition("\n" + _FENCE)
    return front + "\n", body.lstrip("\n")


def from_front_matter(meta: dict[str, Any]) -> Paper:
    return Paper.model_validate({k: v for k, v in meta.items() if k not in DERIVED_KEYS})


def _shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.") + " …"
