"""The arXiv API: many papers in one request, read from its Atom feed.

arXiv's terms allow one request every three seconds, so a run asks for all its ids at
once (`id_list`, with `max_results` set: without it the API stops at 10 entries). The
feed is read with defusedxml's parser, which refuses a document type declaration in
whatever encoding the body is (a byte search for `<!DOCTYPE` misses UTF-16), so no
entity, internal or external, is ever expanded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from paperfeed.arxiv_id import ID, abs_url, parse_ref, pdf_url
from paperfeed.entry import DOI_PATTERN
from paperfeed.importers import Failed, Found, Result, fold, tags
from paperfeed.importers.http import Client, FetchError

__all__ = ["API", "Feed", "fetch", "new_client", "parse_feed", "parse_ref", "query_url"]

API = "https://export.arxiv.org/api/query"
INTERVAL = 3.0  # seconds between requests, as arXiv's API terms ask
BATCH = 100  # ids per request: a longer id_list makes a URL some servers refuse

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"

_ENTRY_ID = re.compile(rf"arxiv\.org/abs/{ID}$")  # an Atom entry's <id>, an abs page
_DOI = re.compile(DOI_PATTERN)


def new_client() -> Client:
    """A client that keeps to arXiv's pace and waits out its outages."""
    return Client(interval=INTERVAL, backoff=INTERVAL)


def query_url(api: str, ids: Sequence[str]) -> str:
    query = urlencode({"id_list": ",".join(ids), "max_results": len(ids)}, safe=",/")
    return f"{api}?{query}"


def fetch(ids: Sequence[str], client: Client, api: str = API) -> dict[str, Result]:
    """A Found or a Failed for each id (given without version), by id."""
    wanted = list(dict.fromkeys(ids))
    results: dict[str, Result] = {}
    for start in range(0, len(wanted), BATCH):
        results.update(_fetch_batch(wanted[start : start + BATCH], client, api))
    return results


def _fetch_batch(ids: list[str], client: Client, api: str) -> dict[str, Result]:
    try:
        reply = client.get(query_url(api, ids), accept="application/atom+xml")
    except FetchError as e:
        return {i: Failed(i, f"the arXiv API cannot be reached: {e}") for i in ids}
    try:
        feed = parse_feed(reply.body)
    except ValueError as e:
        reason = f"the arXiv API answered HTTP {reply.status} without a usable feed: {e}"
        return {i: Failed(i, reason) for i in ids}
    if feed.errors:
        # An error entry stands for the whole request: arXiv then lists no paper at all.
        reason = "the arXiv API refused the request: " + "; ".join(feed.errors)
    elif reply.status != 200:
        reason = f"the arXiv API answered HTTP {reply.status}"
    else:
        reason = "not found on arXiv: check the id"
    return {i: Found(i, feed.papers[i]) if i in feed.papers else Failed(i, reason) for i in ids}


@dataclass
class Feed:
    """What one API answer holds: papers by id (without version), and error messages."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_feed(body: bytes) -> Feed:
    """Read an API answer; ValueError if it is not an Atom feed we can trust."""
    try:
        # The parser stops at the declaration, before any entity is defined or used.
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ValueError("it declares a document type, which is refused") from None
    except (ET.ParseError, ValueError) as e:  # expat refuses some encodings by ValueError
        raise ValueError(f"it is not XML ({e})") from None
    if root.tag != f"{_ATOM}feed":
        raise ValueError(f"its root element is {root.tag!r}, not an Atom feed")
    feed = Feed()
    for entry in root.findall(f"{_ATOM}entry"):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        if "/api/errors" in entry_id:
            feed.errors.append(fold(entry.findtext(f"{_ATOM}summary") or entry_id))
            continue
        page = _ENTRY_ID.search(entry_id)
        # The old API answered an unknown id with an entry that has no title or date.
        described = all(entry.find(f"{_ATOM}{name}") is not None for name in ("title", "published"))
        if page and described:
            feed.papers[page["id"]] = _fields(entry, page["id"])
    return feed


def _fields(entry: ET.Element, arxiv_id: str) -> dict[str, Any]:
    """The entry fields one Atom entry gives; the model checks them later."""
    names = (author.findtext(f"{_ATOM}name") or "" for author in entry.findall(f"{_ATOM}author"))
    fields: dict[str, Any] = {
        "arxiv": arxiv_id,
        "title": fold(entry.findtext(f"{_ATOM}title") or ""),
        "authors": [fold(name) for name in names if name.strip()],
        "abstract": fold(entry.findtext(f"{_ATOM}summary") or ""),
        # <published> is the first version's date whichever version is returned.
        "published": (entry.findtext(f"{_ATOM}published") or "").strip()[:10],
        "links": {
            "arxiv": abs_url(arxiv_id),
            "pdf": pdf_url(arxiv_id),
        },
    }
    # Rarely arXiv lists several DOIs in one element; the first valid one names the paper.
    dois = [d for d in (entry.findtext(f"{_ARXIV}doi") or "").split() if _DOI.match(d)]
    if dois:
        fields["doi"] = dois[0]
    journal = fold(entry.findtext(f"{_ARXIV}journal_ref") or "")
    if journal:
        fields["venue"] = journal
    primary = entry.find(f"{_ARXIV}primary_category")
    if primary is not None:
        fields["tags"] = tags([primary.get("term", "")])
    return fields
