"""The BibTeX importer: real-world BibTeX in, entry fields completed from arXiv out."""

from __future__ import annotations

from pathlib import Path

import pytest

from localserver import LocalServer, Reply, client, fixture
from paperfeed.importers import Failed, Found, bibtex

QUERY = "/api/query"


def cited() -> dict[str, bibtex.Cited]:
    entries, failed = bibtex.read(fixture("edge_cases.bib").decode())
    assert failed == []
    return {entry.key: entry for entry in entries}


def test_macros_concatenation_months_and_accents() -> None:
    entry = cited()["muller2021shrinking"]
    assert entry.fields == {
        "title": "Shrinking Nets by Half",
        "authors": ["Jörg Müller", "François Rémy"],
        "abstract": "We halve networks. It costs 85.1% of nothing, takes $O(n^2)$ time, and "
        "saves $35,000.",
        "published": "2021-03-09",  # month = mar, day = 9
        "venue": "Proceedings of the Workshop on Tiny Models",  # a macro built from macros
    }
    assert entry.arxiv is None


ARXIV_IDS = {
    "eprint with archivePrefix": ("eprint2023", "2303.01234"),
    "journal = {arXiv preprint arXiv:...}": ("journal2024", "2401.10215"),
    "url": ("url2019", "1901.00002"),
    "note, old style": ("note1999", "hep-th/9901001"),
    "none": ("noabstract2016", None),
}


@pytest.mark.parametrize("key, arxiv_id", ARXIV_IDS.values(), ids=ARXIV_IDS.keys())
def test_arxiv_ids_are_found_wherever_they_hide(key: str, arxiv_id: str | None) -> None:
    assert cited()[key].arxiv == arxiv_id


def test_field_names_are_case_insensitive_and_doi_links_are_doi() -> None:
    entry = cited()["Full:Key_2020"]
    assert entry.fields["doi"] == "10.1234/JoE.2020.7"
    assert entry.fields["title"] == "Complete Without arXiv"
    assert entry.fields["published"] == "2020-05-17"  # biblatex date


# (the fields of an @article, what read() makes of them)
VALUES = {
    "quoted # braced": ('title = "Tiny" # { Nets}', "title", "Tiny Nets"),
    "macro names ignore case": ('@string{Zz = "Zed"}\n', "title", "Zed"),
    "unknown macro stays its name": ("title = nowhere", "title", "nowhere"),
    "accents": (r"title = {Na{\"i}ve Caf{\'e}s}", "title", "Naïve Cafés"),
    "case protection": ("title = {{LLM}s and {B}ayes}", "title", "LLMs and Bayes"),
    "escaped quote in braces": (r'title = "Say {"}hi{"}"', "title", 'Say "hi"'),
    "others is no author": ("author = {Ng, Ann and others}", "authors", ["Ann Ng"]),
    "braced corporate name": ("author = {{Barnes and Noble}}", "authors", ["Barnes and Noble"]),
    "von and Jr": (
        "author = {de la Fontaine, Jr., Jean}",
        "authors",
        ["Jean de la Fontaine Jr."],
    ),
}


@pytest.mark.parametrize("text, field, value", VALUES.values(), ids=VALUES.keys())
def test_values_read_as_bibtex_means_them(text: str, field: str, value: object) -> None:
    if text.startswith("@string"):  # the macro, then a use of it in another case
        source = text + "@article{k, title = zZ}"
    else:
        source = f"@article{{k, {text}}}"
    (entry,), failed = bibtex.read(source)
    assert failed == []
    assert entry.fields[field] == value


@pytest.mark.parametrize(
    "date_fields, published, note",
    [
        ("year = 2021, month = mar, day = 9", "2021-03-09", ""),
        ('year = 2021, month = "March", day = {09}', "2021-03-09", ""),
        ("year = 2021, month = {3}, day = 9", "2021-03-09", ""),
        ("year = 2021, month = jul", None, "only the month 2021-07"),
        ("year = {2021}", None, "only the year 2021"),
        ("date = {2021-03}", None, "no year"),
    ],
)
def test_dates_need_year_month_and_day(date_fields: str, published: str | None, note: str) -> None:
    (entry,), _ = bibtex.read(f"@article{{k, {date_fields}}}")
    assert (entry.fields.get("published"), entry.date_note) == (published, note)


def test_entries_are_completed_from_arxiv_in_one_request(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_bib_completion.xml")))
    results = bibtex.import_text(fixture("edge_cases.bib").decode(), client(), server.url(QUERY))
    (request,) = server.requests
    assert request.query == {
        "id_list": "2303.01234,2401.10215,1901.00002,hep-th/9901001",
        "max_results": "4",
    }
    assert [(type(r).__name__, r.ref) for r in results] == [
        ("Found", "muller2021shrinking"),
        ("Found", "eprint2023"),
        ("Found", "journal2024"),
        ("Found", "url2019"),
        ("Found", "note1999"),
        ("Failed", "noabstract2016"),
        ("Found", "Full:Key_2020"),
    ]
    by_key = {r.ref: r for r in results}
    eprint = by_key["eprint2023"].fields
    # The bibliography's own title wins; arXiv gives what it lacks, and the date.
    assert eprint["title"] == "Counting with Eprints"
    assert eprint["abstract"] == "Eprints can be counted. We count them."
    assert (eprint["published"], eprint["arxiv"], eprint["tags"]) == (
        "2023-03-02",
        "2303.01234",
        ["cs-lg"],
    )
    # "and others" cut the list short: arXiv's is complete.
    assert by_key["journal2024"].fields["authors"] == [
        "Zoë Ångström",
        "Bram de Vries",
        "Chidi Okafor",
    ]
    assert str(by_key["noabstract2016"]) == (
        "noabstract2016: skipped: it has no abstract, no full date (only the year 2016), "
        "and no arXiv id to complete it from"
    )


@pytest.mark.parametrize(
    "reply, why",
    [
        (Reply(fixture("arxiv_empty.xml")), "2303.01234: not found on arXiv: check the id"),
        (Reply(b"", status=503), "2303.01234: the arXiv API cannot be reached: http://"),
    ],
    ids=["arXiv knows nothing", "arXiv is down"],
)
def test_without_arxiv_the_incomplete_entries_are_skipped_with_why(
    server: LocalServer, reply: Reply, why: str
) -> None:
    server.route(QUERY, reply)
    results = bibtex.import_text(fixture("edge_cases.bib").decode(), client(), server.url(QUERY))
    written = [r.ref for r in results if isinstance(r, Found)]
    assert written == ["muller2021shrinking", "Full:Key_2020"]
    skipped = {r.ref: r.reason for r in results if isinstance(r, Failed)}
    assert skipped["eprint2023"].startswith(
        "skipped: it has no abstract, no full date (only the year 2023), and arXiv could not "
        f"complete it ({why}"
    )


def test_blocks_that_cannot_be_read_are_reported_with_key_or_line() -> None:
    text = (
        "@article{same, title = {One}}\n"
        "@article{same, title = {Two}}\n"
        "@article{twice, title = {A}, title = {B}}\n"
        "@article{broken, title = {never closed\n"
    )
    entries, failed = bibtex.read(text)
    assert [e.key for e in entries] == ["same"]
    assert [str(f) for _, f in failed] == [
        "same: line 2: the key is used before, on line 1",
        "twice: line 3: gives title twice: keep one",
        "line 4: is not valid BibTeX: Unexpectedly reached end of file.",
    ]


def test_a_file_that_is_not_utf8_is_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes("@article{k, title = {Caf\xe9}}".encode("latin-1"))
    (result,) = bibtex.import_file(path, client(), "http://127.0.0.1:9/unused")
    assert str(result) == f"{path}: is not UTF-8 (byte 24): save it as UTF-8"
