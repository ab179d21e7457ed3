"""Web addresses, and the paths of the site's own pages."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed import urls
from paperfeed.urls import is_web_url, paper_path, paper_source


@pytest.mark.parametrize(
    "text", ["https://example.org", "http://example.org/a?b#c", "HTTPS://EXAMPLE.ORG/"]
)
def test_web_addresses(text: str) -> None:
    assert is_web_url(text)


@pytest.mark.parametrize(
    "text",
    ["", "example.org", "https://", "ftp://example.org", "javascript:alert(1)", "http://[::1"],
)
def test_not_web_addresses(text: str) -> None:
    assert not is_web_url(text)


def test_schemes_can_be_narrowed() -> None:
    assert is_web_url("https://example.org", schemes=("https",))
    assert not is_web_url("http://example.org", schemes=("https",))


def test_paper_pages() -> None:
    assert paper_path("hep-th-9901001") == "papers/hep-th-9901001/"
    assert paper_source("2401.10215") == "papers/2401.10215.md"


@pytest.mark.parametrize(
    ("path", "source"),
    [
        (urls.HOME, "index.md"),
        (urls.day_path(date(2024, 11, 27)), "days/2024-11-27.md"),
        (urls.week_path("2024-W48"), "weeks/2024-W48.md"),
        (urls.month_path("2024-11"), "months/2024-11.md"),
        (urls.tag_path("nlp"), "tags/nlp.md"),
        (urls.TAGS_INDEX, "tags/index.md"),
        (urls.author_path("ada-lovelace"), "authors/ada-lovelace.md"),
        (urls.AUTHORS_INDEX, "authors/index.md"),
        (urls.CODE, "code/index.md"),
        (urls.TRENDING, "trending.md"),
        (urls.SUBSCRIBE, "subscribe.md"),
    ],
)
def test_each_page_has_one_path_and_one_source(path: str, source: str) -> None:
    # the sources are what mkdocs.yml's nav names; MkDocs serves each at its path
    assert urls.source_of(path) == source
    assert path == "" or path.endswith("/")


def test_an_author_without_a_page_is_an_entry_of_their_letters_page() -> None:
    assert urls.author_entry("ada-lovelace") == "authors/index/a/#pf-author-ada-lovelace"
    assert urls.author_entry("3m-lab") == "authors/index/3/#pf-author-3m-lab"
