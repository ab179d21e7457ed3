"""Properties over generated input: nothing is lost, and nothing but our error escapes.

Valid entries of any Unicode go YAML -> Paper -> front matter -> MkDocs page metadata
-> feeds and keep every field; arbitrary bytes given to the loader end in a Paper or a
PaperfeedError, never in another exception.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from paperfeed.catalog import Catalog
from paperfeed.convert import convert, from_front_matter, from_markdown, to_markdown
from paperfeed.entry import LINK_KINDS, Paper
from paperfeed.errors import PaperfeedError
from paperfeed.feeds import FeedSettings, render_feeds
from paperfeed.load import validate
from paperfeed.source import decode, parse

# What the format accepts in text: anything printable, of any script, but no controls,
# surrogates or non-characters, and no surrounding space (the loader trims it).
_ALLOWED = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff", codec="utf-8"
)


def text(max_size: int = 80) -> st.SearchStrategy[str]:
    return st.text(_ALLOWED, min_size=1, max_size=max_size).map(str.strip).filter(bool)


slug = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
tag = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
url = st.builds(lambda host, path: f"https://{host}.org/{path}", tag, slug)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2024, 11, 1))
added = st.one_of(
    days,
    st.builds(
        lambda d, minutes, offset: (
            datetime(d.year, d.month, d.day, tzinfo=timezone(timedelta(minutes=offset)))
            + timedelta(minutes=minutes)
        ),
        days,
        st.integers(0, 1439),
        st.integers(-720, 720).map(lambda m: m - m % 15),
    ),
)

entries = st.fixed_dictionaries(
    {
        "id": slug,
        "title": text(),
        "authors": st.lists(text(40), min_size=1, max_size=6),
        "abstract": st.lists(text(300), min_size=1, max_size=3).map("\n\n".join),
        "published": days,
        "added": added,
    },
    optional={
        "arxiv": st.from_regex(r"\d{4}\.\d{5}(v\d)?", fullmatch=True),
        "doi": st.from_regex(r"10\.\d{4,6}/[A-Za-z0-9._/-]{1,20}", fullmatch=True),
        "tags": st.lists(tag, max_size=4, unique=True),
        "links": st.dictionaries(st.sampled_from(LINK_KINDS), url, max_size=3),
        "venue": text(40),
        "upvotes": st.integers(0, 10**6),
        "submitted_by": text(20),
        "summary": text(120),
        "thumbnail": url,
    },
)


def as_yaml(fields: dict) -> str:
    plain = {k: v.isoformat() if isinstance(v, (date, datetime)) else v for k, v in fields.items()}
    return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries)
def test_every_field_survives_the_whole_way(fields: dict) -> None:
    paper = validate(parse(as_yaml(fields), "p.yaml"))
    assert paper.fields() == Paper.model_validate(fields).fields()

    page = to_markdown(paper, "papers/p.yaml")
    assert from_markdown(page) == paper
    body, meta = get_data(page)  # what MkDocs hands the templates as page.meta
    assert from_front_matter(meta) == paper
    # The engine is handed the front matter already parsed: it must be what the text says.
    converted = convert(paper, "papers/p.yaml")
    assert converted.text == page
    assert converted.front_matter() == meta
    assert converted.body == body

    feeds = render_feeds(Catalog({"p.yaml": paper}), FeedSettings("F", "https://x.org/"))
    item = ET.fromstring(feeds["feed.xml"]).find("channel/item")
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    assert item.findtext("title") == paper.title
    assert [e.text for e in item.findall(dc)] == paper.authors
    assert [e.text for e in item.findall("category")] == paper.tags

    atom = "{http://www.w3.org/2005/Atom}"
    entry = ET.fromstring(feeds["atom.xml"]).find(f"{atom}entry")
    assert entry.findtext(f"{atom}title") == paper.title
    assert [a.findtext(f"{atom}name") for a in entry.findall(f"{atom}author")] == paper.authors

    (json_item,) = json.loads(feeds["feed.json"])["items"]
    assert json_item["title"] == paper.title
    assert [a["name"] for a in json_item["authors"]] == paper.authors
    assert json_item.get("tags", []) == paper.tags
    assert datetime.fromisoformat(json_item["date_published"]) == paper.added_at


# Bytes that look like YAML reach deeper into the parser than uniform noise does.
yamlish = st.lists(
    st.sampled_from(
        [
            b"id: ",
            b"title: ",
            b"\n",
            b"  ",
            b"- ",
            b"[",
            b"]",
            b"{",
            b"}",
            b":",
            b"&a ",
            b"*a",
            b"!!",
            b'"',
            b"'",
            b"|",
            b">",
            b"#",
            b"\t",
            b"\r\n",
            b"\xef\xbb\xbf",
            b"\xff",
            b"2024-02-30",
            b"1e9",
            b"~",
            b"\\u0000",
            b"%YAML",
        ]
    )
    | st.binary(max_size=8),
    max_size=40,
).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=300), yamlish))
def test_arbitrary_bytes_raise_nothing_but_our_error(raw: bytes) -> None:
    try:
        validate(parse(decode(raw, "p.yaml"), "p.yaml"))
    except PaperfeedError as e:
        assert e.problems and all(
            re.match(r"p\.yaml(:\d+)?$", p.path + (f":{p.line}" if p.line else ""))
            for p in e.problems
        )
