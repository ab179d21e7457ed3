"""The digests on the site: the daily and weekly digest feeds that RSS-to-email
services mail, their place in feeds.opml and on /subscribe/, and the email box a feed
with a mail provider gets (subscribe_form). Real `mkdocs build`s, read back with
feedparser and ElementTree; the box is opened in headless Chromium.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import feedparser
import pytest
from mkdocs.exceptions import Abort

from browser import chromium, serve
from conftest import REPO, Site
from hostile import PAYLOADS, add_hostile_papers
from paperfeed.catalog import Catalog
from paperfeed.digest import DigestSettings, Period, build_digest, periods_with_papers, render_html
from paperfeed.load import load_papers

BASE = "https://feeds.example.org/lab/"
SETTINGS = DigestSettings("Lab Feed", BASE)
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
FEEDS = {"day": "digest/daily", "week": "digest/weekly"}
FORM = {"action": "https://buttondown.com/api/emails/embed-subscribe/lab", "field": "email"}
ARTIFACTS = REPO / "tests" / "artifacts"
# Ten papers on eight days of three ISO weeks; 2024-12-10 (in week 50) is the newest.
ADDED = ["2024-11-25", "2024-11-25", "2024-11-26", "2024-11-27", "2024-11-29",
         "2024-12-02", "2024-12-02", "2024-12-04", "2024-12-09", "2024-12-10"]  # fmt: skip
# Every period but the newest is over: a later day has papers.
CLOSED = {
    "day": [
        "2024-12-09",
        "2024-12-04",
        "2024-12-02",
        "2024-11-29",
        "2024-11-27",
        "2024-11-26",
        "2024-11-25",
    ],  # fmt: skip
    "week": ["2024-W49", "2024-W48"],
}


def add_papers(site: Site) -> None:
    for n, added in enumerate(ADDED):
        site.add(
            id=f"2411.{n:05d}",
            arxiv=f"2411.{n:05d}",
            title=f"Paper {n}: Attention, Again",
            added=added,
            upvotes=n % 4,
            tags=["vision"] if n % 2 else [],
            links={"code": "https://github.com/lab/code"} if n % 3 == 0 else {},
            abstract=f"We bound the loss by $x^{n}$, see https://example.org/{n}.",
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("digest-site"))
    add_papers(site)
    site.build()
    return site


def catalog_of(site: Site) -> Catalog:
    return Catalog(load_papers(site.papers, site.root))


def parsed(site: Site, path: str) -> feedparser.FeedParserDict:
    result = feedparser.parse(site.read(path))
    assert not result.bozo, (path, result.get("bozo_exception"))
    return result


def rss_items(site: Site, kind: str) -> list[ET.Element]:
    return ET.fromstring(site.read(FEEDS[kind] + ".xml").encode()).findall("channel/item")


def atom_entries(site: Site, kind: str) -> list[ET.Element]:
    return ET.fromstring(site.read(FEEDS[kind] + ".atom.xml").encode()).findall(f"{ATOM}entry")


class Markup(HTMLParser):
    """Every element and attribute of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


# -- the digest feeds -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["day", "week"])
def test_each_item_is_the_digest_of_one_period_that_is_over(built: Site, kind: str) -> None:
    catalog = catalog_of(built)
    # the newest period may still get papers: a service would mail it half-full
    newest, *over = periods_with_papers(catalog.papers, kind)  # type: ignore[arg-type]
    assert [p.key for p in over] == CLOSED[kind] and newest.key not in CLOSED[kind]
    rss, atom = rss_items(built, kind), atom_entries(built, kind)
    assert len(rss) == len(atom) == len(over)
    for item, entry, period in zip(rss, atom, over, strict=True):
        digest = build_digest(catalog, period, SETTINGS)
        html = render_html(digest)  # as mailed, for no one in particular
        page = f"{BASE}{period.path}"
        guid = item.find("guid")
        assert guid is not None and guid.text == page and guid.get("isPermaLink") == "true"
        assert item.findtext("link") == page and entry.findtext(f"{ATOM}id") == page
        assert item.findtext("title") == entry.findtext(f"{ATOM}title") == digest.subject
        assert parsedate_to_datetime(item.findtext("pubDate") or "") == period.end
        assert entry.findtext(f"{ATOM}updated") == period.end.isoformat()
        assert entry.findtext(f"{ATOM}published") == period.end.isoformat()
        assert item.findtext(CONTENT) == entry.findtext(f"{ATOM}content") == html
        assert f"The {len(digest.papers)} most upvoted of {digest.total} papers: Paper" in (
            item.findtext("description") or ""
        )
    for suffix, version in ((".xml", "rss20"), (".atom.xml", "atom10")):
        feed = parsed(built, FEEDS[kind] + suffix)
        assert feed.version == version
        assert [e.id for e in feed.entries] == [f"{BASE}{p.path}" for p in over]
        assert feed.entries[0].published_parsed[:3] == over[0].end.timetuple()[:3]


def test_a_period_ends_at_midnight_utc_after_its_last_day(built: Site) -> None:
    (day, *_), (week, *_) = rss_items(built, "day"), rss_items(built, "week")
    assert day.findtext("pubDate") == "Tue, 10 Dec 2024 00:00:00 +0000"  # 2024-12-09
    assert week.findtext("pubDate") == "Mon, 09 Dec 2024 00:00:00 +0000"  # week 49
    channel = ET.fromstring(built.read("digest/weekly.xml").encode()).find("channel")
    assert channel is not None
    assert channel.findtext("lastBuildDate") == "Mon, 09 Dec 2024 00:00:00 +0000"


@pytest.mark.parametrize("kind", ["day", "week"])
def test_the_content_is_email_safe_html_with_absolute_links(built: Site, kind: str) -> None:
    for item in rss_items(built, kind):
        markup = Markup(item.findtext(CONTENT) or "")
        hrefs = [value for name, value in markup.attributes if name == "href"]
        assert hrefs and all(href.startswith("https://") for href in hrefs)
        assert f"{BASE}{item.findtext('link', '').removeprefix(BASE)}" in hrefs  # its page
        assert not {"script", "img", "iframe", "link", "form"} & markup.tags
        assert not [name for name, _ in markup.attributes if name in ("src", "srcset")]
    week48 = Markup(rss_items(built, "week")[-1].findtext(CONTENT) or "")
    hrefs = {value for name, value in week48.attributes if name == "href"}
    assert {
        f"{BASE}weeks/2024-W48/",
        f"{BASE}tags/vision/",
        "https://arxiv.org/abs/2411.00000",
    } <= hrefs


def test_digest_feeds_follow_the_validators_rules(built: Site) -> None:
    """What the W3C feed validator checks that a parser forgives (as test_feeds.py)."""
    rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
    for path in FEEDS.values():
        rss = ET.fromstring(built.read(path + ".xml").encode())
        channel = rss.find("channel")
        assert rss.get("version") == "2.0" and channel is not None
        assert channel.findtext("title") and channel.findtext("description")
        assert channel.findtext("link") == BASE
        self_link = channel.find("{http://www.w3.org/2005/Atom}link")
        assert self_link is not None and self_link.get("href") == f"{BASE}{path}.xml"
        assert self_link.get("rel") == "self" and self_link.get("type") == "application/rss+xml"
        guids = [item.findtext("guid") for item in channel.findall("item")]
        assert len(set(guids)) == len(guids)
        for item in channel.findall("item"):
            assert parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
            assert "<" not in (item.findtext("title") or "<")
        atom = ET.fromstring(built.read(path + ".atom.xml").encode())
        assert atom.findtext(f"{ATOM}id") == f"{BASE}{path}.atom.xml"
        assert atom.findtext(f"{ATOM}title") and atom.findtext(f"{ATOM}author/{ATOM}name")
        links = {(link.get("rel"), link.get("type")) for link in atom.findall(f"{ATOM}link")}
        assert ("self", "application/atom+xml") in links and ("alternate", "text/html") in links
        assert rfc3339.match(atom.findtext(f"{ATOM}updated") or "")
        for entry in atom.findall(f"{ATOM}entry"):
            assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}title")
            assert rfc3339.match(entry.findtext(f"{ATOM}updated") or "")
            content, summary = entry.find(f"{ATOM}content"), entry.find(f"{ATOM}summary")
            assert content is not None and content.get("type") == "html"
            assert summary is not None and summary.get("type") == "html"


def test_same_papers_same_bytes_and_an_items_guid_survives_edits(site: Site) -> None:
    add_papers(site)
    site.build()
    first = {
        path: site.read(path + ext) for path in FEEDS.values() for ext in (".xml", ".atom.xml")
    }
    site.build()
    assert {path: site.read(path + ext) for path in FEEDS.values()
            for ext in (".xml", ".atom.xml")} == first  # fmt: skip
    guids = {kind: [i.findtext("guid") for i in rss_items(site, kind)] for kind in FEEDS}
    # a better title for a paper of 2024-11-26, and a paper of a new day
    site.add(id="2411.00002", arxiv="2411.00002", title="A Better Title", added="2024-11-26")
    site.add(id="2412.09999", title="The Next Week", added="2024-12-16")
    site.build()
    day = {i.findtext("guid"): i for i in rss_items(site, "day")}
    assert list(day) == [f"{BASE}days/2024-12-10/", *guids["day"]]  # the old day is over now
    assert "A Better Title" in (day[f"{BASE}days/2024-11-26/"].findtext(CONTENT) or "")
    weeks = [i.findtext("guid") for i in rss_items(site, "week")]
    assert weeks == [f"{BASE}weeks/2024-W50/", *guids["week"]]


def test_the_feeds_keep_the_newest_14_days_and_12_weeks(site: Site) -> None:
    start = date(2024, 1, 1)
    for n in range(40):  # one paper every 5 days: 40 days in 29 weeks
        site.add(
            id=f"p{n:02d}", title=f"Paper {n}", added=(start + timedelta(days=5 * n)).isoformat()
        )
    site.build()
    latest = start + timedelta(days=5 * 39)  # 2024-07-14: its day and week are not over
    days = [i.findtext("guid") for i in rss_items(site, "day")]
    assert len(days) == len(atom_entries(site, "day")) == 14
    assert days[0] == f"{BASE}days/{(latest - timedelta(days=5)).isoformat()}/"
    weeks = [i.findtext("guid") for i in rss_items(site, "week")]
    last_week = Period.containing("week", latest - timedelta(days=7))  # every week has papers
    assert len(weeks) == len(atom_entries(site, "week")) == 12
    assert weeks[0] == f"{BASE}{last_week.path}"


def test_a_site_without_papers_has_valid_empty_digest_feeds(site: Site) -> None:
    site.build()
    for path in FEEDS.values():
        for suffix in (".xml", ".atom.xml"):
            assert parsed(site, path + suffix).entries == []


def test_the_digest_feeds_are_in_the_opml_and_on_the_subscribe_page(built: Site) -> None:
    root = ET.fromstring(built.read("feeds.opml").encode())
    outlines = {o.get("xmlUrl"): o for o in root.findall("body/outline")}
    for name in ("daily", "weekly"):
        outline = outlines[f"{BASE}digest/{name}.xml"]
        assert outline.get("title") == f"Lab Feed · {name} digest"
        assert parsed(built, f"digest/{name}.xml").feed.title == outline.get("title")
    page = built.html("subscribe")
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    for path in FEEDS.values():
        for suffix in (".xml", ".atom.xml"):
            assert f"../{path}{suffix}" in hrefs
            assert (built.site_dir / f"{path}{suffix}").is_file()
        assert f"<code>{BASE}{path}.xml</code>" in page  # the address to paste
    assert "RSS-to-email" in page and "mailto:" not in page
    assert "pf-subscribe" not in page  # no provider, no email box


def test_hostile_titles_stay_inert_in_the_digest_feeds(site: Site) -> None:
    add_hostile_papers(site)  # 2024-11-25 to 2024-11-27, all in week 48
    site.add(id="later", title="A later paper", added="2024-12-03")  # so both are over
    site.build()
    catalog = catalog_of(site)
    allowed = {"html", "head", "meta", "title", "style", "body", "div", "table", "tr", "td",
               "p", "h1", "h2", "a", "span"}  # fmt: skip
    for kind, path in FEEDS.items():
        for suffix in (".xml", ".atom.xml"):
            parsed(site, path + suffix)
        items = rss_items(site, kind)
        assert items
        for item, period in zip(items, periods_with_papers(catalog.papers, kind)[1:], strict=True):  # type: ignore[arg-type]
            html = item.findtext(CONTENT) or ""
            markup = Markup(html)
            assert markup.tags <= allowed, markup.tags - allowed
            assert not [name for name, _ in markup.attributes if name.startswith("on")]
            assert "<script" not in html and "<svg" not in html and "<iframe" not in html
            assert item.findtext("title") == build_digest(catalog, period, SETTINGS).subject
        week = items[0].findtext(CONTENT) or ""
        if kind == "week":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in week  # shown as text
            assert "{{ 7*7 }}" in week  # no template ran it
    # the titles in the summary are text too: escaped for the HTML a reader takes it as
    summary = rss_items(site, "week")[0].findtext("description") or ""
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary and "<script" not in summary
    raw = site.read("digest/weekly.xml")
    assert "&amp;lt;script&amp;gt;alert(1)" in raw and "<script" not in raw
    assert len(PAYLOADS) > 10


# -- the email box ----------------------------------------------------------------------


def without_box(html: str) -> str:
    """The home page with its email box taken out."""
    return re.sub(r'\n<aside class="pf-subscribe-box".*?</aside>', "", html, flags=re.S)


@pytest.fixture(scope="module")
def with_form(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, str]:
    """The same site built without subscribe_form, then with it; and the home without."""
    site = Site(tmp_path_factory.mktemp("digest-form"))
    add_papers(site)
    site.build()
    home = site.html("")
    site.plugin_options = {"subscribe_form": dict(FORM)}
    site.build()
    return site, home


def test_without_a_form_the_home_page_is_the_same_but_for_the_box(
    with_form: tuple[Site, str],
) -> None:
    site, home_without = with_form
    home = site.html("")
    assert "pf-subscribe" not in home_without and 'method="post"' not in home_without
    assert home != home_without and without_box(home) == home_without


def test_the_form_posts_the_address_to_the_provider(with_form: tuple[Site, str]) -> None:
    site, _ = with_form
    for page, field_id in (("", "pf-subscribe-home"), ("subscribe", "pf-subscribe-page")):
        html = site.html(page)
        (form,) = re.findall(r'<form class="pf-subscribe"[^>]*>.*?</form>', html, flags=re.S)
        assert f'method="post" action="{FORM["action"]}"' in form
        assert f'id="{field_id}" type="email" name="email" required' in form
        assert "Your address goes to buttondown.com" in form
        # the provider's host appears in the form alone: nothing of it is loaded
        assert html.count("buttondown.com") == 2
    assert "Get these papers by email" in site.html("")
    assert "By email" in site.html("subscribe")


@pytest.mark.parametrize(
    ("form", "wanted"),
    [
        ({"action": "http://buttondown.com/x"}, "is not an https:// address"),
        ({"action": "https://u:pw@lists.example.org/"}, "has a user name or password in it"),
        ({"action": "https://lists.example.org/", "field": "e mail"}, "is not a form field name"),
        ({"field": "email"}, "'action': Required configuration not provided"),
    ],
)
def test_a_bad_form_is_refused_with_its_reason(
    site: Site, caplog: pytest.LogCaptureFixture, form: dict[str, str], wanted: str
) -> None:
    site.plugin_options = {"subscribe_form": form}
    with pytest.raises(Abort):
        site.build()
    assert "Plugin 'paperfeed' option 'subscribe_form'" in caplog.text and wanted in caplog.text


def open_page(browser: Any, url: str, width: int) -> tuple[Any, list[tuple[str, str, str]]]:
    """`url` in a new page; the list gets every request that left 127.0.0.1, refused."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    outside: list[tuple[str, str, str]] = []

    def only_local(route: Any, request: Any) -> None:
        if request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append((request.method, request.url, request.post_data or ""))
            route.abort()

    page.route("**/*", only_local)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # anything a script would fetch late
    return page, outside


@pytest.mark.parametrize("width", [375, 1280])
def test_the_box_asks_nothing_of_the_provider_until_submitted(
    with_form: tuple[Site, str], width: int
) -> None:
    site, _ = with_form
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(site.site_dir) as base, chromium() as browser:
        home, outside = open_page(browser, base, width)
        box = home.locator(".pf-subscribe-box")
        assert box.is_visible() and box.bounding_box()["width"] <= width
        home.screenshot(path=str(ARTIFACTS / f"digest-home-box-{width}.png"))
        page, outside_subscribe = open_page(browser, base + "subscribe/", width)
        page.screenshot(path=str(ARTIFACTS / f"digest-subscribe-{width}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        assert outside == [] and outside_subscribe == []  # nothing on load
        page.fill("#pf-subscribe-page", "ada@example.org")
        with page.expect_request(FORM["action"]):
            page.click(".pf-subscribe__button")
        page.wait_for_timeout(100)
    assert outside_subscribe == [("POST", FORM["action"], "email=ada%40example.org")]


def test_an_empty_address_is_not_sent(with_form: tuple[Site, str]) -> None:
    site, _ = with_form
    with serve(site.site_dir) as base, chromium() as browser:
        page, outside = open_page(browser, base, 1280)
        page.click(".pf-subscribe__button")  # the browser checks the required email box
        page.fill("#pf-subscribe-home", "not an address")
        page.click(".pf-subscribe__button")
        page.wait_for_timeout(300)
        assert page.evaluate("document.querySelector('#pf-subscribe-home').validity.valid") is False
    assert outside == []


def test_a_feeds_own_digest_template_shapes_the_digest_feeds(site: Site) -> None:
    add_papers(site)
    (site.root / "overrides").mkdir()
    (site.root / "overrides" / "digest.html").write_text(
        "<p>Our lab's picks: {{ digest.subject }}</p>\n", encoding="utf-8"
    )
    site.build()
    content = rss_items(site, "week")[0].findtext(CONTENT) or ""
    subject = "Lab Feed: top papers of week 49 of 2024 (December 2 – December 8)"
    assert content == f"<p>Our lab's picks: {subject}</p>\n"
