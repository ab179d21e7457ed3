"""Rebuilds keep what did not change: a page whose inputs are the same keeps its file,
bytes and date; and a rebuild always equals a fresh build of the same papers."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Site, entry, write_entry
from paperfeed import load
from paperfeed.errors import PaperfeedError


def write_feed(site: Site) -> None:
    for i in range(12):
        site.add(
            id=f"p{i:02d}",
            title=f"Paper number {i}",
            added=f"2024-11-{25 + i % 3}",
            authors=[f"Author {i % 5}", "Shared Author"],
            tags=[f"t{i % 3}"],
            upvotes=i,
        )


def pages(site: Site) -> dict[str, Path]:
    """The generated pages (404.html is the theme's, made anew by MkDocs every time)."""
    return {
        str(p.relative_to(site.site_dir)): p
        for p in site.site_dir.rglob("*/index.html")
        if "pagefind" not in p.parts
    }


def stamps(site: Site) -> dict[str, tuple[int, int]]:
    """Each page's inode and modification time: a kept file keeps both."""
    return {uri: (p.stat().st_ino, p.stat().st_mtime_ns) for uri, p in pages(site).items()}


def test_a_rebuild_of_the_same_papers_keeps_every_page_file(site: Site) -> None:
    write_feed(site)
    site.build()
    before, text = stamps(site), site.files()
    site.build()
    assert stamps(site) == before
    assert site.files() == text


def retitle(site: Site) -> None:
    write_entry(site.papers, entry(**{**_fields(4), "title": "A New Title"}), "p04.yaml")


def add_paper(site: Site) -> None:
    site.add(id="p99", title="Late Arrival", added="2024-11-26", authors=["Author 1"])


def remove_paper(site: Site) -> None:
    (site.papers / "p07.yaml").unlink()


def upvote(site: Site) -> None:
    # reorders its day: the papers around it on the day change
    write_entry(site.papers, entry(**{**_fields(1), "upvotes": 100}), "p01.yaml")


def retag(site: Site) -> None:
    write_entry(site.papers, entry(**{**_fields(2), "tags": ["t0", "fresh"]}), "p02.yaml")


def fewer_author_pages(site: Site) -> None:
    # authors with a single paper lose their page: links on paper pages change
    site.plugin_options["author_pages_min_papers"] = 3


def rename_site(site: Site) -> None:
    config = site.config
    site.config = lambda: _renamed(config())  # type: ignore[method-assign]


def _renamed(path: Path) -> Path:
    path.write_text(path.read_text().replace("Lab Feed", "Group Feed"))
    return path


def _fields(i: int) -> dict:
    return {
        "id": f"p{i:02d}",
        "title": f"Paper number {i}",
        "added": f"2024-11-{25 + i % 3}",
        "authors": [f"Author {i % 5}", "Shared Author"],
        "tags": [f"t{i % 3}"],
        "upvotes": i,
    }


EDITS = [retitle, add_paper, remove_paper, upvote, retag, fewer_author_pages, rename_site]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_a_rebuild_after_an_edit_equals_a_fresh_build(
    tmp_path: Path, edit: Callable[[Site], None]
) -> None:
    rebuilt, fresh = Site(tmp_path / "rebuilt"), Site(tmp_path / "fresh")
    write_feed(rebuilt)
    rebuilt.build()
    before = stamps(rebuilt)
    edit(rebuilt)
    rebuilt.build()
    shutil.copytree(rebuilt.papers, fresh.papers, dirs_exist_ok=True)
    fresh.plugin_options = dict(rebuilt.plugin_options)
    fresh.config = rebuilt.config  # type: ignore[method-assign]
    fresh.site_dir = tmp_path / "fresh-site"
    fresh.build()
    assert rebuilt.files() == fresh.files()
    # and a page that does not show what changed was not written again: p00 is on
    # another day than every edited paper, and its authors keep their pages
    after = stamps(rebuilt)
    p00 = "papers/p00/index.html"
    if edit in (rename_site, fewer_author_pages):  # mkdocs.yml changed: every page is made
        assert after[p00] != before[p00]
    else:
        assert after[p00] == before[p00]


def test_serve_reads_again_only_the_entries_that_changed(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_feed(site)
    cache = load.EntryCache()
    first = load.load_entries(site.papers, cache=cache)
    read: list[str] = []
    real = load._load_chunk

    def counting(jobs):  # noqa: ANN001, ANN202
        read.extend(Path(job[0]).name for job in jobs)
        return real(jobs)

    monkeypatch.setattr(load, "_load_chunk", counting)
    assert load.load_entries(site.papers, cache=cache) == first
    assert read == []
    write_entry(site.papers, entry(**{**_fields(4), "title": "Edited"}), "p04.yaml")
    site.add(id="p99", title="New")
    (site.papers / "p05.yaml").write_text("id: [broken\n")
    with pytest.raises(PaperfeedError):
        load.load_entries(site.papers, cache=cache)
    assert sorted(read) == ["p04.yaml", "p05.yaml", "p99.yaml"]
    # a broken file is never cached: it is read, and reported, every time
    read.clear()
    with pytest.raises(PaperfeedError):
        load.load_entries(site.papers, cache=cache)
    assert read == ["p05.yaml"]


def test_an_authors_letter_page_is_made_again_for_a_new_title_not_a_new_abstract(
    site: Site,
) -> None:
    """A letter's page lists its authors' papers by title: at 10,000 papers it is 0.8 MB,
    and `mkdocs serve` must not write it again for every edit to an abstract."""
    write_feed(site)
    site.plugin_options["author_pages_min_papers"] = 4  # Author 0-4 have 2 or 3 papers
    site.build()
    letter, paper = "authors/index/a/index.html", "papers/p04/index.html"
    before = stamps(site)
    assert "Paper number 4" in site.read(letter)
    write_entry(site.papers, entry(**{**_fields(4), "abstract": "Rewritten."}), "p04.yaml")
    site.build()
    after = stamps(site)
    assert after[letter] == before[letter]
    assert after[paper] != before[paper] and "Rewritten." in site.read(paper)
    retitle(site)
    site.build()
    assert stamps(site)[letter] != before[letter] and "A New Title" in site.read(letter)
