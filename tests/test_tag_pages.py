"""A tag's papers over numbered pages (listing_page_size), as a reader pages through
them: the newest first, the older ones on /tags/<tag>/page/2/ ..."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from posixpath import normpath
from urllib.parse import urljoin

import pytest

from conftest import Site, built_with_and_without, entry, text_of, write_entry
from paperfeed import urls
from paperfeed.pages import TagShown, tag_pages
from paperfeed.plugin import chrome

BASE = "https://feeds.example.org/lab/"
PAGES = ["tags/t/", "tags/t/page/2/", "tags/t/page/3/"]


def add_papers(site: Site, count: int = 7) -> None:
    """p1 ... p7, one a day: p7 is the newest."""
    for i in range(1, count + 1):
        site.add(id=f"p{i}", title=f"Paper {i}", added=f"2024-11-{i:02d}", tags=["t"])


def card_titles(html: str) -> list[str]:
    return re.findall(r'class="pf-card__title"[^>]*>(?:<a [^>]+>)?([^<]+)<', html)


def row_titles(html: str) -> list[str]:
    return re.findall(r'<a class="pf-row__title" href="[^"]+">([^<]+)<', html)


def titles(html: str) -> list[str]:
    """The papers a tag page lists, in cards or in rows."""
    return card_titles(html) + row_titles(html)


def pager(html: str) -> str:
    found = re.findall(r'<nav class="pf-pager pf-pages".*?</nav>', html, re.S)
    assert len(found) == 2  # above the cards and below them, alike
    assert found[0] == found[1]
    return found[0]


def resolve(page: str, href: str) -> str:
    """The site path a relative link on the page at `page` goes to."""
    return normpath(urljoin(f"/{page}", href)).lstrip("/") + "/"


@pytest.fixture
def paged(site: Site) -> Site:
    add_papers(site)
    site.plugin_options["listing_page_size"] = 3
    site.build()
    return site


def test_a_tag_is_listed_newest_first_over_numbered_pages(paged: Site) -> None:
    shown = [titles(paged.html(page)) for page in PAGES]
    assert shown == [
        ["Paper 7", "Paper 6", "Paper 5"],
        ["Paper 4", "Paper 3", "Paper 2"],
        ["Paper 1"],
    ]
    assert not (paged.site_dir / "tags/t/page/4").exists()
    assert not (paged.site_dir / "tags/t/page/1").exists()  # page 1 is the tag's page
    for number, page in enumerate(PAGES, 1):
        assert f"7 papers · page {number} of 3" in text_of(paged.html(page))


def test_the_pager_links_newer_older_and_every_page_by_number(paged: Site) -> None:
    for number, page in enumerate(PAGES, 1):
        nav = pager(paged.html(page))
        links = dict(re.findall(r'<a (?:class="[^"]*" )?(?:rel="(\w+)" )?href="([^"]+)"', nav))
        assert {rel: resolve(page, href) for rel, href in links.items() if rel} == {
            **({"prev": PAGES[number - 2]} if number > 1 else {}),
            **({"next": PAGES[number]} if number < 3 else {}),
        }
        numbered = re.findall(r'<li><a href="([^"]+)">(\d)</a></li>', nav)
        assert {int(n): resolve(page, href) for href, n in numbered} == {
            n: PAGES[n - 1] for n in (1, 2, 3) if n != number
        }
        assert f'<span aria-current="page">{number}</span>' in nav
        for href, _ in numbered:
            assert (paged.site_dir / resolve(page, href) / "index.html").is_file()


def test_each_page_has_its_own_title_and_address_and_the_tags_feeds(paged: Site) -> None:
    for number, page in enumerate(PAGES, 1):
        html = paged.html(page)
        title = "Tag: t" if number == 1 else f"Tag: t · page {number}"
        assert f"<title>{title} - Lab Feed</title>" in html
        assert f'<link rel="canonical" href="{BASE}{page}">' in html
        feeds = re.findall(
            r'<link rel="alternate" type="application/\w+\+xml"[^>]*href="([^"]+)"', html
        )
        assert {urljoin(BASE + page, href) for href in feeds} >= {
            f"{BASE}tags/t/feed.xml",
            f"{BASE}tags/t/atom.xml",
        }
        assert "data-pagefind-body" not in html  # listings are not searched
        assert "data-pf-new" in html  # "new since your last visit" marks their papers
    sitemap = paged.read("sitemap.xml")
    assert all(f"<loc>{BASE}{page}</loc>" in sitemap for page in PAGES)


@pytest.mark.parametrize("size", [0, None])
def test_one_page_lists_them_all_unpaginated_or_within_the_size(
    site: Site, size: int | None
) -> None:
    add_papers(site)
    if size is not None:
        site.plugin_options["listing_page_size"] = size  # else the default, 50
    site.build()
    html = site.html("tags/t/")
    assert card_titles(html) == [f"Paper {i}" for i in range(7, 0, -1)]
    assert "pf-pages" not in html
    assert "page 1 of" not in text_of(html)
    assert not (site.site_dir / "tags/t/page").exists()


def test_a_tag_longer_than_a_page_is_listed_in_rows_and_a_short_one_in_cards(
    paged: Site,
) -> None:
    # rows are a third of a card's bytes: at 100,000 papers the big tags' pages are
    # most of the listings, and a reader paging through them scans titles
    paged.add(id="s1", title="Short One", added="2024-11-09", tags=["short"])
    paged.build()
    for page in PAGES:
        html = paged.html(page)
        assert card_titles(html) == []
        assert row_titles(html)
        assert "data-pf-added=" in html  # "new since your last visit" still marks them
    short = paged.html("tags/short/")
    assert card_titles(short) == ["Short One"] and row_titles(short) == []


def test_the_pages_are_cut_as_the_template_cuts_them() -> None:
    assert list(tag_pages("t", 7, 3)) == [TagShown("t", n, 3, 3, 7) for n in (1, 2, 3)]
    assert list(tag_pages("t", 6, 3)) == [TagShown("t", n, 2, 3, 6) for n in (1, 2)]
    assert list(tag_pages("t", 7, 0)) == [TagShown("t", 1, 1, 0, 7)]
    assert list(tag_pages("t", 7, -1)) == [TagShown("t", 1, 1, 0, 7)]
    assert TagShown("t", 2, 3, 3, 7).shown(tuple("7654321")) == tuple("432")
    assert TagShown("t", 3, 3, 3, 7).shown(tuple("7654321")) == ("1",)
    assert TagShown("t", 1, 1, 0, 2).shown(tuple("21")) == ("2", "1")
    assert urls.tag_page_path("t", 1) == "tags/t/"
    assert urls.tag_page_path("t", 2) == "tags/t/page/2/"
    assert urls.source_of(urls.tag_page_path("t", 2)) == "tags/t/page/2.md"


def stamps(site: Site) -> dict[str, tuple[int, int]]:
    """Each tag page's inode and modification time: a kept file keeps both."""
    return {
        page: (p.stat().st_ino, p.stat().st_mtime_ns)
        for page in PAGES
        for p in [site.site_dir / page / "index.html"]
        if p.exists()
    }


def test_a_new_paper_moves_every_page_down_one_as_a_fresh_build_does(tmp_path: Path) -> None:
    rebuilt, fresh = Site(tmp_path / "rebuilt"), Site(tmp_path / "fresh")
    for site in (rebuilt, fresh):
        site.plugin_options["listing_page_size"] = 3
    add_papers(rebuilt)
    rebuilt.build()
    rebuilt.add(id="p8", title="Paper 8", added="2024-11-08", tags=["t"])
    rebuilt.build()
    assert [titles(rebuilt.html(page)) for page in PAGES] == [
        ["Paper 8", "Paper 7", "Paper 6"],
        ["Paper 5", "Paper 4", "Paper 3"],
        ["Paper 2", "Paper 1"],
    ]
    assert "8 papers · page 3 of 3" in text_of(rebuilt.html(PAGES[2]))
    shutil.copytree(rebuilt.papers, fresh.papers, dirs_exist_ok=True)
    fresh.build()
    assert rebuilt.files() == fresh.files()


@pytest.mark.parametrize(("edited", "changed"), [(1, PAGES[2]), (6, PAGES[0])])
def test_an_edited_paper_makes_only_its_own_page_again(
    paged: Site, edited: int, changed: str
) -> None:
    before = stamps(paged)
    fields = entry(id=f"p{edited}", title="Retitled", added=f"2024-11-{edited:02d}", tags=["t"])
    write_entry(paged.papers, fields, f"p{edited}.yaml")
    paged.build()
    after = stamps(paged)
    assert [page for page in PAGES if after[page] != before[page]] == [changed]
    assert "Retitled" in titles(paged.html(changed))


def test_the_pages_of_two_tags_render_alike_with_the_chrome_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tags/t/page/2/ and tags/u/page/2/ are alike but for the tag's feeds, which the
    # copied chrome must not carry from one to the other
    def make(name: str) -> Site:
        site = Site(tmp_path / name)
        site.plugin_options["listing_page_size"] = 2
        for i in range(1, 8):
            tags = ["t"] if i % 2 else ["t", "u"]
            site.add(id=f"p{i}", title=f"Paper {i}", added=f"2024-11-{i:02d}", tags=tags)
        return site

    cached, rendered, caches = built_with_and_without(monkeypatch, chrome, "chrome", make)
    files, expected = cached.files(), rendered.files()
    assert "tags/u/page/2/index.html" in files
    assert files.keys() == expected.keys()
    assert [path for path in files if files[path] != expected[path]] == []
    assert caches[0].copied > 0
