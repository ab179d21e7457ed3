"""The authors without a page of their own are listed a letter a page
(/authors/index/<letter>/): at 100,000 papers they are a quarter of a million, and one
page of them all (69.5 MB) is no page a browser opens."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import Site, entry, write_entry
from paperfeed.catalog import Catalog
from paperfeed.fingerprint import Fingerprints
from paperfeed.load import load_papers
from paperfeed.pages import AuthorsLetterShown, site_pages

SITE_URL = "https://feeds.example.org/lab/"
AUTHORS = ["Ada Lovelace", "Alan Turing", "Émile Borel", "3M Lab", "Edsger Dijkstra"]


def write_feed(site: Site) -> None:
    """Ada Lovelace on two papers, the others on one."""
    site.site_url = SITE_URL
    site.add(id="a", title="Alpha", authors=AUTHORS, added="2024-11-27")
    site.add(id="b", title="Beta", authors=["Ada Lovelace", "Alan Turing"], added="2024-11-26")
    site.add(id="c", title="Gamma", authors=["Ada Lovelace"], added="2024-11-25")
    site.plugin_options = {"author_pages_min_papers": 3}


@pytest.fixture
def built(site: Site) -> Site:
    write_feed(site)
    site.build()
    return site


def letter_folders(site: Site) -> list[str]:
    return sorted(p.name for p in (site.site_dir / "authors/index").iterdir())


def test_a_pageless_author_is_on_their_letters_page_with_their_papers(built: Site) -> None:
    assert not (built.site_dir / "authors/alan-turing").exists()
    letter = built.html("authors/index/a/")
    entry_html = re.search(r'<li id="pf-author-alan-turing">Alan Turing:.*?</li>', letter, re.S)
    assert entry_html is not None
    assert re.findall(r'href="([^"]+)">([^<]+)</a>', entry_html.group(0)) == [
        ("../../../papers/a/", "Alpha"),
        ("../../../papers/b/", "Beta"),
    ]
    assert 'href="../../../authors/"' in letter  # back to the index
    assert 'href="../../../authors/index/e/"' in letter  # and to the other letters
    assert "Ada Lovelace" not in letter  # she has a page, listed on the index


def test_the_paper_page_links_to_the_entry_on_the_letters_page(built: Site) -> None:
    paper = built.html("papers/b/")
    href = "../../authors/index/a/#pf-author-alan-turing"
    assert f'<a href="{href}">Alan Turing</a>' in paper
    assert '<a href="../../authors/ada-lovelace/">Ada Lovelace</a>' in paper
    target = urlsplit(urljoin(f"{SITE_URL}papers/b/", href))
    file = built.site_dir / target.path[len(urlsplit(SITE_URL).path) :] / "index.html"
    assert f'id="{target.fragment}"' in file.read_text(encoding="utf-8")


def test_the_index_lists_authors_with_a_page_and_links_the_letters(built: Site) -> None:
    index = built.html("authors/")
    ada = '<a href="../authors/ada-lovelace/">Ada Lovelace</a> <span class="pf-count">3</span>'
    assert ada in index
    assert "5 authors" in index
    letters = re.findall(
        r'<a href="\.\./authors/index/([a-z0-9])/">([^<]+)</a> <span class="pf-count">(\d+)</span>',
        index,
    )
    assert letters == [("3", "3", "1"), ("a", "A", "1"), ("e", "E", "2")]
    assert "Authors with fewer than 3 papers" in index
    # none of the pageless authors, nor their papers
    assert "pf-author-alan-turing" not in index and "Alan Turing" not in index
    assert 'href="../papers/' not in index


def test_a_slug_starting_with_a_digit_or_an_accent_goes_to_its_letter(built: Site) -> None:
    assert letter_folders(built) == ["3", "a", "e"]
    assert '<li id="pf-author-3m-lab">3M Lab:' in built.html("authors/index/3/")
    e = built.html("authors/index/e/")
    assert '<li id="pf-author-emile-borel">Émile Borel:' in e
    assert '<li id="pf-author-edsger-dijkstra">Edsger Dijkstra:' in e
    paper = built.html("papers/a/")
    assert '<a href="../../authors/index/e/#pf-author-emile-borel">Émile Borel</a>' in paper
    assert '<a href="../../authors/index/3/#pf-author-3m-lab">3M Lab</a>' in paper


def test_a_feed_where_every_author_has_a_page_has_no_letter_pages(site: Site) -> None:
    site.add(id="a", title="Alpha", authors=["Ada Lovelace", "Alan Turing"])
    site.build()
    assert not (site.site_dir / "authors/index").exists()
    index = site.html("authors/")
    assert "pf-authors-letters" not in index and "fewer than" not in index
    assert '<a href="../authors/alan-turing/">Alan Turing</a>' in index


def test_a_rebuild_makes_again_the_letter_page_whose_authors_changed(site: Site) -> None:
    write_feed(site)
    site.build()
    pages = {c: site.site_dir / f"authors/index/{c}/index.html" for c in ("3", "a", "e")}
    before = {c: p.stat().st_ino for c, p in pages.items()}
    # a paper by Alan Turing (a) and no one else without a page
    write_entry(
        site.papers,
        entry(
            id="b",
            title="Beta Revised",
            authors=["Ada Lovelace", "Alan Turing"],
            added="2024-11-26",
        ),
        "b.yaml",
    )
    site.build()
    after = {c: p.stat().st_ino for c, p in pages.items()}
    assert "Beta Revised" in site.html("authors/index/a/")
    assert after["a"] != before["a"]
    assert after["e"] == before["e"] and after["3"] == before["3"]


# -- the catalog's part, and the pages' -----------------------------------------


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    papers = tmp_path / "papers"
    write_entry(papers, entry(id="a", title="Alpha", authors=AUTHORS, added="2024-11-27"))
    write_entry(
        papers,
        entry(id="b", title="Beta", authors=["Ada Lovelace", "Alan Turing"], added="2024-11-26"),
    )
    write_entry(papers, entry(id="c", title="Gamma", authors=["Ada Lovelace"], added="2024-11-25"))
    return Catalog(load_papers(papers, tmp_path))


def test_the_catalog_splits_the_authors_once_by_the_minimum(catalog: Catalog) -> None:
    assert catalog.authors_with_page(3) == (("ada-lovelace", "Ada Lovelace", 3),)
    assert catalog.pageless_letters(3) == (("3", 1), ("a", 1), ("e", 2))
    # by name, as catalog.authors orders them
    assert [name for _, name, _ in catalog.authors_from("e", 3)] == [
        "Edsger Dijkstra",
        "Émile Borel",
    ]
    assert catalog.authors_from("z", 3) == ()
    assert catalog.authors_from("e", 3) is catalog.authors_from("e", 3)  # split once
    assert catalog.pageless_letters(1) == () and len(catalog.authors_with_page(1)) == 5
    # each minimum its own split
    assert [name for _, name, _ in catalog.authors_from("a", 4)] == ["Ada Lovelace", "Alan Turing"]


def test_site_pages_have_a_page_per_letter_with_pageless_authors(catalog: Catalog) -> None:
    letters = [
        p for p in site_pages(catalog, author_min=3) if isinstance(p.shows, AuthorsLetterShown)
    ]
    assert [p.uri for p in letters] == [
        "authors/index/3.md",
        "authors/index/a.md",
        "authors/index/e.md",
    ]
    assert [str(p.updated) for p in letters] == ["2024-11-27"] * 3
    assert not any(isinstance(p.shows, AuthorsLetterShown) for p in site_pages(catalog))


def test_a_letter_pages_fingerprint_follows_its_authors(tmp_path: Path, catalog: Catalog) -> None:
    def fingerprints(catalog: Catalog) -> dict[str, str]:
        prints = Fingerprints(catalog, "key", set())
        return {
            p.uri: prints.of(p)
            for p in site_pages(catalog, author_min=3)
            if isinstance(p.shows, AuthorsLetterShown)
        }

    before = fingerprints(catalog)
    assert fingerprints(catalog) == before
    papers = tmp_path / "papers"
    write_entry(
        papers,
        entry(
            id="b", title="Retitled", authors=["Ada Lovelace", "Alan Turing"], added="2024-11-26"
        ),
    )
    after = fingerprints(Catalog(load_papers(papers, tmp_path)))
    assert after["authors/index/a.md"] != before["authors/index/a.md"]
    assert after["authors/index/e.md"] == before["authors/index/e.md"]
