"""Web addresses, and the paths of the site's own pages."""

from __future__ import annotations

import pytest

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
