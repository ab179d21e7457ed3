"""Math in titles: MathML where a title is HTML, plain text where markup cannot go,
the TeX in BibTeX, and search by the plain word."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from xml.etree.ElementTree import fromstring

import bibtexparser
import lxml.html
import pytest

from browser import chromium, serve
from conftest import Site, entry
from localserver import LocalServer, Reply, client, fixture
from paperfeed import urls
from paperfeed.cite import bibtex
from paperfeed.entry import Paper
from paperfeed.importers import Found, hf
from paperfeed.title import title

UNIFACE = "UniF$^2$ace: Fine-grained Face Understanding"
ATTENTION = r"Attention in $\mathcal{O}(n)$ time"
MONEY = "Costs $5 and more"
WATER = "H$_2$O Splitting with $^{13}$C Labels"
DAY = "2024-11-27"


def test_the_core_function_gives_html_text_and_search_words() -> None:
    uni = title(UNIFACE)
    assert uni.html.startswith("UniF<math ") and uni.html.endswith(
        "</math>ace: Fine-grained Face Understanding"
    )
    assert "<mn>2</mn>" in uni.html
    assert uni.text == "UniF²ace: Fine-grained Face Understanding"
    assert uni.search == "UniF2ace:"
    att = title(ATTENTION)
    assert att.text == "Attention in 𝒪(n) time" and att.search == "O(n)"
    # Scripts Unicode has no letters for are written after ^ and _.
    assert title(r"$x_{ij}^{*}$ and $\frac{a+b}{2}$").text == "xᵢⱼ^* and (a+b)/2"


@pytest.mark.parametrize("text", [MONEY, "Plain <b>title</b> & more", "From $5 to $10"])
def test_a_title_without_math_is_left_as_it_is(text: str) -> None:
    plain = title(text)
    assert plain.text == text and plain.search == ""
    assert plain.html == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


HOSTILE_TEX = [
    r"$\text{<script>alert(1)</script>}$",
    r"$\href{javascript:alert(1)}{x}$",
    r'$\mathrm{"><img src=x onerror=alert(1)>}$',
    r"$\color{red}{x}$ <img src=x>",
    r"a$^{\text{<script>alert(1)</script>}}$b",  # a script on nothing, redrawn
]


@pytest.mark.parametrize("text", HOSTILE_TEX)
def test_hostile_tex_in_a_title_stays_inert(text: str) -> None:
    made = title(text)
    # It parses as XML (nothing unescaped), and holds MathML presentation elements only,
    # with no link and no handler.
    root = fromstring(f"<t>{made.html}</t>")
    for node in root.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        assert tag in {
            "t",
            "math",
            "semantics",
            "mrow",
            "mi",
            "mo",
            "mn",
            "mtext",
            "annotation",
            "mstyle",
            "mpadded",
        }
        assert not {n for n in node.attrib if n.startswith("on") or "href" in n}, node.attrib
    assert "<img" not in made.html and "<script" not in made.html


def test_a_script_on_nothing_is_drawn_as_a_raised_or_lowered_script() -> None:
    # `^2` after text: no msup, whose space after the script is a gap in the word.
    uni = title(UNIFACE).html
    assert "<msup>" not in uni and "</math>ace:" in uni
    assert '<mpadded voffset="0.46em"><mstyle scriptlevel="1"><mn>2</mn></mstyle></mpadded>' in uni
    water = title(WATER)
    assert '<mpadded voffset="-0.23em"><mstyle scriptlevel="1"><mn>2</mn>' in water.html
    assert "</math>O Splitting" in water.html
    # The text and the search words are those of the script.
    assert water.text == "H₂O Splitting with ¹³C Labels" and water.search == "H2O 13C"
    # A script on a base is MathML's own.
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in title("$x^2$ and more").html


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("title-math"))
    common = {
        "added": DAY,
        "tags": ["faces"],
        "abstract": (
            "We study face understanding with attention models, fine-grained face features, "
            "linear time attention layers and benchmarks of face recognition datasets."
        ),
    }
    site.add(id="2503.00001", title=UNIFACE, upvotes=30, **common)
    site.add(id="2503.00002", title=ATTENTION, upvotes=20, **common)
    site.add(id="2503.00003", title=MONEY, upvotes=10, **common)
    site.add(id="2503.00004", title=WATER, upvotes=5, **common)
    site.build()
    return site


def _between(html: str, start: str, end: str) -> list[str]:
    return re.findall(re.escape(start) + r"(.*?)" + re.escape(end), html, flags=re.S)


def test_the_paper_page_shows_math_as_mathml_and_text_where_markup_cannot_go(
    built: Site,
) -> None:
    page = built.html(urls.paper_path("2503.00001").strip("/"))
    (h1,) = _between(page, '<h1 class="pf-paper__title" data-pagefind-meta="title">', "</h1>")
    assert h1.startswith("UniF<math ") and "<mn>2</mn>" in h1
    (window,) = _between(page, "<title>", "</title>")
    assert window == "UniF²ace: Fine-grained Face Understanding - Lab Feed"
    for name in ('name="citation_title"', 'property="og:title"', 'name="twitter:title"'):
        (content,) = re.findall(r"<meta " + re.escape(name) + r' content="([^"]*)"', page)
        assert content == "UniF²ace: Fine-grained Face Understanding"
    (ld,) = _between(page, '<script type="application/ld+json">', "</script>")
    data = json.loads(ld)
    assert data["headline"] == data["name"] == "UniF²ace: Fine-grained Face Understanding"
    # BibTeX keeps the TeX.
    (bib,) = _between(page, '<pre class="pf-cite__bibtex"><code>', "</code></pre>")
    assert "UniF$^2$ace" in unescape(bib)
    # Similar papers and the day's pager show the other titles' math too.
    (similar,) = _between(page, '<ul class="pf-similar__list">', "</ul>")
    assert "Attention in <math " in similar
    (pager,) = _between(page, '<nav class="pf-pager pf-paper__pager"', "</nav>")
    assert "Attention in <math " in pager


MATH_TITLES = {"2503.00001": UNIFACE, "2503.00002": ATTENTION, "2503.00004": WATER}


def _header_topic(page: str) -> str:
    (topic,) = lxml.html.fromstring(page).xpath(
        "//div[@class='md-header__topic'][@data-md-component='header-topic']"
    )
    return " ".join(topic.text_content().split())


@pytest.mark.parametrize("paper_id", MATH_TITLES)
def test_the_header_bar_shows_a_title_with_math_as_text(built: Site, paper_id: str) -> None:
    page = built.html(urls.paper_path(paper_id).strip("/"))
    topic = _header_topic(page)
    assert topic == title(MATH_TITLES[paper_id]).text
    assert "$" not in topic and "\\" not in topic


def test_the_header_bar_keeps_a_title_without_math(built: Site) -> None:
    assert _header_topic(built.html(urls.paper_path("2503.00003").strip("/"))) == MONEY


def test_no_space_follows_a_script_on_nothing(built: Site) -> None:
    page = built.html(urls.paper_path("2503.00001").strip("/"))
    (h1,) = _between(page, '<h1 class="pf-paper__title" data-pagefind-meta="title">', "</h1>")
    assert re.search(r"</math>ace:", h1), h1


# Where the script and the letter after it are drawn: the probe, an empty inline-block,
# sits on the line's baseline.
_MEASURE = """(selector) => {
  const h1 = document.querySelector(selector);
  const math = h1.querySelector("math");
  const script = math.querySelector("mn");
  const next = document.createRange();
  next.setStart(math.nextSibling, 0);
  next.setEnd(math.nextSibling, 1);
  const probe = document.createElement("span");
  probe.style.cssText = "display:inline-block;width:0;height:0";
  h1.insertBefore(probe, math);
  const drawn = script.getBoundingClientRect();
  return {
    gap: next.getBoundingClientRect().left - drawn.right,
    bottom: drawn.bottom,
    top: drawn.top,
    baseline: probe.getBoundingClientRect().top,
  };
}"""


def test_a_script_on_nothing_sits_on_its_word_without_a_gap(built: Site) -> None:
    with serve(built.site_dir) as base, chromium() as browser:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(base + urls.paper_path("2503.00001").lstrip("/"))
        up = page.evaluate(_MEASURE, "h1.pf-paper__title")
        page.goto(base + urls.paper_path("2503.00004").lstrip("/"))
        down = page.evaluate(_MEASURE, "h1.pf-paper__title")
    assert abs(up["gap"]) < 1 and abs(down["gap"]) < 1, (up, down)
    assert up["bottom"] < up["baseline"], up  # the 2 of UniF²ace is raised
    assert down["bottom"] > down["baseline"] > down["top"], down  # the 2 of H₂O, lowered


def test_cards_and_rows_show_the_math(built: Site) -> None:
    day = built.html(urls.day_path(DAY).strip("/"))
    cards = re.findall(r'<h\d class="pf-card__title">(.*?)</h\d>', day, flags=re.S)
    assert len(cards) == 4
    assert any("UniF<math " in card for card in cards)
    assert any("Attention in <math " in card for card in cards)
    assert any(">Costs $5 and more</a>" in card for card in cards)  # a lone $ is text
    week = built.html(urls.week_path("2024-W48").strip("/"))
    rows = _between(week, '<a class="pf-row__title"', "</a>")
    assert any("UniF<math " in row for row in rows)


def _clean(value: str) -> None:
    assert "$" not in value and "<" not in value, value


def test_feeds_carry_plain_titles(built: Site) -> None:
    wanted = {"UniF²ace: Fine-grained Face Understanding", "Attention in 𝒪(n) time"}
    for path in ("feed.xml", "atom.xml"):
        text = built.read(path)
        titles = {unescape(t) for t in _between(text, "<title>", "</title>")}
        assert wanted <= titles, path
        for t in wanted:
            _clean(t)
        assert "UniF$^2$ace" not in text
    items = json.loads(built.read("feed.json"))["items"]
    titles = {item["title"] for item in items}
    assert wanted <= titles and MONEY in titles


def test_a_lone_dollar_stays_text_everywhere(built: Site) -> None:
    page = built.html(urls.paper_path("2503.00003").strip("/"))
    assert '<h1 class="pf-paper__title" data-pagefind-meta="title">Costs $5 and more</h1>' in page
    assert "<title>Costs $5 and more - Lab Feed</title>" in page


def test_search_finds_the_paper_by_its_plain_word(built: Site) -> None:
    with serve(built.site_dir) as base, chromium() as browser:
        page = browser.new_page()  # type: ignore[attr-defined]
        for query in ("UniF2ace", "unif"):
            page.goto(base)
            page.keyboard.press("s")
            page.keyboard.type(query)
            first = page.locator(".md-search-result__item a").first
            first.wait_for(timeout=10_000)
            shown = first.inner_text()
            assert "UniF²ace: Fine-grained Face Understanding" in shown, (query, shown)
            assert "$" not in shown


def test_the_hf_daily_listing_keeps_the_math_of_its_titles(server: LocalServer) -> None:
    listing = json.loads(fixture("hf_daily_2024-10-25.json"))
    listing[0]["paper"]["title"] = "UniF$^2$ace: Fine-grained\n  Face Understanding"
    listing[0]["title"] = "UniF$^2$ace: Fine-grained Face Understanding"
    server.route(
        "/api/daily_papers",
        Reply(json.dumps(listing).encode(), content_type="application/json; charset=utf-8"),
    )
    first = hf.fetch_daily(date(2024, 10, 25), client(), server.url("/api"))[0]
    assert isinstance(first, Found)
    assert first.fields["title"] == UNIFACE


BIB_TITLES = {
    UNIFACE: "{UniF$^2$ace: Fine-grained Face Understanding}",
    ATTENTION: r"{Attention in $\mathcal{O}(n)$ time}",
    MONEY: r"{Costs \$5 and more}",
    # Math LaTeX would read otherwise, or that would unbalance the entry, is escaped.
    r"$\input{/etc/passwd}$ x": r"{\$\textbackslash{}input\{/etc/passwd\}\$ x}",
    r"$\def\x{y}$": r"{\$\textbackslash{}def\textbackslash{}x\{y\}\$}",
    r"$a%b$": r"{\$a\%b\$}",
    r"$\{x$ & y": r"{\$\textbackslash{}\{x\$ \& y}",
}


@pytest.mark.parametrize("source, written", BIB_TITLES.items(), ids=range(len(BIB_TITLES)))
def test_bibtex_keeps_the_tex_of_math_it_can_keep(source: str, written: str) -> None:
    paper = Paper.model_validate(entry(title=source))
    (parsed,) = bibtexparser.parse_string(bibtex(paper)).entries
    assert parsed.fields_dict["title"].value == written


HOSTILE_TITLE = (
    r'$\text{<script>alert(1)</script>}$ "><img src=x onerror=alert(1)> '
    r"$x^{</script><svg/onload=alert(1)>}$ $\href{javascript:alert(1)}{y}$"
)


def test_a_hostile_title_with_math_stays_inert_in_a_build(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.add(id="2503.00009", title=HOSTILE_TITLE, added=DAY)
    site.build()
    outputs = {
        "page": site.html(urls.paper_path("2503.00009").strip("/")),
        "day": site.html(urls.day_path(DAY).strip("/")),
        "rss": site.read("feed.xml"),
        "atom": site.read("atom.xml"),
    }
    # JSON Feed titles are plain text by the spec: the title's text, as a hostile title
    # without math has it.
    (item,) = json.loads(site.read("feed.json"))["items"]
    assert item["title"] == title(HOSTILE_TITLE).text and "$" not in item["title"]
    for name, text in outputs.items():
        without_scripts = re.sub(r'<script type="application/ld\+json">', "", text)
        for bad in ("<script>alert", "<img src=x", "<svg/onload", 'href="javascript'):
            assert bad not in without_scripts, (name, bad)
    # The page's own markup still parses to what it should: one h1, no handler anywhere.
    page = lxml.html.fromstring(outputs["page"])
    assert len(page.xpath("//h1[@class='pf-paper__title']")) == 1
    assert not page.xpath("//*[@onerror or @onload]")
    assert not page.xpath("//article//img | //article//svg | //head//img | //head//svg")
    assert all("alert" not in (s.text or "") for s in page.xpath("//script[not(@type)]"))
    records = [r for r in site.search_records() if "2503.00009" in r["url"]]
    # Search holds the title as text (which its results show as text), no MathML.
    assert records and records[0]["meta"]["title"] == title(HOSTILE_TITLE).text
