"""Weeks, months, trending, authors and the code view, as a reader finds them."""

from __future__ import annotations

import re

import pytest

from conftest import Site, text_of


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


def test_authors_below_the_minimum_are_listed_on_the_index_instead(site: Site) -> None:
    site.add(id="a", title="Alpha", authors=["Ada Lovelace", "Alan Turing"])
    site.add(id="b", title="Beta", authors=["Ada Lovelace"])
    site.plugin_options = {"author_pages_min_papers": 2}
    site.build()
    assert (site.site_dir / "authors/ada-lovelace/index.html").exists()
    assert not (site.site_dir / "authors/alan-turing").exists()
    paper = site.html("papers/a/")
    assert '<a href="../../authors/ada-lovelace/">Ada Lovelace</a>' in paper
    assert '<a href="../../authors/#alan-turing">Alan Turing</a>' in paper
    index = site.html("authors/")
    assert '<li id="alan-turing">Alan Turing:' in index and 'href="../papers/a/">Alpha</a>' in index
