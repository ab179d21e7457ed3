"""Links that entries bring (code, project, data, ... and URLs in the abstract) carry
rel="nofollow ugc noopener" (issue 19): they come from contributors, and the site must
neither vouch for them to search engines nor give them a handle on the opening page.
"""

from __future__ import annotations

import lxml.html
import pytest

from conftest import Site

ENTRY_LINKS = {
    "code": "https://github.com/example/code",
    "project": "https://project.example.org/",
    "data": "https://data.example.org/set",
    "video": "https://video.example.org/talk",
}
IN_ABSTRACT = "https://abstract-link.example.org/more"
WANTED = {"nofollow", "ugc", "noopener"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("rel"))
    site.add(
        id="2401.00001",
        arxiv="2401.00001",
        links=ENTRY_LINKS,
        abstract=f"We study things. The details are at {IN_ABSTRACT} for all.",
    )
    site.build()
    return site


@pytest.mark.parametrize("page", ["papers/2401.00001", "", "code"])
def test_every_link_an_entry_brings_is_nofollow_ugc_noopener(built: Site, page: str) -> None:
    html = lxml.html.fromstring(built.html(page))
    wanted = set(ENTRY_LINKS.values()) | ({IN_ABSTRACT} if page.startswith("papers/") else set())
    found = {a.get("href"): set((a.get("rel") or "").split()) for a in html.iter("a")}
    assert wanted <= set(found), sorted(found)
    missing = {href: sorted(WANTED - found[href]) for href in wanted if WANTED - found[href]}
    assert missing == {}
