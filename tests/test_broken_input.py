"""Broken entry files: each gets its exact message, and the good files beside it load.

Every case is a file's raw bytes and the problems it must produce, all in one run.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import Site
from paperfeed.errors import PaperfeedError, Problem
from paperfeed.load import load_entries

GOOD = b"id: good\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"


def with_fields(extra: bytes) -> bytes:
    return GOOD.replace(b"id: good\n", b"id: x\n") + extra


BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

CASES: dict[str, tuple[bytes, list[str]]] = {
    "syntax error with line and column": (
        b"id: x\ntitle: 'unclosed\nauthors: [A]\n",
        ["x.yaml:4: yaml: found unexpected end of stream (column 1): fix the YAML syntax"],
    ),
    "duplicate key": (
        with_fields(b"title: Again\n"),
        ["x.yaml:7: title: is given twice (first on line 2): keep one"],
    ),
    "duplicate nested key": (
        with_fields(b"links:\n  code: https://a.org\n  code: https://b.org\n"),
        ["x.yaml:9: links.code: is given twice (first on line 8): keep one"],
    ),
    "wrong type": (
        with_fields(b"upvotes: [1]\n"),
        ["x.yaml:7: upvotes: must be a whole number, not a list"],
    ),
    "impossible date": (
        GOOD.replace(b"published: 2024-01-01", b"published: 2024-02-30"),
        ["x.yaml:5: published: '2024-02-30' is not a real date: check the month and day"],
    ),
    "added in the future": (
        GOOD.replace(b"added: 2024-01-02", b"added: 2031-01-01"),
        ["x.yaml:6: added: '2031-01-01' is in the future: use the day it joins the feed"],
    ),
    "not UTF-8": (
        GOOD.replace(b"title: T", b"title: caf\xe9"),
        ["x.yaml:2: file: is not UTF-8 (byte 19): save it as UTF-8"],
    ),
    "byte-order mark": (
        b"\xef\xbb\xbf" + GOOD,
        ["x.yaml:1: file: starts with a byte-order mark: save it as UTF-8 without BOM"],
    ),
    # CRLF is read as LF (tests/test_hardening_input.py); a CR alone is still refused.
    "lone CR line end": (
        GOOD.replace(b"authors: [A]\n", b"authors: [A]\r"),
        [
            "x.yaml:3: file: has a carriage return (CR) without a line feed: "
            "save it with LF line ends"
        ],
    ),
    "list as a key": (
        with_fields(b"? [a, b]\n: c\n"),
        ["x.yaml:7: file: has a list as a key: a key is a name, as in `title: ...`"],
    ),
    "alias as a key": (
        with_fields(b"venue: &v V\n*v : 1\n"),
        ["x.yaml:8: file: uses a YAML alias (*name) as a key: write the key out"],
    ),
    "tagged key": (
        with_fields(b"!!python/name:os.system : 1\n"),
        [
            "x.yaml:7: '': has the YAML tag 'tag:yaml.org,2002:python/name:os.system': "
            "remove the tag"
        ],
    ),
    "key with a line break": (
        with_fields(b'"a\\nb": 1\n'),
        [
            "x.yaml:7: 'a\\nb': is not a field of a paper entry: allowed: id, title, authors, "
            "abstract, published, added, arxiv, doi, tags, links, venue, upvotes, submitted_by, "
            "summary, thumbnail"
        ],
    ),
    "tab": (
        with_fields(b"links:\n\tcode: https://a.org\n"),
        ["x.yaml:8: tab: at column 1: use spaces, not tabs"],
    ),
    "empty file": (b"", ["x.yaml:1: file: is empty: a paper entry is a mapping"]),
    "only a comment": (b"# nothing\n", ["x.yaml:1: file: is empty: a paper entry is a mapping"]),
    "a list": (
        b"- id: x\n",
        ["x.yaml:1: file: holds a list, not a mapping of fields: write `id: ...` etc."],
    ),
    "a single value": (
        b"just text\n",
        ["x.yaml:1: file: holds a single value, not a mapping of fields: write `id: ...` etc."],
    ),
    "id with a path": (
        GOOD.replace(b"id: good", b"id: ../../etc/passwd"),
        [
            "x.yaml:1: id: '../../etc/passwd' is not valid: use lowercase letters, digits, '.', "
            "'_' or '-', starting with a letter or digit"
        ],
    ),
    "id with a slash": (
        GOOD.replace(b"id: good", b"id: a/b"),
        [
            "x.yaml:1: id: 'a/b' is not valid: use lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        ],
    ),
    "id in uppercase": (
        GOOD.replace(b"id: good", b"id: Paper"),
        [
            "x.yaml:1: id: 'Paper' is not valid: use lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        ],
    ),
    "id with a Cyrillic look-alike": (
        GOOD.replace(b"id: good", "id: p\u0430per".encode()),
        [
            "x.yaml:1: id: 'p\u0430per' is not valid: use lowercase letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        ],
    ),
    "abstract too long": (
        GOOD.replace(b"abstract: B", b"abstract: " + b"word " * 4001),
        ["x.yaml:4: abstract: is 20004 characters long: the limit is 20000"],
    ),
    "control character": (
        GOOD.replace(b"title: T", b'title: "T\\x1b[31m"'),
        ["x.yaml:2: title: contains the control character U+001B at character 2: remove it"],
    ),
    "lone surrogate": (
        GOOD.replace(b"title: T", b'title: "T\\ud800"'),
        [
            "x.yaml:2: yaml: found invalid Unicode character escape code (column 12): fix the YAML "
            "syntax"
        ],
    ),
    "alias bomb": (
        BOMB,
        [
            f"x.yaml:{line}: {key}.{i}: uses a YAML alias (*name): write the value out"
            for line, key in enumerate("bcdefghi", start=2)
            for i in range(9)
        ],
    ),
    "python object tag": (
        with_fields(b"venue: !!python/object/apply:os.system ['echo hi']\n"),
        [
            "x.yaml:7: venue: has the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system':"
            " remove the tag"
        ],
    ),
    "float tag": (
        with_fields(b"upvotes: !!float 3\n"),
        ["x.yaml:7: upvotes: has the YAML tag 'tag:yaml.org,2002:float': remove the tag"],
    ),
    "duplicate tags": (
        with_fields(b"tags: [a, b, a]\n"),
        ["x.yaml:7: tags: lists 'a' more than once: keep one"],
    ),
}


def load(papers: Path) -> list[str]:
    now = datetime(2024, 11, 27, tzinfo=timezone.utc)
    with pytest.raises(PaperfeedError) as info:
        load_entries(papers, papers, now=now)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("raw, expected", CASES.values(), ids=CASES.keys())
def test_each_broken_file_gets_its_message(tmp_path: Path, raw: bytes, expected: list[str]):
    (tmp_path / "x.yaml").write_bytes(raw)
    (tmp_path / "good.yaml").write_bytes(GOOD)
    assert load(tmp_path) == sorted(expected)


def test_every_broken_file_is_reported_in_one_run_beside_good_ones(tmp_path: Path) -> None:
    for n, (raw, _) in enumerate(CASES.values()):
        (tmp_path / f"case{n:02d}.yaml").write_bytes(
            raw.replace(b"id: x\n", f"id: x{n}\n".encode())
        )
    (tmp_path / "good.yaml").write_bytes(GOOD)
    problems = load(tmp_path)
    failing_files = {p.split(":")[0] for p in problems}
    assert failing_files == {f"case{n:02d}.yaml" for n in range(len(CASES))}


def test_the_alias_bomb_is_refused_within_a_second(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_bytes(BOMB)
    start = time.perf_counter()
    load(tmp_path)
    assert time.perf_counter() - start < 1.0


def test_a_build_with_many_problems_shows_the_first_hundred(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    for i in range(150):
        site.add(id=f"p{i:03d}", upvotes=-1)
    with pytest.raises(Abort):
        site.build()
    assert "150 problem(s) in paper entries:" in caplog.text
    assert "papers/p099.yaml" in caplog.text and "papers/p100.yaml" not in caplog.text
    assert "... and 50 more: `paperfeed check` lists every one" in caplog.text


def test_the_report_of_many_problems_counts_the_rest() -> None:
    problems = [Problem(f"papers/p{i:03d}.yaml", 9, "upvotes", "is negative") for i in range(150)]
    report = PaperfeedError(problems).report(limit=100).splitlines()
    assert len(report) == 101
    assert report[-1] == "... and 50 more: `paperfeed check` lists every one"
    assert PaperfeedError(problems).report().count("\n") == 149
