"""Real `mkdocs build`s of small feeds, checked by what a reader sees in the HTML."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import lxml.html
import pytest
from mkdocs.exceptions import Abort

import paperfeed
from conftest import Site, text_of
from paperfeed.catalog import Catalog
from paperfeed.convert import convert
from paperfeed.load import load_papers
from paperfeed.render import search_record

PACKAGE = Path(paperfeed.__file__).parent


@pytest.fixture
def feed(site: Site) -> Site:
    site.add(
        id="2401.00001",
        title="Older Work on Graphs",
        added="2024-11-25",
        authors=["Ada Lovelace"],
        tags=["graphs"],
        upvotes=4,
    )
    site.add(
        id="2401.00002",
        title="Sparse Attention: A Study of Many Heads",
        added="2024-11-27",
        authors=["Émile Zola", "Łukasz Kaiser", "Grace Hopper", "Alan Turing", "Edsger Dijkstra"],
        abstract="Attention costs $O(n^2)$ time. Code: \\url{https://github.com/x/y}.\n\n"
        "A second paragraph about <b>bold</b> claims.",
        tags=["attention", "graphs"],
        upvotes=10,
        venue="ICML 2024",
        arxiv="2401.00002",
        links={"code": "https://github.com/x/y"},
        summary="Fewer heads, same accuracy.",
        submitted_by="ak",
        published="2024-01-03",
    )
    site.add(
        id="2401.00003",
        title="A Small Note",
        added="2024-11-27T10:00:00Z",
        upvotes=50,
        abstract="Zebrafish quantization is surprisingly effective.",
    )
    site.build()
    return site


def test_home_shows_the_latest_day_as_cards_most_upvoted_first(feed: Site) -> None:
    html = feed.html("")
    assert "Wednesday, November 27, 2024" in text_of(html)
    titles = re.findall(r'class="pf-card__title"><a href="([^"]+)">([^<]+)</a>', html)
    assert titles == [
        ("./papers/2401.00003/", "A Small Note"),
        ("./papers/2401.00002/", "Sparse Attention: A Study of Many Heads"),
    ]
    card = text_of(html.split('class="pf-card"')[2])
    assert "Émile Zola, Łukasz Kaiser, Grace Hopper et al. (5 authors)" in card
    assert "Published Jan 3, 2024 · ICML 2024" in card
    assert "Fewer heads, same accuracy." in card
    assert "#attention #graphs" in card and "arXiv PDF Code" in card
    # the card without a summary starts its abstract instead
    assert "Zebrafish quantization is surprisingly effective." in text_of(html)
    assert "Older Work on Graphs" not in html


def test_day_pages_link_to_the_days_around_them(feed: Site) -> None:
    older, newer = feed.html("days/2024-11-25/"), feed.html("days/2024-11-27/")
    assert 'rel="next" href="../../days/2024-11-27/"' in older and 'rel="prev"' not in older
    assert 'rel="prev" href="../../days/2024-11-25/"' in newer and 'rel="next"' not in newer
    assert "Papers of Monday, November 25, 2024" in text_of(older)
    assert "2 papers" in text_of(newer)


def test_paper_page_shows_every_field_and_the_abstract_safely(feed: Site) -> None:
    html = feed.html("papers/2401.00002/")
    text = text_of(html)
    authors = re.findall(r'<a href="../../authors/[a-z-]+/">([^<]+)</a>', html)
    assert authors == [
        "Émile Zola",
        "Łukasz Kaiser",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
    ]
    for shown in (
        "Sparse Attention: A Study of Many Heads",
        "Published Jan 3, 2024",
        "Added Nov 27, 2024",
        "Venue ICML 2024",
        "arXiv 2401.00002",
        "Upvotes 10",
        "Submitted by ak",
        "TL;DR Fewer heads, same accuracy.",
    ):
        assert shown in text
    buttons = re.findall(r'class="pf-link pf-link--(\w+)[^"]*" href="([^"]+)"', html)
    assert buttons == [
        ("arxiv", "https://arxiv.org/abs/2401.00002"),
        ("pdf", "https://arxiv.org/pdf/2401.00002"),
        ("code", "https://github.com/x/y"),
    ]
    assert "<math" in html and "<mi>n</mi>" in html and "$O(n^2)$" not in text
    assert '<a href="https://github.com/x/y" rel="nofollow ugc noopener">' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert 'href="../../tags/attention/"' in html


def test_tag_pages_archive_and_tag_index(feed: Site) -> None:
    graphs = feed.html("tags/graphs/")
    assert re.findall(r'pf-card__title"><a href="[^"]+">([^<]+)<', graphs) == [
        "Sparse Attention: A Study of Many Heads",
        "Older Work on Graphs",
    ]
    assert "#attention 1" in text_of(feed.html("tags/")) and "#graphs 2" in text_of(
        feed.html("tags/")
    )
    archive = text_of(feed.html("archive/"))
    assert (
        "November 2024 Weeks: 2024-W48 Wednesday, November 27, 2024 2 papers Monday, November 25, "
        "2024 1 paper" in archive
    )


def test_search_finds_papers_by_title_author_and_abstract(feed: Site) -> None:
    records = feed.search_records()

    def pages_with(word: str) -> set[str]:
        return {
            r["url"]
            for r in records
            if word.lower() in (r["meta"]["title"] + " " + r["content"]).lower()
        }

    assert pages_with("Sparse") == {"/papers/2401.00002/"}
    assert pages_with("Dijkstra") == {"/papers/2401.00002/"}
    assert pages_with("Zebrafish") == {"/papers/2401.00003/"}


def test_search_indexes_papers_not_listings_or_chrome(feed: Site) -> None:
    records = {r["url"]: r for r in feed.search_records()}
    # only paper pages: days, tags and authors pages only repeat them
    assert all(url.startswith("/papers/") for url in records), sorted(records)
    paper = records["/papers/2401.00002/"]
    assert paper["meta"]["title"] == "Sparse Attention: A Study of Many Heads"
    assert paper["filters"] == {"tag": ["attention", "graphs"], "year": ["2024"]}
    assert paper["meta"]["authors"].startswith("Émile Zola, Łukasz Kaiser")
    for indexed in ("ICML 2024", "Fewer heads, same accuracy.", "#attention", "Dijkstra"):
        assert indexed in paper["content"], indexed
    for chrome in ("Archive", "Copy BibTeX", "@article", "Published", "Upvotes"):
        assert chrome not in paper["content"], chrome
    # Material's lunr index is not shipped: Pagefind's chunks replace it
    assert not (feed.site_dir / "search" / "search_index.json").exists()
    assert (feed.site_dir / "pagefind" / "pagefind.js").is_file()


def test_search_reads_of_a_paper_what_its_page_shows(feed: Site) -> None:
    # The index is made from the entries (search-record.html), not from the pages: the
    # two must not drift apart. On the page, search's part is the data-pagefind-body
    # article without its data-pagefind-ignore parts.
    records = {r["url"]: r for r in feed.search_records()}
    for url, record in records.items():
        page = lxml.html.fromstring(feed.html(url.strip("/") + "/"))
        (body,) = page.xpath("//*[@data-pagefind-body]")
        for ignored in body.xpath(".//*[@data-pagefind-ignore]"):
            ignored.drop_tree()
        shown = re.findall(r"\w+", body.text_content())
        assert re.findall(r"\w+", record["content"]) == shown, url
        filters = [f"{k}:{v}" for k, values in record["filters"].items() for v in values]
        assert sorted(filters) == sorted(body.xpath(".//@data-pagefind-filter")), url
        metas = body.xpath(".//@data-pagefind-meta")
        assert sorted(record["meta"]) == sorted(m.split(":")[0] for m in metas), url


def test_a_search_record_is_its_pages_article_without_what_search_ignores(feed: Site) -> None:
    # One partial makes both (theme/partials/pf-paper.html): the page's article, and the
    # record, which leaves out what search ignores and what needs the whole feed.
    catalog = Catalog(load_papers(feed.papers, feed.root))
    for paper in catalog.papers:
        view = catalog.paper(paper.id)
        record = search_record(view, convert(paper, view.source).body, "en")
        assert _searched(record) == _searched(feed.html(view.path)), paper.id
    template = (PACKAGE / "templates/search-record.html").read_text(encoding="utf-8")
    assert '{% include "partials/pf-paper.html" %}' in template and "<h1" not in template


def _searched(html: str) -> list[tuple[str, str, str]]:
    """Each element of what search reads of a page, with its class and Pagefind marks,
    and its own text; the links of the authors are the page's alone (search follows no
    link)."""
    (article,) = lxml.html.fromstring(html).xpath("//article[@data-pagefind-body]")
    for ignored in article.xpath(".//*[@data-pagefind-ignore]"):
        ignored.drop_tree()
    authors = article.find_class("pf-paper__authors")[0]
    for link in authors.iter("a"):
        link.drop_tag()
    return [
        (
            str(e.tag),
            " ".join(f"{k}={v}" for k, v in sorted(e.attrib.items()) if k != "href"),
            " ".join((e.text or "").split()),
        )
        for e in article.iter()
        if isinstance(e.tag, str)
    ]


def test_the_themes_templates_read_a_paper_in_its_one_shape() -> None:
    # catalog.PaperView: not the front matter (page.meta, the `pf` of 0.1.0), nor the
    # card of 0.1.0 (`c.paper`); those stay only for a feed's own copies (overrides/).
    old = re.compile(r"(?<!paperfeed)\.paper\b|\bp\.pf\.|pf\.links|pf\.bibtex|json_ld\(page")
    for path in sorted((PACKAGE / "theme").rglob("*.html")):
        assert old.search(path.read_text(encoding="utf-8")) is None, path


def test_every_page_links_the_feeds_and_the_nav_stays_short(feed: Site) -> None:
    for path in ("", "papers/2401.00001/", "tags/graphs/", "archive/"):
        html = feed.html(path)
        assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html
        assert 'type="application/feed+json"' in html
        nav = re.findall(r'<a href="([^"]+)"\s+class="md-(?:nav|tabs)__link', html)
        assert nav and not [href for href in nav if "papers/" in href]
        assert len(set(nav)) <= 4


def test_a_paper_page_does_not_grow_with_the_number_of_papers(site: Site) -> None:
    site.add(id="p0", title="The Same Paper", added="2024-11-01")
    size_alone = len(site.build().joinpath("papers/p0/index.html").read_bytes())
    for n in range(1, 40):
        site.add(id=f"p{n}", title=f"Paper number {n}", added=f"2024-10-{n % 28 + 1:02d}")
    size_among_many = len(site.build().joinpath("papers/p0/index.html").read_bytes())
    assert size_among_many == size_alone


def test_a_bad_entry_stops_the_build_and_keeps_the_previous_site(
    feed: Site, caplog: pytest.LogCaptureFixture
) -> None:
    before = {p: p.read_bytes() for p in feed.site_dir.rglob("*") if p.is_file()}
    feed.add(id="2401.00009", published="2024-13-01")
    with pytest.raises(Abort):
        feed.build()
    assert "papers/2401.00009.yaml:7: published: '2024-13-01' is not a real date" in caplog.text
    after = {p: p.read_bytes() for p in feed.site_dir.rglob("*") if p.is_file()}
    assert after == before


def test_site_url_is_required(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    site.site_url = None
    site.add()
    with pytest.raises(Abort):
        site.build()
    assert "mkdocs.yml: site_url: paperfeed needs it for absolute links" in caplog.text


def test_an_empty_feed_builds(site: Site) -> None:
    site.build()
    assert "No papers yet" in site.html("")
    # Pagefind makes no index of nothing; the search box gets one that finds the home page
    (record,) = site.search_records()
    assert (record["url"], record["content"]) == ("/", "No papers yet.")


def test_paper_page_has_scholarly_json_ld(feed: Site) -> None:
    html = feed.html("papers/2401.00002/")
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(script)
    assert data["@type"] == "ScholarlyArticle"
    assert data["headline"] == "Sparse Attention: A Study of Many Heads"
    assert data["author"][1] == {"@type": "Person", "name": "Łukasz Kaiser"}
    assert data["datePublished"] == "2024-01-03"
    assert data["url"] == "https://feeds.example.org/lab/papers/2401.00002/"
    # the page's meta description, not a second copy of the abstract it shows
    (meta,) = re.findall(r'<meta name="description" content="([^"]*)"', html)
    assert data["description"] == unescape(meta)
    assert "abstract" not in data


def test_papers_json_exports_every_paper_losslessly(feed: Site) -> None:
    from paperfeed.entry import Paper
    from paperfeed.load import load_papers

    exported = json.loads(feed.read("papers.json"))["papers"]
    assert [p["id"] for p in exported] == ["2401.00003", "2401.00002", "2401.00001"]
    papers = {p.id: p for p in load_papers(feed.papers).values()}
    for item in exported:
        url, links = item.pop("url"), item.pop("resolved_links")
        assert Paper.model_validate(item) == papers[item["id"]]
        assert url == f"https://feeds.example.org/lab/papers/{item['id']}/"
        assert links == papers[item["id"]].resolved_links()


def test_paper_page_head_has_highwire_and_opengraph_tags(feed: Site) -> None:
    html = feed.html("papers/2401.00002/")
    metas = re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html)
    assert ("citation_title", "Sparse Attention: A Study of Many Heads") in metas
    assert [v for k, v in metas if k == "citation_author"] == [
        "Émile Zola",
        "Łukasz Kaiser",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
    ]
    assert ("citation_publication_date", "2024/01/03") in metas
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2401.00002") in metas
    assert ("citation_arxiv_id", "2401.00002") in metas
    assert ("og:title", "Sparse Attention: A Study of Many Heads") in metas
    assert ("og:url", "https://feeds.example.org/lab/papers/2401.00002/") in metas
    assert '<link rel="canonical" href="https://feeds.example.org/lab/papers/2401.00002/">' in html


def test_cite_box_holds_bibtex_that_parses_back(feed: Site) -> None:
    import bibtexparser

    html = feed.html("papers/2401.00002/")
    (bib,) = re.findall(r'<pre class="pf-cite__bibtex"><code>(.*?)</code>', html, re.S)
    library = bibtexparser.parse_string(unescape(bib))
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.key == "zola2024sparse"
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert fields["title"] == "{Sparse Attention: A Study of Many Heads}"
    assert fields["author"].split(" and ") == [
        "Émile Zola",
        "Łukasz Kaiser",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
    ]
    assert fields["eprint"] == "2401.00002" and fields["year"] == "2024"
    assert 'data-pf-copy=".pf-cite__bibtex"' in html


def test_paper_pages_link_their_neighbours_on_the_day(feed: Site) -> None:
    first, second = feed.html("papers/2401.00003/"), feed.html("papers/2401.00002/")
    assert 'rel="next" href="../../papers/2401.00002/"' in first
    assert 'rel="prev" href="../../papers/2401.00003/"' in second
    assert 'rel="next"' not in second.split('class="pf-pager pf-paper__pager"')[1]


def test_hand_written_pages_are_searched_whatever_their_name(site: Site) -> None:
    site.add()
    (site.root / "docs" / "notes [draft], {v2}.md").write_text("# Lab notes\n\nZanzibar.\n")
    site.build()
    urls = {r["url"] for r in site.search_records() if "Zanzibar" in r["content"]}
    assert len(urls) == 1, urls
