"""BibTeX files: a bibliography in, one paper per entry that has what the format needs.

A bibliography rarely has abstracts and usually has only the year, so entries with an
arXiv id (in `eprint`, or hidden in `journal = {arXiv preprint arXiv:...}`, a `url` or
a `note`) are completed from the arXiv API, all in one request. An entry that still
lacks a required field is reported by its citation key with what it lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    MergeNameParts,
    MonthIntMiddleware,
    NormalizeFieldKeys,
    RemoveEnclosingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.middleware import BlockMiddleware, LibraryMiddleware
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
)

from paperfeed.arxiv_id import ID, ArxivIdError, parse_ref
from paperfeed.entry import ABSTRACT_MAX, DOI_PATTERN, REQUIRED_FIELDS
from paperfeed.errors import PaperfeedError
from paperfeed.importers import Failed, Found, Result, fold
from paperfeed.importers import arxiv as arxiv_api
from paperfeed.importers.http import Client

# BibTeX's predefined macros: `month = mar` means "March".
_MONTHS = {
    name[:3].lower(): name
    for name in (
        "January February March April May June July August September October November December"
    ).split()
}
_WORD = re.compile(r'[^\s#{}",=]+')
_DOI = re.compile(DOI_PATTERN)
_ARXIV_PAGE = re.compile(r"arxiv\.org/(?:abs|pdf)/(\S+?)(?:\.pdf)?(?:[?#\s]|$)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)
_BARE_ID = re.compile(rf"(?<![\w./-]){ID}\b")  # group 1: the id without its version
# Fields that name an arXiv id in words ("arXiv preprint arXiv:2401.10215"), by preference.
_ID_FIELDS = ("journal", "note", "howpublished", "eprint", "volume")
# What the entry needs, as the skip message names it; `id` and `added` come from add.
_NEEDED = [name for name in REQUIRED_FIELDS if name not in ("id", "added")]


@dataclass(frozen=True)
class Cited:
    """One BibTeX entry: its key and line, the entry fields it gives, its arXiv id."""

    key: str
    line: int
    fields: dict[str, Any]
    arxiv: str | None
    date_note: str  # why there is no full date, when there is none: "only the year 2016"
    all_authors: bool  # False when the list ends in "and others"


def import_file(path: Path, client: Client, api: str = arxiv_api.API) -> list[Result]:
    """One Result per entry of the file, in file order, completed from arXiv."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        return [Failed(str(path), f"is not UTF-8 (byte {e.start}): save it as UTF-8")]
    except OSError as e:
        return [Failed(str(path), f"cannot be read: {e.strerror}")]
    return import_text(text, client, api)


def import_text(text: str, client: Client, api: str = arxiv_api.API) -> list[Result]:
    cited, failed = read(text)
    ids = [c.arxiv for c in cited if c.arxiv]
    from_arxiv = arxiv_api.fetch(ids, client, api) if ids else {}
    done = failed + [(c.line, complete(c, from_arxiv.get(c.arxiv or ""))) for c in cited]
    return [result for _, result in sorted(done, key=lambda pair: pair[0])]


def read(text: str) -> tuple[list[Cited], list[tuple[int, Failed]]]:
    """The entries of a BibTeX text, and the blocks that could not be read, with lines.

    A file whose macros expand past the limits is refused whole: it is a bomb, not a
    bibliography, and none of its entries is worth reading.
    """
    try:
        library = bibtexparser.parse_string(text, parse_stack=_parse_stack())
    except MacroBomb as e:
        return [], [(e.line, Failed(e.ref, str(e)))]
    cited = [_cited(entry) for entry in library.entries]
    return cited, [_failure(block) for block in library.failed_blocks]


def complete(cited: Cited, from_arxiv: Result | None) -> Result:
    """The entry's fields completed from its arXiv record, or why it is skipped."""
    fields = dict(cited.fields)
    if isinstance(from_arxiv, Found):
        # arXiv's date is the format's `published` by definition: the first version's.
        fields["published"] = from_arxiv.fields["published"]
        if not cited.all_authors:
            fields.pop("authors", None)
        for name, value in from_arxiv.fields.items():
            fields.setdefault(name, value)
    missing = [name for name in _NEEDED if not fields.get(name)]
    if not missing:
        return Found(cited.key, fields)
    wants = ", ".join(
        f"no full date ({cited.date_note})" if name == "published" else f"no {name}"
        for name in missing
    )
    if cited.arxiv is None:
        why = "and no arXiv id to complete it from"
    elif isinstance(from_arxiv, Failed):
        why = f"and arXiv could not complete it ({from_arxiv})"
    else:
        why = f"even with arXiv {cited.arxiv}"
    return Failed(cited.key, f"skipped: it has {wants}, {why}")


def _cited(entry: Entry) -> Cited:
    raw = {f.key: f.value for f in entry.fields}
    listed = raw.get("author")
    names = listed if isinstance(listed, list) else []
    authors = [fold(str(name)) for name in names]
    all_authors = not any(name.lower() == "others" for name in authors)
    published, date_note = _date(raw)
    fields = {
        "title": _text(raw.get("title")),
        "authors": [name for name in authors if name and name.lower() != "others"],
        "abstract": _text(raw.get("abstract")),
        "published": published,
        "doi": _doi(_text(raw.get("doi"))),
        "venue": _venue(raw),
    }
    return Cited(
        key=entry.key,
        line=(entry.start_line or 0) + 1,
        fields={name: value for name, value in fields.items() if value},
        arxiv=_arxiv_id(raw),
        date_note=date_note,
        all_authors=all_authors,
    )


def _text(value: Any) -> str:
    return fold(str(value)) if isinstance(value, (str, int)) else ""


def _date(raw: dict[str, Any]) -> tuple[str, str]:
    """The full date an entry gives (biblatex `date`, or year, month and day), or why not."""
    given = _text(raw.get("date"))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
        return given, ""
    year, month, day = _text(raw.get("year")), raw.get("month"), _text(raw.get("day"))
    if not year.isdigit():
        return "", "no year"
    if not isinstance(month, int):
        return "", f"only the year {year}"
    if not day.isdigit():
        return "", f"only the month {year}-{month:02d}"
    return f"{int(year):04d}-{month:02d}-{int(day):02d}", ""


def _doi(value: str) -> str:
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.IGNORECASE)
    return doi if _DOI.match(doi) else ""


def _venue(raw: dict[str, Any]) -> str:
    """Where it appeared; "arXiv preprint ..." and CoRR say where it did not."""
    venue = _text(raw.get("booktitle")) or _text(raw.get("journal"))
    lower = venue.lower()
    return "" if "arxiv" in lower or lower == "corr" else venue


def _arxiv_id(raw: dict[str, Any]) -> str | None:
    """The arXiv id an entry names anywhere (version dropped), or None."""
    prefix = _text(raw.get("archiveprefix") or raw.get("eprinttype")).lower()
    eprint = _text(raw.get("eprint"))
    if eprint and prefix in ("", "arxiv"):
        try:
            return parse_ref(eprint)
        except ArxivIdError:
            pass  # not an arXiv id after all: maybe another field names one
    for value in (_text(raw.get("url")), _text(raw.get("doi"))):
        found = _ARXIV_PAGE.search(value) or _ARXIV_DOI.search(value)
        if found:
            return _parsed(found.group(1))
    for name in _ID_FIELDS:
        value = _text(raw.get(name))
        # "abs/1706.03762" in `volume` is how DBLP cites arXiv (as journal CoRR).
        if "arxiv" in value.lower() or value.startswith("abs/"):
            found = _BARE_ID.search(value)
            if found:
                return _parsed(found.group(1))
    return None


def _parsed(text: str) -> str | None:
    try:
        return parse_ref(text)
    except ArxivIdError:
        return None


def _failure(block: Block) -> tuple[int, Failed]:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        first = (block.previous_block.start_line or 0) + 1
        return line, Failed(block.key, f"line {line}: the key is used before, on line {first}")
    entry = block.ignore_error_block if isinstance(block, ParsingFailedBlock) else None
    if isinstance(block, DuplicateFieldKeyBlock) and isinstance(entry, Entry):
        twice = ", ".join(sorted(block.duplicate_keys))
        return line, Failed(entry.key, f"line {line}: gives {twice} twice: keep one")
    error: object = block.error if isinstance(block, ParsingFailedBlock) else None
    # bibtexparser's BlockAbortedException keeps its message apart, in abort_reason.
    error = fold(str(getattr(error, "abort_reason", None) or error or "unreadable"))
    ref = entry.key if isinstance(entry, Entry) else f"line {line}"
    return line, Failed(ref, f"is not valid BibTeX: {error}")


def _parse_stack() -> Sequence[Any]:
    return [
        NormalizeFieldKeys(),
        _ExpandStrings(),
        RemoveEnclosingMiddleware(),
        MonthIntMiddleware(),
        SeparateCoAuthors(),
        SplitNameParts(),
        MergeNameParts(style="first"),
        _DecodeNames(),
        LatexDecodingMiddleware(),
    ]


# A value may expand to no more than the longest field of an entry, the abstract: a
# macro defined as another twice, again and again, doubles with each line (a 445-byte
# file made a title of 524,288 characters). And macros may add at most this much text
# to a whole file, so that many values each just under the limit cannot add up either.
MAX_VALUE = ABSTRACT_MAX
MAX_MACRO_TEXT = 10_000_000


class MacroBomb(PaperfeedError):
    """A value whose @string macros expand past the limits."""

    def __init__(self, ref: str, line: int, message: str):
        super().__init__(f"line {line}: {message}: the file is refused")
        self.ref = ref
        self.line = line


class _TooLong(Exception):
    """Raised by `_expand` as soon as the expansion passes its limit."""


class _ExpandStrings(LibraryMiddleware):
    """@string macros, `#` concatenation and month macros, expanded as BibTeX does.

    bibtexparser 2 replaces only a value that is exactly one macro name, with the macro
    as written: `"My " # conf` and a macro defined from others stay unexpanded. Every
    expansion is bounded (MAX_VALUE, MAX_MACRO_TEXT): see MacroBomb.
    """

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)

    @classmethod
    def metadata_key(cls) -> str:
        return "paperfeed_expand_strings"

    def transform(self, library: Library) -> Library:
        macros = dict(_MONTHS)
        budget = [MAX_MACRO_TEXT]  # what macros may still add to the file, shared
        for string in library.strings:  # in file order: a macro may use earlier ones
            value = str(string.value)
            line = (string.start_line or 0) + 1
            ref = f"@string {string.key}"
            expanded = self._bounded(value, macros, budget, ref, line, "the macro")
            macros[string.key.lower()] = expanded or value
        for entry in library.entries:
            line = (entry.start_line or 0) + 1
            for field in entry.fields:
                if not isinstance(field.value, str):
                    continue
                what = f"its {field.key}"
                expanded = self._bounded(field.value, macros, budget, entry.key, line, what)
                if expanded is not None:
                    # Braced, so that RemoveEnclosingMiddleware takes exactly these off.
                    field.value = "{" + expanded + "}"
        return library

    @staticmethod
    def _bounded(
        raw: str, macros: dict[str, str], budget: list[int], ref: str, line: int, what: str
    ) -> str | None:
        try:
            return _expand(raw, macros, budget)
        except _TooLong as e:
            raise MacroBomb(ref, line, f"{what} {e}") from None


def _expand(raw: str, macros: dict[str, str], budget: list[int] | None = None) -> str | None:
    """The text a BibTeX value expression stands for, or None if `raw` is not one.

    Raises _TooLong once the text passes MAX_VALUE characters, or once the macros used
    have added more than `budget[0]` characters (which is lowered by what they add).
    """
    parts: list[str] = []
    size = 0
    used_macro = False
    at, end = 0, len(raw)
    while True:
        macro: str | None = None
        while at < end and raw[at].isspace():
            at += 1
        if at == end:
            return None
        if raw[at] in '{"':
            close = _closing(raw, at)
            if close is None:
                return None
            parts.append(raw[at + 1 : close])
            at = close + 1
        else:
            word = _WORD.match(raw, at)
            if word is None:
                return None
            name = word.group()
            macro = None if name.isdigit() else macros.get(name.lower())
            parts.append(name if macro is None else macro)
            at = word.end()
            if macro is not None and budget is not None:
                budget[0] -= len(macro)
                if budget[0] < 0:
                    raise _TooLong(
                        f"makes the file's macros expand to more than {MAX_MACRO_TEXT:,} "
                        "characters in all"
                    )
        size += len(parts[-1])
        used_macro = used_macro or macro is not None
        # A long abstract written out is fine; grown from macros, it is a bomb. Checked
        # before joining: the parts of a doubling macro are never put together.
        if size > MAX_VALUE and used_macro:
            raise _TooLong(
                f"expands to more than {MAX_VALUE:,} characters, longer than any field of "
                "an entry (macros that double each other?)"
            )
        while at < end and raw[at].isspace():
            at += 1
        if at == end:
            return "".join(parts)
        if raw[at] != "#":
            return None
        at += 1


def _closing(raw: str, start: int) -> int | None:
    """Where the brace group or quoted string opened at `start` closes."""
    quoted = raw[start] == '"'
    depth = 0 if quoted else 1
    for at in range(start + 1, len(raw)):
        char = raw[at]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return at
            if depth < 0:
                return None
        elif char == '"' and quoted and depth == 0 and raw[at - 1] != "\\":
            return at
    return None


class _DecodeNames(BlockMiddleware):
    """LaTeX in author names (`V{\\~u}` is Vũ): bibtexparser's decoder skips name lists."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True, allow_parallel_execution=True)
        self._decoder = LatexDecodingMiddleware()

    @classmethod
    def metadata_key(cls) -> str:
        return "paperfeed_decode_names"

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        for field in entry.fields:
            if field.key == "author" and isinstance(field.value, list):
                names = Entry(
                    "names", entry.key, [Field(str(i), n) for i, n in enumerate(field.value)]
                )
                decoded = self._decoder.transform_entry(names, library)
                if isinstance(decoded, Entry):
                    field.value = [f.value for f in decoded.fields]
        return entry
