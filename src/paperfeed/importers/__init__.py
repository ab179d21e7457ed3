"""Importers: papers described by outside sources (arXiv, Hugging Face, BibTeX).

Each importer turns its source's data into the fields of a paper entry, or says why it
cannot; giving the entry its id and `added` date and writing it is `add.py`'s job. So
an importer never decides what a valid entry is: the Paper model does, once, in add.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from paperfeed.entry import Tag, Url


@dataclass(frozen=True)
class Found:
    """A paper a source described: what was asked for, and the entry fields it gave."""

    ref: str  # an arXiv id, a citation key: what the user will recognise
    fields: dict[str, Any]


@dataclass(frozen=True)
class Failed:
    """Something asked for that gives no paper, and why, said so the user can act on it."""

    ref: str
    reason: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.reason}"


Result = Found | Failed


def fold(text: str) -> str:
    """Text with every run of whitespace made one space: sources hard-wrap their lines."""
    return " ".join(text.split())


def slug(text: str) -> str:
    """`text` as lowercase ASCII words joined by "-", the tag spelling (cs.CV -> cs-cv)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


_TAG: TypeAdapter[str] = TypeAdapter(Tag)
_URL: TypeAdapter[str] = TypeAdapter(Url)


def tags(names: list[str]) -> list[str]:
    """The names that make valid tags once slugified, each once, in order."""
    found: list[str] = []
    for name in names:
        tag = slug(name)
        if tag not in found and _valid(_TAG, tag):
            found.append(tag)
    return found


def web_address(value: Any) -> str | None:
    """`value` if it is a link the format accepts; sources also send "" and junk."""
    return value if isinstance(value, str) and _valid(_URL, value) else None


def _valid(adapter: TypeAdapter[str], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True
