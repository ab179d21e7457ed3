"""Weeks, months, trending, authors and the code view, as a reader finds them; and the
one shape of a paper every template gets (catalog.PaperView)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from functools import partial
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from conftest import Site, entry, text_of, write_entry
from paperfeed.authors import page_minimum
from paperfeed.catalog import Catalog
from paperfeed.cite import bibtex
from paperfeed.entry import FIELDS
from paperfeed.linked_data import scholarly_article
from paperfeed.load import load_papers
from paperfeed.plugin.generated import convert_page


@pytest.fixture
def feed(site: Site) -> Site:
    site.add(id="a", title="Alpha", added="2024-10-30", upvotes=5, authors=["Łukasz Kaiser"])
    site.add(
        id="b",
        title="Beta",
        added="2024-11-04",
        upvotes=1,
        authors=["Lukasz Kaiser", "X Y"],
        links={"code": "https://github.com/b/b"},
    )
    site.add(id="c", title="Gamma", added="2024-11-05", upvotes=9, authors=["Łukasz Kaiser"])
    site.add(
        id="d",
        title="Delta",
        added="2024-11-27",
        upvotes=2,
        authors=["Z W"],
        links={"code": "https://github.com/d/d"},
    )
    site.add(id="e", title="Epsilon", added="2024-11-26", upvotes=7, authors=["Z W"])
    site.build()
    return site


def titles(html: str) -> list[str]:
    return re.findall(r'class="pf-(?:row|card)__title"[^>]*>(?:<a [^>]+>)?([^<]+)<', html)


def test_week_pages_list_their_papers_with_the_weeks_around(feed: Site) -> None:
    week = feed.html("weeks/2024-W45/")  # Nov 4-10
    assert "Week 45 of 2024" in text_of(week)
    assert titles(week) == ["Gamma", "Beta"]
    assert 'rel="prev" href="../../weeks/2024-W44/"' in week
    assert 'rel="next" href="../../weeks/2024-W48/"' in week


def test_month_pages_list_their_papers_most_upvoted_first(feed: Site) -> None:
    november = feed.html("months/2024-11/")
    assert "November 2024" in text_of(november)
    assert titles(november) == ["Gamma", "Epsilon", "Delta", "Beta"]
    assert 'rel="prev" href="../../months/2024-10/"' in november
    archive = feed.html("archive/")
    assert 'href="../months/2024-11/"' in archive and 'href="../weeks/2024-W48/"' in archive


def test_day_pages_link_their_week_and_month(feed: Site) -> None:
    day = feed.html("days/2024-11-05/")
    assert 'href="../../weeks/2024-W45/"' in day and 'href="../../months/2024-11/"' in day


def test_trending_ranks_the_last_7_and_30_days_back_from_the_newest_paper(feed: Site) -> None:
    html = feed.html("trending/")
    week, month = html.split('id="last-30-days"')
    assert titles(week) == ["Epsilon", "Delta"]  # Nov 20-27
    assert titles(month) == ["Gamma", "Epsilon", "Alpha", "Delta", "Beta"]  # since Oct 28


def test_one_author_page_whatever_the_spelling(feed: Site) -> None:
    page = feed.html("authors/lukasz-kaiser/")
    assert titles(page) == ["Gamma", "Beta", "Alpha"]
    assert "Łukasz Kaiser" in text_of(page.split("<h1")[1])
    assert "also written Lukasz Kaiser" in text_of(page)
    index = text_of(feed.html("authors/"))
    assert "Łukasz Kaiser 3" in index and "Z W 2" in index
    paper = feed.html("papers/b/")
    assert '<a href="../../authors/lukasz-kaiser/">Lukasz Kaiser</a>' in paper


def test_code_view_lists_papers_that_link_their_code(feed: Site) -> None:
    assert titles(feed.html("code/")) == ["Delta", "Beta"]


def test_subscribe_page_lists_every_feed(feed: Site) -> None:
    html = feed.html("subscribe/")
    for href in (
        "../feed.xml",
        "../atom.xml",
        "../feed.json",
        "../code/feed.xml",
        "../feeds.opml",
        "../papers.json",
    ):
        assert f'href="{href}"' in html


def test_authors_below_the_minimum_are_listed_on_their_letters_page_instead(
    site: Site,
) -> None:
    site.add(id="a", title="Alpha", authors=["Ada Lovelace", "Alan Turing"])
    site.add(id="b", title="Beta", authors=["Ada Lovelace"])
    site.plugin_options = {"author_pages_min_papers": 2}
    site.build()
    assert (site.site_dir / "authors/ada-lovelace/index.html").exists()
    assert not (site.site_dir / "authors/alan-turing").exists()
    paper = site.html("papers/a/")
    assert '<a href="../../authors/ada-lovelace/">Ada Lovelace</a>' in paper
    assert '<a href="../../authors/index/a/#pf-author-alan-turing">Alan Turing</a>' in paper
    letter = site.html("authors/index/a/")
    assert '<li id="pf-author-alan-turing">Alan Turing:' in letter
    assert 'href="../../../papers/a/">Alpha</a>' in letter
    index = site.html("authors/")
    assert 'href="../authors/index/a/"' in index
    assert "pf-author-alan-turing" not in index and 'href="../papers/' not in index


@pytest.mark.parametrize(
    "counts, papers, minimum",
    [
        ([1] * 100, 40, 1),  # few authors: a page each
        ([5, 3] + [1] * 99, 40, 2),  # 101 authors: the one-paper ones go
        ([9] * 3 + [4] * 200 + [1] * 5000, 2000, 5),  # room for 200: those with 4 or more
        ([9] * 3 + [4] * 200 + [1] * 5000, 1000, 5),  # room for 100: the 4s tie, all go
        ([2] * 9000, 100_000, 1),  # a tenth of 100,000 is room for them all
    ],
)
def test_the_author_page_minimum_follows_the_feeds_size(
    counts: list[int], papers: int, minimum: int
) -> None:
    assert page_minimum(counts, papers) == minimum
    room = max(papers // 10, 100)
    assert sum(count >= minimum for count in counts) <= room


def test_a_large_feed_gives_pages_to_its_prolific_authors_only(site: Site) -> None:
    """Not set, the minimum comes from the feed: 101 authors, room for 100 pages."""
    site.add(id="a", title="Alpha", authors=["Ada Lovelace", *(f"Writer {n}" for n in range(50))])
    site.add(id="b", title="Beta", authors=["Ada Lovelace", *(f"Author {n}" for n in range(50))])
    site.build()
    assert (site.site_dir / "authors/ada-lovelace/index.html").exists()
    assert (site.site_dir / "authors/ada-lovelace/feed.xml").exists()
    assert not (site.site_dir / "authors/writer-7").exists()
    assert '<li id="pf-author-writer-7">Writer 7:' in site.html("authors/index/w/")
    assert not any("writer-7" in line for line in site.read("feeds.opml").splitlines())


# -- the paper's one shape (catalog.PaperView) -------------------------------------

FULL = entry(
    id="x1",
    arxiv="2411.00001",
    doi="10.1000/abc",
    title="Tom & Jerry <b>bold</b>",
    authors=["Ana Núñez", "B", "C", "D"],
    abstract="We study $x$ things at https://example.org/a.",
    published="2024-01-02",
    added="2024-11-27T23:30:00-05:00",
    tags=["graphs"],
    links={"code": "https://github.com/a/b"},
    venue="ICML 2024",
    upvotes=0,
    submitted_by="someone",
    thumbnail="https://example.org/t.png",
)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    write_entry(tmp_path / "papers", FULL)
    write_entry(tmp_path / "papers", entry(id="x2", added="2024-11-27"))
    return Catalog(load_papers(tmp_path / "papers", tmp_path))


def test_every_template_gets_a_paper_in_one_shape(catalog: Catalog) -> None:
    paper = catalog.by_id["x1"]
    view = catalog.paper("x1")
    # one view a paper: the page's, and the card of every listing
    assert view is catalog.card(paper) is catalog.tagged("graphs")[0]
    assert view in catalog.neighbours("x2")
    # the entry's fields are its own, but for `links`: the links a reader gets
    for name in FIELDS:
        if name != "links":
            assert getattr(view, name) == getattr(paper, name), name
    assert view.links == paper.resolved_links() and view.entry.links == paper.links
    assert (view.day, view.path, view.source) == (
        date(2024, 11, 27),
        "papers/x1/",
        "papers/x1.yaml",
    )
    assert (view.authors_shown, view.authors_more) == (("Ana Núñez", "B", "C"), 1)
    assert view.blurb.startswith("We study <math")
    assert view.bibtex == bibtex(paper)
    assert view.description == "We study $x$ things at https://example.org/a."
    assert catalog.paper("x2").blurb == "We study things. They turn out to be interesting."


def test_a_view_answers_as_a_card_and_a_page_of_0_1_0_did(catalog: Catalog) -> None:
    # A feed made by 0.1.0 may keep its own copies of the templates (overrides/), which
    # read `c.paper.id`, `c.paper.pf.links`, and pass page.meta to paperfeed_json_ld.
    view = catalog.paper("x1")
    assert view.paper is view and view.paper.id == "x1"
    assert view.paper.pf == {"day": "2024-11-27", "links": view.links}
    assert view["id"] == "x1" and view["pf"]["links"]["pdf"].endswith("2411.00001")
    assert view["links"] == {"code": "https://github.com/a/b"}  # the front matter's
    with pytest.raises(KeyError):
        catalog.paper("x2")["venue"]  # as the front matter had it: unset, no key
    meta = convert_page(view.entry, view.source).front_matter()
    meta["title"] = escape(meta["title"])  # as MkDocs' page holds it (generated.py)
    url = "https://feeds.example.org/lab/papers/x1/"
    assert scholarly_article(meta, url) == scholarly_article(view, url)
    assert json.loads(scholarly_article(view, url))["headline"] == FULL["title"]


def test_a_feeds_0_1_0_copies_of_the_templates_render_as_the_theme_does(tmp_path: Path) -> None:
    sites = {}
    for name in ("theme", "copies"):
        site = Site(tmp_path / name)
        site.add(**FULL)
        site.add(id="x2", added="2024-11-27", upvotes=3, arxiv="2411.00002")
        if name == "copies":
            for part in ("paper.html", "authors.html", "partials/pf-macros.html"):
                target = site.root / "overrides" / part
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(OVERRIDES_0_1_0 / part, target)
            site.config = partial(config_with_overrides, site)  # type: ignore[method-assign]
        site.build()
        sites[name] = site
    theme, copies = sites["theme"], sites["copies"]
    for path in ("", "papers/x1/", "papers/x2/", "authors/"):
        assert cards_and_paper(copies.html(path)) == cards_and_paper(theme.html(path)), path


OVERRIDES_0_1_0 = Path(__file__).parent / "fixtures/feeds/made-by-0.1.0/overrides"


def config_with_overrides(site: Site) -> Path:
    path = Site.config(site)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = "overrides"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def cards_and_paper(html: str) -> list[str]:
    """What a card and a paper page show of a paper (the copies' wording of the rest,
    comments and all, is their own, and so are their links' rel, older than ugc)."""
    html = re.sub(r' (?:rel|data-pf-added)="[^"]*"', "", html)  # newer than the copies
    html = html.replace(' id="pf-author-', ' id="')  # the ids' prefix is newer too
    found = re.findall(r'<article class="pf-card">.*?</article>', html, re.S)
    found += re.findall(r'<script type="application/ld\+json">.*?</script>', html, re.S)
    found += re.findall(r'<meta name="citation_[^>]+>', html)
    found += re.findall(r'<ul class="pf-(?:links|tags)".*?</ul>', html, re.S)
    found += re.findall(r'<nav class="pf-pager pf-paper__pager".*?</nav>', html, re.S)
    found += re.findall(r'<li id="[^"]+">.*?</li>', html, re.S)
    assert found
    return found
