"""arXiv ids: one definition of their form, their versions and their pages."""

from __future__ import annotations

import re

import pytest

from paperfeed import arxiv_id


@pytest.mark.parametrize(
    "text", ["2401.10215", "2410.17243v12", "hep-th/9901001", "math.GT/0309136v1"]
)
def test_the_pattern_takes_both_styles_with_or_without_version(text: str) -> None:
    assert re.fullmatch(arxiv_id.PATTERN, text)
    found = re.fullmatch(arxiv_id.ID, text)
    assert found and found["id"] + (found["version"] or "") == text


@pytest.mark.parametrize("text", ["2401.102", "HEP-TH/9901001", "2401.10215v", " 2401.10215"])
def test_the_pattern_refuses_what_is_no_id(text: str) -> None:
    assert not re.fullmatch(arxiv_id.PATTERN, text)


@pytest.mark.parametrize(
    "given, paper",
    [
        ("2401.10215v2", "2401.10215"),
        ("2401.10215", "2401.10215"),
        ("math.GT/0309136v10", "math.GT/0309136"),
    ],
)
def test_strip_version_names_the_paper(given: str, paper: str) -> None:
    assert arxiv_id.strip_version(given) == paper


def test_pages_on_arxiv() -> None:
    assert arxiv_id.abs_url("hep-th/9901001") == "https://arxiv.org/abs/hep-th/9901001"
    assert arxiv_id.pdf_url("2401.10215v2") == "https://arxiv.org/pdf/2401.10215v2"
