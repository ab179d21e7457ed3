"""The digest's HTML in headless Chromium, as a phone (375 px) and a desktop (1280 px)
mail client would show it: one readable column, nothing fetched, in light and dark.

Screenshots land in tests/artifacts/digest-*.png to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import chromium, serve
from conftest import REPO, Site
from paperfeed.catalog import Catalog
from paperfeed.digest import DigestSettings, Period, build_digest, render_html
from paperfeed.load import load_papers

ARTIFACTS = REPO / "tests" / "artifacts"
LONG_URL = "https://example.org/" + "a-very-long-path-segment" * 6


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A week's digest of ten papers (long titles, words and links included), served."""
    root = tmp_path_factory.mktemp("digest")
    site = Site(root)
    for n in range(12):
        site.add(
            id=f"2411.{n:05d}",
            arxiv=f"2411.{n:05d}",
            title=f"Scaling {'Supercalifragilistic' * (2 if n == 3 else 1)} Transformers "
            f"for Long-Context Retrieval, Part {n}",
            authors=[f"Author Number{a} Surname" for a in range(n % 7 + 1)],
            added=f"2024-11-{25 + n % 5}",
            upvotes=40 - n * 3,
            tags=["vision", "large-language-models", "retrieval"][: n % 4],
            links={"code": "https://github.com/example/repo"} if n % 2 else {},
            venue="NeurIPS 2024" if n % 3 == 0 else None,
            summary="We make attention linear in the context length." if n % 4 == 0 else None,
            abstract=f"We show that $O(n \\log n)$ attention suffices, see {LONG_URL}. " * 3,
        )
    catalog = Catalog(load_papers(site.papers, root))
    settings = DigestSettings(
        "Lab Feed", "https://feeds.example.org/lab/", unsubscribe_url="https://f.example.org/u"
    )
    made = build_digest(catalog, Period.parse("week", "2024-W48"), settings)
    page = root / "served" / "digest.html"
    page.parent.mkdir()
    page.write_text(render_html(made, "ada@example.org"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(page.parent) as base:
        yield base + "digest.html"


def open_page(browser: Any, url: str, width: int, scheme: str) -> tuple[Any, list[str]]:
    """The digest in a new page; the second item lists every request that left it."""
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    outside: list[str] = []

    def only_the_page(route: Any, request: Any) -> None:
        if request.url == url:
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    page.route("**/*", only_the_page)
    page.goto(url)
    return page, outside


@pytest.mark.parametrize(
    ("width", "scheme"), [(375, "light"), (375, "dark"), (1280, "light"), (1280, "dark")]
)
def test_the_digest_reads_well_at_phone_and_desktop_width(
    served: str, width: int, scheme: str
) -> None:
    with chromium() as browser:
        page, outside = open_page(browser, served, width, scheme)
        page.screenshot(path=str(ARTIFACTS / f"digest-{width}-{scheme}.png"), full_page=True)
        # one column, never wider than the screen, never wider than 600 px
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        column = page.evaluate(
            "document.querySelector('table.pf-mail').getBoundingClientRect().width"
        )
        assert column <= min(600, width)
        assert page.locator("h2 a").count() == 10
        assert page.locator("h1").inner_text().startswith("Top papers of week 48 of 2024")
        # the dark scheme changes the colours; the light one is the inline look
        background = page.evaluate(
            "getComputedStyle(document.querySelector('table.pf-mail')).backgroundColor"
        )
        assert background == ("rgb(22, 27, 34)" if scheme == "dark" else "rgb(255, 255, 255)")
        # no element sticks out of the viewport (a long URL or word wraps)
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('body *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= width
    assert outside == []


def test_nothing_is_fetched_from_a_file_url_either(served: str, tmp_path: Path) -> None:
    # as a mail client opens it: no base, nothing but the document itself
    html_path = tmp_path / "digest.html"
    from urllib.request import urlopen

    with urlopen(served) as response:  # noqa: S310 - our own 127.0.0.1 server
        html_path.write_bytes(response.read())
    with chromium() as browser:
        page, outside = open_page(browser, html_path.as_uri(), 375, "light")
        assert page.locator("h2 a").count() == 10
    assert outside == []
