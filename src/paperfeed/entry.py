"""The paper entry: the one definition of the format contributors write.

Validation, the error messages and the JSON Schema all come from this model, so the
three can never disagree. The messages say how to fix the value, because the reader
is a contributor looking at a pull request, not a Python programmer.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, time, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from paperfeed import arxiv_id
from paperfeed.urls import is_web_url

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ARXIV_PATTERN = arxiv_id.PATTERN  # the name the format's other patterns have
DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
ABSTRACT_MAX = 20_000

LinkKind = Literal["arxiv", "pdf", "code", "project", "doi", "video", "data", "hf"]
LINK_KINDS: tuple[str, ...] = LinkKind.__args__  # type: ignore[attr-defined]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# C0 and C1 controls (but tab and newline), lone surrogates and non-characters: none
# has a place in a title or abstract, and XML feeds cannot carry most of them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> Any:
    """Trim text and refuse blanks: an empty title is a missing title."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("is empty: write a value or remove the line")
        bad = _FORBIDDEN.search(value)
        if bad:
            raise ValueError(
                f"contains the control character U+{ord(bad.group()):04X} "
                f"at character {bad.start() + 1}: remove it"
            )
    return value


def _url(value: str) -> str:
    if not is_web_url(value):
        raise ValueError(f"{value!r} is not a web address: use a full https:// URL")
    if any(c.isspace() for c in value):
        raise ValueError(f"{value!r} contains spaces: encode them as %20")
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a real date: check the month and day") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-11-27")


def _parse_added(value: Any) -> Any:
    """`added` is a day, or an instant with its zone; a zoneless time is ambiguous."""
    if isinstance(value, str) and not _DATE.match(value.strip()):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{value!r} is not a date or a date-time: write 2024-11-27 or 2024-11-27T09:30:00Z"
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(
                f"{value.isoformat()!r} has no time zone: add one, e.g. "
                f"{value.isoformat()}Z for UTC"
            )
        return value
    return _parse_date(value)


# The patterns only inform the JSON Schema, so editors flag blanks and non-web links too.
Text = Annotated[str, BeforeValidator(_text), Field(json_schema_extra={"pattern": r"\S"})]
Line = Annotated[Text, Field(max_length=500)]  # one line of text: a title, a name, a venue
Url = Annotated[
    str,
    BeforeValidator(_text),
    Field(max_length=2000, json_schema_extra={"pattern": r"^https?://\S+$"}),
    AfterValidator(_url),
]
Day = Annotated[date, BeforeValidator(_parse_date)]
Added = Annotated[datetime | date, BeforeValidator(_parse_added)]
Tag = Annotated[str, Field(pattern=TAG_PATTERN, max_length=64)]


def _unique(values: list[str]) -> list[str]:
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise ValueError(f"lists {', '.join(map(repr, twice))} more than once: keep one")
    if "index" in values:  # /tags/index/ is the list of all tags
        raise ValueError("'index' is reserved for the list of tags: choose another tag")
    return values


class Paper(BaseModel):
    """One paper of the feed, exactly as its YAML file describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=128)] = Field(
        description="URL slug, unique and never changed: the page is /papers/<id>/."
    )
    title: Line = Field(description="The paper's title.")
    authors: list[Line] = Field(
        min_length=1, max_length=5000, description="Every author, in order."
    )
    abstract: Annotated[Text, Field(max_length=ABSTRACT_MAX)] = Field(
        description="Plain-text paragraphs; $...$ is inline math; URLs become links."
    )
    published: Day = Field(description="Date of the paper's first public version.")
    added: Added = Field(description="When it joined this feed: a date, or a date-time with zone.")
    arxiv: Annotated[str, Field(pattern=ARXIV_PATTERN)] | None = Field(
        None, description="arXiv id, new or old style; gives default arXiv and PDF links."
    )
    doi: Annotated[str, Field(pattern=DOI_PATTERN)] | None = Field(None, description="DOI.")
    tags: Annotated[list[Tag], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=50, description="Lowercase words joined by -."
    )
    links: dict[LinkKind, Url] = Field(default_factory=dict, description="https links by kind.")
    venue: Line | None = Field(None, description="Where it appeared, e.g. CVPR 2015.")
    upvotes: Annotated[StrictInt, Field(ge=0)] | None = Field(None, description="Upvote count.")
    submitted_by: Line | None = Field(None, description="Who submitted it to this feed.")
    summary: Annotated[Text, Field(max_length=1000)] | None = Field(
        None, description="One-line TL;DR shown on cards."
    )
    thumbnail: Url | None = Field(None, description="https URL of a preview image.")

    @property
    def day(self) -> date:
        """The feed day: the date of `added` in the zone it was written with."""
        return self.added.date() if isinstance(self.added, datetime) else self.added

    @property
    def added_at(self) -> datetime:
        """`added` as an instant, so a bare date sorts as midnight UTC of that day."""
        if isinstance(self.added, datetime):
            return self.added
        return datetime.combine(self.added, time(0, 0), tzinfo=timezone.utc)

    def resolved_links(self) -> dict[str, str]:
        """The links a reader gets: the entry's own, completed from `arxiv` and `doi`."""
        found: dict[str, str] = {}  # keys: LINK_KINDS
        if self.arxiv:
            found["arxiv"] = arxiv_id.abs_url(self.arxiv)
            found["pdf"] = arxiv_id.pdf_url(self.arxiv)
        if self.doi:
            found["doi"] = f"https://doi.org/{self.doi}"
        found.update({str(kind): url for kind, url in self.links.items()})
        return {kind: found[kind] for kind in LINK_KINDS if kind in found}

    def fields(self) -> dict[str, Any]:
        """Every field that is set, in the order of the format: what a file holds."""
        return self.model_dump(exclude_none=True, exclude_defaults=True)


REQUIRED_FIELDS = tuple(name for name, f in Paper.model_fields.items() if f.is_required())
FIELDS = tuple(Paper.model_fields)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A valid entry: the file it came from (as shown to users), what it holds, and where.

    `lines` gives the line of each field in the file, kept from the one parse of it, so
    a later check (a duplicate, an id used twice) can point at the field without
    reading and parsing the file again.
    """

    source: str
    paper: Paper
    page: Any = None  # what `convert` made of the paper, when the loader was given one
    lines: dict[str, int] = dataclasses.field(default_factory=dict)

    def line_of(self, field: str) -> int | None:
        """The line of `field` in the file, or None when it is not known."""
        return self.lines.get(field)
