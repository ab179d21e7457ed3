"""Ids and anchors made from data carry a prefix by kind (pf-author-, pf-tag-,
pf-month-), so a crafted name cannot make an id the page has already; and every
fragment link of the built site points to an id of its target page."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from conftest import Site
from paperfeed import urls
from paperfeed.authors import author_slug

SITE_URL = "https://feeds.example.org/lab/"
HOSTILE_AUTHORS = ["Search", "__proto__", "md-content"]
# Ids that Material's own markup and scripts look up: none may come from data.
MATERIAL_IDS = {"__search", "search", "__drawer", "__skip", "md-content", "__proto__"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.refs: list[str] = []  # ids named by for= and aria-labelledby=

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and "href" in values:
            self.hrefs.append(values["href"])
        if tag == "label" and "for" in values:
            self.refs.append(values["for"])
        self.refs.extend(values.get("aria-labelledby", "").split())


def _pages(site_dir: Path) -> dict[str, _Page]:
    """Every built HTML page, by its address under the site's root ("" for home).

    The search box is not a page: search.js puts it into every page's frame, so each page
    is read with it in.
    """
    box = (site_dir / "assets/javascripts/search-box.html").read_text(encoding="utf-8")
    pages = {}
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir)
        if rel.parts[0] in ("pagefind", "assets"):
            continue
        address = rel.as_posix()
        address = address[: -len("index.html")] if address.endswith("index.html") else address
        page = _Page()
        page.feed(path.read_text(encoding="utf-8") + box)
        pages[address] = page
    return pages


def _build(site: Site, authors: list[str], tag: str) -> dict[str, _Page]:
    site.site_url = SITE_URL
    # Two papers with every author: pages for some, an index entry for the rest.
    site.add(id="2401.00001", title="Alpha", authors=authors, tags=[tag], added="2024-11-27")
    site.add(id="2401.00002", title="Beta", authors=authors[:1], tags=[tag], added="2024-10-03")
    site.plugin_options = {"author_pages_min_papers": 2}
    site.build()
    return _pages(site.site_dir)


def _unprefixed(pages: dict[str, _Page]) -> set[str]:
    return {i for page in pages.values() for i in page.ids if not i.startswith("pf-")}


def test_ids_from_names_tags_and_months_carry_a_prefix(tmp_path: Path) -> None:
    hostile = _build(Site(tmp_path / "hostile"), HOSTILE_AUTHORS, "search")
    control = _build(Site(tmp_path / "control"), ["Ada Lovelace", "Alan Turing"], "graphs")

    # Every id without the prefix is the theme's own: the same whatever the data.
    assert _unprefixed(hostile) == _unprefixed(control)

    # the authors with a page on the index, the others on their letter's page
    index = [
        i
        for address, page in hostile.items()
        if address.startswith("authors/index/")
        for i in page.ids
    ]
    index += hostile["authors/"].ids
    for name in HOSTILE_AUTHORS:
        slug = author_slug(name)
        assert urls.author_anchor(slug) == f"pf-author-{slug}"
        assert f"pf-author-{slug}" in index
    assert "pf-tag-search" in hostile["tags/"].ids
    assert {"pf-month-2024-11", "pf-month-2024-10"} <= set(hostile["archive/"].ids)

    # No id the data made is one Material uses, and none appears twice on a page.
    for address, page in hostile.items():
        data_ids = set(page.ids) - _unprefixed(control)
        assert not data_ids & MATERIAL_IDS, address
        twice = [i for i, n in Counter(page.ids).items() if n > 1]
        assert not twice, (address, twice)


def test_every_fragment_link_points_to_an_id_of_its_page(tmp_path: Path) -> None:
    pages = _build(Site(tmp_path), HOSTILE_AUTHORS, "search")
    # The pageless authors' links from the paper page are among those checked.
    paper = pages[urls.paper_path("2401.00001")]
    assert "../../authors/index/m/#pf-author-md-content" in paper.hrefs
    assert f"../../{urls.author_entry(author_slug('__proto__'))}" in paper.hrefs

    checked = 0
    for address, page in pages.items():
        for ref in page.refs:
            assert ref in page.ids, (address, ref)
        for href in page.hrefs:
            target = urljoin(SITE_URL + address, href)
            parts = urlsplit(target)
            if not parts.fragment or not target.startswith(SITE_URL):
                continue
            where = parts._replace(fragment="").geturl()[len(SITE_URL) :]
            assert where in pages, (address, href)
            assert unquote(parts.fragment) in pages[where].ids, (address, href)
            checked += 1
    assert checked >= 2
