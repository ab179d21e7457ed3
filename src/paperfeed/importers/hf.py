"""The Hugging Face papers API: arXiv papers with what the community added to them.

`/papers/<arXiv id>` describes one paper and `/daily_papers?date=` lists one day's.
Besides what arXiv gives, they bring the upvotes, the code repository, the project page
and keywords. Their titles keep arXiv's hard line breaks ("Sieves for\\n  Counting"),
so every text is folded.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from paperfeed.arxiv_id import ArxivIdError, abs_url, parse_ref, pdf_url
from paperfeed.importers import Failed, Found, Result, fold, tags, web_address
from paperfeed.importers.http import Client, FetchError

API = "https://huggingface.co/api"


def new_client() -> Client:
    """A client that waits out outages; Hugging Face states no pace for its API."""
    return Client()


def fetch_paper(arxiv_id: str, client: Client, api: str = API) -> Result:
    """The paper Hugging Face lists under `arxiv_id`, or why there is none."""
    url = f"{api}/papers/{quote(arxiv_id, safe='/')}"
    try:
        data = _get(url, client, "not on Hugging Face papers: add it without --from-hf")
    except _NoData as e:
        return Failed(arxiv_id, str(e))
    return _result(arxiv_id, data, None)


def fetch_daily(day: date, client: Client, api: str = API) -> list[Result]:
    """Every paper of one day's listing, in the listing's order."""
    ref = f"daily papers of {day.isoformat()}"
    url = f"{api}/daily_papers?{urlencode({'date': day.isoformat()})}"
    try:
        data = _get(url, client, "Hugging Face has no listing for that day")
    except _NoData as e:
        return [Failed(ref, str(e))]
    if not isinstance(data, list):
        return [Failed(ref, "the Hugging Face API answered something that is not a listing")]
    results: list[Result] = []
    for number, item in enumerate(data, start=1):
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict):
            results.append(Failed(f"{ref}, item {number}", "has no paper in it"))
            continue
        results.append(_result(str(paper.get("id", f"{ref}, item {number}")), paper, item))
    return results


class _NoData(Exception):
    """Why an API call gave nothing to read, in words for the user."""


def _get(url: str, client: Client, not_found: str) -> Any:
    """The decoded JSON at `url`; `not_found` is what a 404 means there."""
    try:
        reply = client.get(url, accept="application/json")
    except FetchError as e:
        raise _NoData(f"the Hugging Face API cannot be reached: {e}") from None
    if reply.status == 404:
        raise _NoData(not_found)
    if reply.status != 200:
        raise _NoData(f"the Hugging Face API answered HTTP {reply.status}")
    try:
        return json.loads(reply.body)
    except ValueError:
        raise _NoData("the Hugging Face API answered something that is not JSON") from None


def _result(ref: str, paper: Any, item: dict[str, Any] | None) -> Result:
    """The entry fields of one HF paper object (and its daily-listing item, if any)."""
    if not isinstance(paper, dict):
        return Failed(ref, "the Hugging Face API answered something that is not a paper")
    try:
        arxiv_id = parse_ref(str(paper.get("id", "")))
    except ArxivIdError as e:
        return Failed(ref, f"Hugging Face lists it under an id that is not arXiv's: {e}")
    authors = []
    for number, author in enumerate(paper.get("authors") or [], start=1):
        # A "hidden" author is only unlinked from an HF account: still an author.
        user = author.get("user") if isinstance(author, dict) else None
        name = author.get("name") if isinstance(author, dict) else None
        name = name or (user.get("fullname") if isinstance(user, dict) else None)
        if not isinstance(name, str) or not name.strip():
            return Failed(ref, f"author {number} has no name on Hugging Face")
        authors.append(fold(name))
    links = {
        "arxiv": abs_url(arxiv_id),
        "pdf": pdf_url(arxiv_id),
        "code": web_address(paper.get("githubRepo")),
        "project": web_address(paper.get("projectPage")),
        "hf": f"https://huggingface.co/papers/{arxiv_id}",
    }
    fields: dict[str, Any] = {
        "arxiv": arxiv_id,
        "title": _text(paper.get("title")),
        "authors": authors,
        "abstract": _text(paper.get("summary")),
        "published": _text(paper.get("publishedAt"))[:10],
        "links": {kind: url for kind, url in links.items() if url},
    }
    keywords = paper.get("ai_keywords")
    if isinstance(keywords, list):
        fields["tags"] = tags([k for k in keywords if isinstance(k, str)])
    upvotes = paper.get("upvotes")
    if isinstance(upvotes, int) and not isinstance(upvotes, bool):
        fields["upvotes"] = upvotes
    thumbnail = web_address((item or {}).get("thumbnail"))
    if thumbnail:
        fields["thumbnail"] = thumbnail
    return Found(arxiv_id, fields)


def _text(value: Any) -> str:
    return fold(value) if isinstance(value, str) else ""
