"""The entry format: what is accepted, and the exact message for each kind of mistake."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from conftest import entry, write_entry, write_text
from paperfeed.errors import PaperfeedError
from paperfeed.load import load_papers


def problems(papers: Path) -> list[str]:
    with pytest.raises(PaperfeedError) as info:
        load_papers(papers, papers.parent)
    return [str(p) for p in info.value.problems]


def test_a_minimal_entry_loads(tmp_path: Path) -> None:
    write_entry(tmp_path / "papers", entry())
    (paper,) = load_papers(tmp_path / "papers").values()
    assert paper.id == "2401.00001"
    assert paper.published == date(2024, 1, 2)
    assert paper.added == date(2024, 11, 27)
    assert paper.tags == [] and paper.links == {} and paper.upvotes is None


def test_unquoted_arxiv_ids_keep_every_digit(tmp_path: Path) -> None:
    # As a YAML float, 2401.10210 would become 2401.1021.
    write_text(
        tmp_path / "papers/a.yaml",
        """
        id: 2401.10210
        arxiv: 2401.10210
        title: T
        authors: [A]
        abstract: B
        published: 2024-01-18
        added: 2024-11-27T09:30:00+01:00
        upvotes: 3
    """,
    )
    (paper,) = load_papers(tmp_path / "papers").values()
    assert paper.id == paper.arxiv == "2401.10210"
    assert paper.added == datetime.fromisoformat("2024-11-27T09:30:00+01:00")
    assert paper.day == date(2024, 11, 27)
    assert paper.added_at.astimezone(timezone.utc).hour == 8
    assert paper.upvotes == 3


def test_links_are_completed_from_arxiv_and_doi(tmp_path: Path) -> None:
    write_entry(
        tmp_path / "papers",
        entry(arxiv="hep-th/9901001", doi="10.1000/xyz", links={"code": "https://github.com/a/b"}),
    )
    (paper,) = load_papers(tmp_path / "papers").values()
    assert paper.resolved_links() == {
        "arxiv": "https://arxiv.org/abs/hep-th/9901001",
        "pdf": "https://arxiv.org/pdf/hep-th/9901001",
        "code": "https://github.com/a/b",
        "doi": "https://doi.org/10.1000/xyz",
    }


# Each case: the file's text, and the one message it must produce.
CASES = {
    "missing field": (
        "id: a\ntitle: T\nauthors: [A]\npublished: 2024-01-01\nadded: 2024-01-02\n",
        "papers/x.yaml:1: abstract: is required but missing: add a line `abstract: ...`",
    ),
    "unknown field with a suggestion": (
        "id: a\ntitle: T\nauthors: [A]\nabstact: B\npublished: 2024-01-01\n"
        "added: 2024-01-02\nabstract: B\n",
        "papers/x.yaml:4: abstact: is not a field of a paper entry: did you mean `abstract`?",
    ),
    "impossible date": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-02-30\nadded: 2024-01-02\n",
        "papers/x.yaml:5: published: '2024-02-30' is not a real date: check the month and day",
    ),
    "date in another form": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 12 March 2015\nadded: 2024-01-02\n",
        "papers/x.yaml:5: published: '12 March 2015' is not a date: write it as YYYY-MM-DD, "
        "e.g. 2024-11-27",
    ),
    "added without a zone": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\n"
        "added: 2024-01-02T10:00:00\n",
        "papers/x.yaml:6: added: '2024-01-02T10:00:00' has no time zone: add one, "
        "e.g. 2024-01-02T10:00:00Z for UTC",
    ),
    "wrong type": (
        "id: a\ntitle: T\nauthors: Ada Lovelace\nabstract: B\npublished: 2024-01-01\n"
        "added: 2024-01-02\n",
        "papers/x.yaml:3: authors: must be a list like [a, b], not text",
    ),
    "number where text is expected": (
        "id: 12345\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\n"
        "added: 2024-01-02\n",
        "papers/x.yaml:1: id: must be text, not a number (quote it)",
    ),
    "empty title": (
        "id: a\ntitle: '  '\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n",
        "papers/x.yaml:2: title: is empty: write a value or remove the line",
    ),
    "bad id": (
        "id: My Paper\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\n"
        "added: 2024-01-02\n",
        "papers/x.yaml:1: id: 'My Paper' is not valid: use lowercase letters, digits, '.', '_' "
        "or '-', starting with a letter or digit",
    ),
    "link that is not a web address": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"
        "links:\n  code: javascript:alert(1)\n",
        "papers/x.yaml:8: links.code: 'javascript:alert(1)' is not a web address: "
        "use a full https:// URL",
    ),
    "unknown link kind": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"
        "links:\n  slides: https://example.org/s.pdf\n",
        "papers/x.yaml:8: links.slides: is not a link kind: use one of arxiv, pdf, code, "
        "project, doi, video, data, hf",
    ),
    "negative upvotes": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"
        "upvotes: -2\n",
        "papers/x.yaml:7: upvotes: -2 is negative: use 0 or more",
    ),
    "bad tag": (
        "id: a\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"
        "tags: [ok, Face Recognition]\n",
        "papers/x.yaml:7: tags.1: 'Face Recognition' is not valid: use lowercase words joined "
        "by '-', e.g. face-recognition",
    ),
    "bad arxiv id": (
        "id: a\narxiv: arXiv:1234\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\n"
        "added: 2024-01-02\n",
        "papers/x.yaml:2: arxiv: 'arXiv:1234' is not valid: use an arXiv id such as 2401.10215, "
        "2401.10215v2 or hep-th/9901001",
    ),
    "duplicate key": (
        "id: a\ntitle: T\ntitle: U\nauthors: [A]\nabstract: B\npublished: 2024-01-01\n"
        "added: 2024-01-02\n",
        "papers/x.yaml:3: title: is given twice (first on line 2): keep one",
    ),
    "YAML syntax error": (
        "id: a\ntitle: [T\nauthors: [A]\n",
        "papers/x.yaml:3: yaml: did not find expected ',' or ']' (column 8): fix the YAML syntax",
    ),
    "empty file": ("", "papers/x.yaml:1: file: is empty: a paper entry is a mapping"),
    "a list, not a mapping": (
        "- id: a\n",
        "papers/x.yaml:1: file: holds a list, not a mapping of fields: write `id: ...` etc.",
    ),
}


@pytest.mark.parametrize("text, message", CASES.values(), ids=CASES.keys())
def test_each_mistake_gets_its_message(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers/x.yaml").write_text(text, encoding="utf-8")
    assert problems(tmp_path / "papers") == [message]


def test_every_problem_of_every_file_is_reported_in_one_run(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    write_entry(papers, entry(id="good"), "2024/good.yaml")
    write_entry(papers, entry(id="bad", upvotes=-1, tags=["X"]), "2024/bad.yaml")
    write_entry(papers, entry(id="good", title="Another"), "2025/again.yaml")
    (papers / "2025/latin1.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    assert problems(papers) == [
        "papers/2024/bad.yaml:9: upvotes: -1 is negative: use 0 or more",
        "papers/2024/bad.yaml:11: tags.0: 'X' is not valid: use lowercase words joined by '-', "
        "e.g. face-recognition",
        "papers/2025/again.yaml:1: id: 'good' is already used by papers/2024/good.yaml: "
        "ids must be unique",
        "papers/2025/latin1.yaml:1: file: is not UTF-8 (byte 10): save it as UTF-8",
    ]


def test_a_missing_papers_folder_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: papers_dir: is not a folder: create it or fix the path"
    ]
