"""The same paper entered twice under different ids: by arXiv id, DOI or title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import entry, write_entry
from paperfeed.duplicates import find_duplicates, normal_title
from paperfeed.entry import Entry, Paper
from paperfeed.errors import PaperfeedError
from paperfeed.load import load_entries


def duplicates(tmp_path: Path, *papers: dict[str, Any]) -> list[str]:
    """Write each paper as papers/<n>.yaml, in order, and load them: the problems found."""
    for number, fields in enumerate(papers, start=1):
        write_entry(tmp_path / "papers", fields, f"{number}.yaml")
    try:
        load_entries(tmp_path / "papers", tmp_path)
    except PaperfeedError as e:
        return [str(p) for p in e.problems]
    return []


def line(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if text.startswith(f"{key}:"))


CASES = {
    "arXiv id, versions aside": (
        {"arxiv": "2401.10215"},
        {"arxiv": "2401.10215v2"},
        "arxiv",
        "'2401.10215v2'",
    ),
    "old-style arXiv id": (
        {"arxiv": "hep-th/9901001v1"},
        {"arxiv": "hep-th/9901001"},
        "arxiv",
        "'hep-th/9901001'",
    ),
    "DOI, case aside": (
        {"doi": "10.1109/CVPR.2015.7298682"},
        {"doi": "10.1109/cvpr.2015.7298682"},
        "doi",
        "'10.1109/cvpr.2015.7298682'",
    ),
    "title, case punctuation and spacing aside": (
        {"title": "FaceNet: A Unified Embedding for Face Recognition"},
        {"title": "Facenet -- a unified  embedding for face recognition."},
        "title",
        "'Facenet -- a unified  embedding for face recognition.'",
    ),
    "title in full-width letters (NFKC)": (
        {"title": "ＦａｃｅＮｅｔ Ｅｍｂｅｄｄｉｎｇｓ"},
        {"title": "FaceNet Embeddings"},
        "title",
        "'FaceNet Embeddings'",
    ),
    "title with ß and ss (casefold)": (
        {"title": "Straße Networks"},
        {"title": "STRASSE networks"},
        "title",
        "'STRASSE networks'",
    ),
}


@pytest.mark.parametrize("first, second, field, shown", CASES.values(), ids=CASES.keys())
def test_the_later_file_is_reported_on_the_line_of_the_field(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any], field: str, shown: str
) -> None:
    second = {"title": "Another Paper", **second}
    found = duplicates(tmp_path, entry(id="a", **first), entry(id="b", **second))
    where = line(tmp_path / "papers/2.yaml", field)
    assert found == [
        f"papers/2.yaml:{where}: {field}: {shown} is already in papers/1.yaml: remove one of them"
    ]


DIFFERENT = {
    "other arXiv ids": ({"arxiv": "2401.10215"}, {"arxiv": "2401.10216"}),
    "other DOIs": ({"doi": "10.1000/a1"}, {"doi": "10.1000/a12"}),
    "a word more": ({"title": "Deep Residual Learning"}, {"title": "Deep Residual Learning II"}),
    "symbols count": ({"title": "Learning C"}, {"title": "Learning C++"}),
    "punctuation-only titles name nothing": ({"title": "?!"}, {"title": "!?"}),
}


@pytest.mark.parametrize("first, second", DIFFERENT.values(), ids=DIFFERENT.keys())
def test_different_papers_are_not_duplicates(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any]
) -> None:
    titles = {"title": "First"}, {"title": "Second"}
    a, b = {**titles[0], **first}, {**titles[1], **second}
    assert duplicates(tmp_path, entry(id="a", **a), entry(id="b", **b)) == []


def test_every_shared_field_is_reported_and_a_third_copy_names_the_first(tmp_path: Path) -> None:
    same = {"arxiv": "2401.10215", "doi": "10.1000/x", "title": "One Paper"}
    found = duplicates(
        tmp_path, entry(id="a", **same), entry(id="b", **same), entry(id="c", **same)
    )
    # problems come sorted by file and line: the title (line 2) before arxiv and doi
    assert sorted(problem.split(": ")[1] for problem in found) == sorted(
        ["arxiv", "doi", "title"] * 2
    )
    assert all("is already in papers/1.yaml" in problem for problem in found)
    assert [problem.split(":")[0] for problem in found] == ["papers/2.yaml"] * 3 + [
        "papers/3.yaml"
    ] * 3


@pytest.mark.parametrize(
    "title, normal",
    [
        ("Attention Is All You Need", "attention is all you need"),
        ("  U-Net:\tConvolutional\nNetworks ", "u net convolutional networks"),
        ("“Quoted” — and ‘dashed’", "quoted and dashed"),
        ("ＦａｃｅＮｅｔ", "facenet"),
        ("$O(n^2)$ attention", "$o n^2 $ attention"),
    ],
)
def test_normal_titles(title: str, normal: str) -> None:
    assert normal_title(title) == normal


def test_the_lines_come_with_the_entries_no_file_is_read_again() -> None:
    first = Entry("gone/1.yaml", Paper.model_validate(entry(id="a")), lines={"title": 2})
    second = Entry("gone/2.yaml", Paper.model_validate(entry(id="b")), lines={"title": 7})
    assert [str(p) for p in find_duplicates([first, second])] == [
        "gone/2.yaml:7: title: 'A Paper About Things' is already in gone/1.yaml: remove one of them"
    ]
