"""Email digests: what they say, the email they make, and sending it to a real SMTP
server (aiosmtpd on 127.0.0.1) exactly once per subscriber, whatever fails."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import Site, write_text
from hostile import PAYLOADS, add_hostile_papers
from paperfeed import cli_digest
from paperfeed.catalog import Catalog
from paperfeed.cli_digest import digest
from paperfeed.digest import (
    DigestSettings,
    Period,
    build_digest,
    digest_message,
    digests,
    newest_period,
    periods_with_papers,
    render_html,
)
from paperfeed.digest.send import Pace, SendState, SmtpSettings, send_digest
from paperfeed.digest.subscribers import masked, parse_subscribers
from paperfeed.errors import PaperfeedError
from paperfeed.feed_config import read_feed_config
from paperfeed.load import load_papers
from smtpserver import Behaviour, SmtpServer

URL = "https://feeds.example.org/lab/"
UNSUBSCRIBE = "https://forms.example.org/unsubscribe?email={email}"
PASSWORD = "s3cret-Pa55word"
SUBSCRIBERS = ["ada@example.org", "alan@example.net", "grace@example.com"]


# -- a feed, a server, the command ---------------------------------------------------


@pytest.fixture
def feed(site: Site) -> Site:
    """Twelve papers in week 48 of 2024 (upvotes tie on purpose), two in week 49."""
    site.plugin_options = {"papers_dir": "papers", "unsubscribe_url": UNSUBSCRIBE}
    for n in range(12):
        site.add(
            id=f"2411.{n:05d}",
            title=f"Paper {n:02d}",
            arxiv=f"2411.{n:05d}",
            authors=[f"Author {a}" for a in range(n % 6 + 1)],
            added=f"2024-11-{25 + n % 5}",
            upvotes=(n * 7) % 5,
            tags=["vision"] if n % 2 else [],
            summary="A one-line TL;DR." if n % 3 == 0 else None,
            abstract=f"We study $x^{n}$ things, see https://example.org/{n}.\n\nMore.",
        )
    site.add(id="2412.00001", title="December one", added="2024-12-02", upvotes=1)
    site.add(id="2412.00002", title="December two", added="2024-12-03", upvotes=2)
    site.config()
    return site


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def subscribers_file(root: Path, lines: list[str]) -> Path:
    path = root / "subscribers.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(feed: Site, *args: str, env: dict[str, str] | None = None) -> Result:
    config = ["--config-file", str(feed.root / "mkdocs.yml")]
    return CliRunner().invoke(digest, [*config, *args], env=env)


def send(feed: Site, smtp: SmtpServer, to: Path, *args: str) -> Result:
    return run(feed, "--period", "week", "--date", "2024-11-27", "--send", "--to-file", str(to),
               *args, env=smtp.env())  # fmt: skip


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries after 10 ms, not seconds."""
    monkeypatch.setattr(cli_digest, "Pace", functools.partial(Pace, backoff=0.01))


class Links(HTMLParser):
    """Every element and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def parsed(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    # MIME text has CRLF line ends (RFC 2046); compare as Python text
    return tuple(part.get_content().replace("\r\n", "\n") for part in (text, html))  # type: ignore[return-value]


# -- periods and content ---------------------------------------------------------------


def test_a_period_knows_its_key_page_and_end() -> None:
    week = Period.containing("week", date(2024, 11, 27))
    assert (week.key, week.first, week.last) == ("2024-W48", date(2024, 11, 25), date(2024, 12, 1))
    assert week.path == "weeks/2024-W48/" and week.id == "week:2024-W48"
    assert week.end == datetime(2024, 12, 2, tzinfo=timezone.utc)
    assert week.title == "week 48 of 2024 (November 25 – December 1)"
    assert Period.parse("week", "2024-W48") == week
    day = Period.containing("day", date(2024, 11, 27))
    assert (day.key, day.path, day.title) == (
        "2024-11-27",
        "days/2024-11-27/",
        "Wednesday, November 27, 2024",
    )
    # ISO weeks cross years: 2024-12-30 is in week 1 of 2025
    assert Period.containing("week", date(2024, 12, 30)).key == "2025-W01"
    with pytest.raises(PaperfeedError, match="not a week"):
        Period.parse("week", "2024-48")


def test_periods_with_papers_are_listed_newest_first(feed: Site) -> None:
    papers = load_papers(feed.papers, feed.root).values()
    assert [p.key for p in periods_with_papers(papers, "week")] == ["2024-W49", "2024-W48"]
    assert newest_period(papers, "day") == Period.containing("day", date(2024, 12, 3))
    assert newest_period([], "week") is None


def test_a_digest_ranks_as_the_periods_page_and_keeps_the_top_ten(feed: Site) -> None:
    catalog = Catalog(load_papers(feed.papers, feed.root))
    settings = DigestSettings("Lab Feed", URL)
    made = build_digest(catalog, Period.parse("week", "2024-W48"), settings)
    page_order = [card.paper["id"] for card in catalog.week("2024-W48").cards]
    assert [p.id for p in made.papers] == page_order[:10]
    assert made.total == 12 and len(made.papers) == 10
    first = made.papers[0]
    assert first.url == f"{URL}papers/{first.id}/"
    assert [p.upvotes for p in made.papers] == sorted(
        (p.upvotes for p in made.papers), reverse=True
    )
    # authors as on the cards: the first three, and a count of the rest
    six = next(p for p in made.papers if p.authors_count == 6)
    assert six.authors_shown == ("Author 0", "Author 1", "Author 2") and six.authors_more == 3
    # the TL;DR when there is one, else the start of the abstract (math kept as TeX)
    by_id = {p.id: p for p in made.papers}
    assert [piece.text for piece in by_id["2411.00003"].blurb] == ["A one-line TL;DR."]
    assert dict(by_id["2411.00001"].links) == {
        "arxiv": "https://arxiv.org/abs/2411.00001",
        "pdf": "https://arxiv.org/pdf/2411.00001",
    }
    assert by_id["2411.00001"].tags == (("vision", f"{URL}tags/vision/"),)
    day = build_digest(catalog, Period.parse("day", "2024-12-03"), settings)
    assert [p.id for p in day.papers] == ["2412.00002"]
    assert [d.period.key for d in digests(catalog, "week", settings)] == ["2024-W49", "2024-W48"]


def test_a_period_without_papers_makes_an_empty_digest(feed: Site) -> None:
    catalog = Catalog(load_papers(feed.papers, feed.root))
    made = build_digest(catalog, Period.parse("week", "2024-W40"), DigestSettings("L", URL))
    assert made.papers == () and made.total == 0


def test_settings_need_an_absolute_site_url() -> None:
    with pytest.raises(PaperfeedError, match="site_url"):
        DigestSettings("Lab", "/lab/")
    with pytest.raises(PaperfeedError, match="https"):
        DigestSettings("Lab", URL, unsubscribe_url="http://x.example.org/")
    assert DigestSettings("Lab", "https://x.example.org").site_url == "https://x.example.org/"


# -- the email ---------------------------------------------------------------------------


def week_digest(feed: Site, limit: int = 10):  # noqa: ANN201
    catalog = Catalog(load_papers(feed.papers, feed.root))
    settings = DigestSettings("Lab Feed", URL, limit, UNSUBSCRIBE)
    return build_digest(catalog, Period.parse("week", "2024-W48"), settings)


def test_the_email_has_text_and_html_and_every_header(feed: Site) -> None:
    made = week_digest(feed)
    message = digest_message(made, "ada@example.org", "digest@feeds.example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message["To"] == "ada@example.org"
    assert message["From"] == "Lab Feed <digest@feeds.example.org>"
    assert (
        message["Subject"] == "Lab Feed: top papers of week 48 of 2024 (November 25 – December 1)"
    )
    assert message["Date"] == "Mon, 02 Dec 2024 00:00:00 +0000"
    assert re.fullmatch(r"<[0-9a-f]{32}@feeds\.example\.org>", message["Message-ID"])
    assert message["List-Unsubscribe"] == (
        "<mailto:digest@feeds.example.org?subject=unsubscribe>, "
        "<https://forms.example.org/unsubscribe?email=ada@example.org>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = bodies(message)
    assert f"{URL}weeks/2024-W48/" in text and f'href="{URL}weeks/2024-W48/"' in html
    assert "Lab Feed" in text and "Lab Feed" in html
    assert text.count(f"{URL}papers/") == 10
    assert "We study $x^1$ things" in text  # abstract math as its TeX


def test_every_link_in_the_html_is_absolute_and_nothing_is_fetched(feed: Site) -> None:
    html = render_html(week_digest(feed), "ada@example.org")
    found = parsed(html)
    hrefs = [value for name, value in found.attributes if name == "href"]
    assert hrefs and all(href.startswith("https://") for href in hrefs)
    assert not {"script", "img", "link", "iframe", "object", "svg", "math"} & set(found.tags)
    assert not [name for name, _ in found.attributes if name in ("src", "srcset", "background")]
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "max-width:600px" in html and "prefers-color-scheme: dark" in html


def test_same_papers_same_bytes_and_one_message_id_per_recipient(feed: Site) -> None:
    made = week_digest(feed)
    one = digest_message(made, "ada@example.org", "digest@feeds.example.org").as_bytes()
    again = digest_message(week_digest(feed), "ada@example.org", "digest@feeds.example.org")
    assert one == again.as_bytes()
    other = digest_message(made, "alan@example.net", "digest@feeds.example.org")
    assert other["Message-ID"] != again["Message-ID"]
    # the command writes the same bytes on every run
    out_a, out_b = feed.root / "a.eml", feed.root / "b.eml"
    for out in (out_a, out_b):
        result = run(feed, "--period", "week", "--date", "2024-11-25", "--out", str(out))
        assert result.exit_code == 0, result.output
    assert out_a.read_bytes() == out_b.read_bytes()


def test_the_command_writes_the_newest_period_to_stdout(feed: Site) -> None:
    result = CliRunner().invoke(
        digest,
        ["--period", "day", "--config-file", str(feed.root / "mkdocs.yml"), "--to", "me@x.org"],
    )
    assert result.exit_code == 0, result.output
    assert "Subject: Lab Feed: top papers of Tuesday, December 3, 2024" in result.output
    assert "To: me@x.org" in result.output


def test_a_feed_overrides_the_templates_in_its_overrides_folder(feed: Site) -> None:
    write_text(feed.root / "overrides" / "digest.txt", "Ours: {{ digest.period.key }}\n")
    out = feed.root / "w.eml"
    result = run(feed, "--period", "week", "--date", "2024-11-25", "--out", str(out))
    assert result.exit_code == 0, result.output
    text, html = bodies(_message(out.read_bytes()))
    assert text == "Ours: 2024-W48\n"
    assert "Top papers of week 48" in html  # the packaged HTML still


def _message(data: bytes) -> EmailMessage:
    from email import message_from_bytes, policy

    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


# -- hostile input -----------------------------------------------------------------------


def test_hostile_entries_are_inert_in_html_text_and_headers(site: Site) -> None:
    add_hostile_papers(site)
    catalog = Catalog(load_papers(site.papers, site.root))
    hostile_name = "Lab\r\nBcc: victim@example.org\nX-Injected: 1"
    settings = DigestSettings(hostile_name, URL, limit=50, unsubscribe_url=UNSUBSCRIBE)
    made = build_digest(catalog, Period.parse("week", "2024-W48"), settings)
    assert len(made.papers) == len(PAYLOADS)
    message = digest_message(made, "ada@example.org", "digest@feeds.example.org")
    data = message.as_bytes()
    headers = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = [line.split(":", 1)[0] for line in headers.split("\r\n") if line[:1] not in " \t"]
    assert names == [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Id",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "MIME-Version",
        "Content-Type",
    ]
    reparsed = _message(data)
    assert reparsed["Bcc"] is None and reparsed["X-Injected"] is None
    assert reparsed["Subject"].startswith("Lab Bcc: victim@example.org X-Injected: 1: top papers")
    text, html = bodies(reparsed)
    found = parsed(html)
    assert not {"script", "img", "iframe", "svg", "b"} & set(found.tags)
    assert not [name for name, _ in found.attributes if name.startswith("on")]
    hrefs = [value for name, value in found.attributes if name == "href"]
    assert all(href.startswith("https://") for href in hrefs)
    for payload in PAYLOADS.values():
        assert payload in text  # text stays text, as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html


def test_a_line_break_in_a_title_never_makes_a_header(site: Site) -> None:
    site.add(id="evil", title="Nice paper\nBcc: victim@example.org")
    site.plugin_options = {}
    site.config()
    catalog = Catalog(load_papers(site.papers, site.root))
    made = build_digest(catalog, Period.parse("day", "2024-11-27"), DigestSettings("L", URL))
    reparsed = _message(digest_message(made, "a@example.org", "d@example.org").as_bytes())
    assert reparsed["Bcc"] is None
    assert "Nice paper" in bodies(reparsed)[0]


def test_a_recipient_with_a_line_break_is_refused(feed: Site) -> None:
    with pytest.raises(PaperfeedError, match="line break"):
        digest_message(week_digest(feed), "a@example.org\r\nBcc: b@example.org", "d@example.org")


# -- subscribers ---------------------------------------------------------------------------


def test_bad_subscriber_lines_are_reported_by_line_and_skipped() -> None:
    text = "\n".join(
        [
            "# weekly digest",  # 1
            "ada@example.org",  # 2
            "",  # 3
            "not an address",  # 4
            "two@@example.org",  # 5
            "  alan@example.net  ",  # 6
            "ADA@example.org",  # 7: twice
            "x@localhost",  # 8: no dot in the domain
        ]
    )
    found = parse_subscribers(text, "subscribers.txt")
    assert found.addresses == ("ada@example.org", "alan@example.net")
    assert found.lines == (2, 6)
    assert [(p.line, p.message) for p in found.problems] == [
        (4, "is not an email address: it needs exactly one @: skipped"),
        (5, "is not an email address: it needs exactly one @: skipped"),
        (7, "is already on line 2: skipped"),
        (8, "is not an email address like name@example.org: skipped"),
    ]
    assert str(found.problems[0]).startswith("subscribers.txt:4: address: ")
    assert masked("ada@example.org") == "a***@example.org"


def test_the_command_reports_bad_lines_and_sends_to_the_rest(feed: Site, smtp: SmtpServer) -> None:
    to = subscribers_file(feed.root, ["# list", "ada@example.org", "oops-no-at", "b@example.org"])
    result = send(feed, smtp, to)
    assert result.exit_code == 1  # a maintainer should fix line 3
    assert f"{to}:3: address: is not an email address" in result.output
    assert "oops-no-at" not in result.output  # the line may be someone's address
    assert smtp.recipients() == ["ada@example.org", "b@example.org"]


# -- sending -----------------------------------------------------------------------------


def test_a_weekly_digest_reaches_each_subscriber_once(feed: Site, smtp: SmtpServer) -> None:
    to = subscribers_file(feed.root, SUBSCRIBERS)
    result = send(feed, smtp, to)
    assert result.exit_code == 0, result.output
    assert "week:2024-W48: 3 sent, 0 already sent before" in result.output
    assert smtp.recipients() == SUBSCRIBERS
    ids = set()
    for received, address in zip(smtp.received, SUBSCRIBERS, strict=True):
        assert received.rcpt_tos == [address]
        assert received.mail_from == "digest@feeds.example.org"
        message = received.message
        assert message["To"] == address
        assert message["Subject"].startswith("Lab Feed: top papers of week 48 of 2024")
        assert message["Date"] == "Mon, 02 Dec 2024 00:00:00 +0000"
        assert f"email={address}>" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe"].startswith("<mailto:digest@feeds.example.org")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        ids.add(message["Message-ID"])
        text, html = bodies(message)
        hrefs = [v for name, v in parsed(html).attributes if name == "href"]
        assert all(href.startswith("https://") for href in hrefs)
        assert text.count(URL + "papers/") == 10
    assert len(ids) == 3
    # the state names periods and hashed recipients, never an address
    state = (feed.root / "digest-state.json").read_text()
    assert "example" not in state
    assert len(json.loads(state)["periods"]["week:2024-W48"]["sent"]) == 3

    again = send(feed, smtp, to)
    assert again.exit_code == 0, again.output
    assert "0 sent, 3 already sent before" in again.output
    assert len(smtp.received) == 3


def test_refused_and_dropped_recipients_and_the_rest_arrive_once(
    feed: Site, quick_retries: None
) -> None:
    addresses = ["a@example.org", "refused@example.org", "slow@example.org",
                 "dropped@example.org", "e@example.org"]  # fmt: skip
    behaviour = Behaviour(
        refuse={"refused@example.org"},
        temporary={"slow@example.org": 1},
        drop={"dropped@example.org": 1},
    )
    to = subscribers_file(feed.root, addresses)
    with SmtpServer(behaviour) as smtp:
        result = send(feed, smtp, to)
        assert result.exit_code == 1, result.output
        assert smtp.connections_dropped == 1
        assert sorted(smtp.recipients()) == sorted(set(addresses) - {"refused@example.org"})
        assert f"{to}:2: r***@example.org: refused: 550 5.1.1 No such user here" in result.output
        assert "s***@example.org: try 1 failed: 451 4.3.0 Try again later" in result.output
        assert "d***@example.org: try 1 failed: SMTPServerDisconnected" in result.output
        assert "4 sent, 0 already sent before, 1 refused" in result.output

        again = send(feed, smtp, to)  # the refused one is tried again, no one else
        assert "0 sent, 4 already sent before, 1 refused" in again.output
        assert len(smtp.received) == 4


def test_a_run_that_loses_the_server_resumes_at_the_next_recipient(
    feed: Site, quick_retries: None
) -> None:
    addresses = [f"r{n}@example.org" for n in range(5)]
    to = subscribers_file(feed.root, addresses)
    with SmtpServer(Behaviour(drop={"r2@example.org": 99})) as smtp:
        result = send(feed, smtp, to)
        assert result.exit_code == 1
        assert "2 sent, 0 already sent before, 1 failed, 2 not tried" in result.output
        assert "out of reach: stopping" in result.output
        assert smtp.recipients() == ["r0@example.org", "r1@example.org"]
        smtp.behaviour.drop.clear()  # the server is back
        again = send(feed, smtp, to)
        assert again.exit_code == 0, again.output
        assert "3 sent, 2 already sent before" in again.output
        assert smtp.recipients() == addresses


def test_a_recipient_a_dead_run_was_sending_to_is_not_sent_again(
    feed: Site, smtp: SmtpServer
) -> None:
    state = SendState(feed.root / "digest-state.json")
    state.begin("week:2024-W48", "alan@example.net")  # then the run was killed
    result = send(feed, smtp, subscribers_file(feed.root, SUBSCRIBERS))
    assert "a***@example.net: an earlier run stopped while sending: not resent" in result.output
    assert smtp.recipients() == ["ada@example.org", "grace@example.com"]
    assert result.exit_code == 1  # someone should look


def test_a_period_with_no_papers_sends_nothing(feed: Site, smtp: SmtpServer) -> None:
    to = subscribers_file(feed.root, SUBSCRIBERS)
    result = run(feed, "--period", "week", "--date", "2024-10-01", "--send", "--to-file", str(to),
                 env=smtp.env())  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "No papers in week 2024-W40: no digest." in result.output
    assert smtp.received == [] and not (feed.root / "digest-state.json").exists()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_password_never_shows(feed: Site) -> None:
    behaviour = Behaviour(user="digest", password=PASSWORD)
    to = subscribers_file(feed.root, SUBSCRIBERS[:1])
    with SmtpServer(behaviour) as smtp:
        ok = send(feed, smtp, to)
        assert ok.exit_code == 0, ok.output
        assert smtp.logins == [("digest", PASSWORD)]
        assert len(smtp.received) == 1
        wrong = run(feed, "--period", "week", "--date", "2024-11-27", "--send", "--to-file",
                    str(subscribers_file(feed.root, SUBSCRIBERS)),
                    env={**smtp.env(), "PAPERFEED_SMTP_PASSWORD": PASSWORD + "x"})  # fmt: skip
    assert wrong.exit_code == 1
    assert "refused the login of 'digest' (535" in wrong.output
    assert "Traceback" not in wrong.output
    for output in (ok.output, wrong.output):
        assert PASSWORD not in output
    settings = SmtpSettings.from_env(smtp.env())
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.scrub(f"x {PASSWORD} y")
    # the abandoned recipient is not left "sending": a later run sends to it
    state = SendState(feed.root / "digest-state.json")
    assert state.status("week:2024-W48", SUBSCRIBERS[1]) is None


def test_a_password_never_crosses_the_network_in_the_clear(feed: Site) -> None:
    env = {
        "PAPERFEED_SMTP_HOST": "smtp.example.org",
        "PAPERFEED_SMTP_TLS": "none",
        "PAPERFEED_SMTP_USER": "u",
        "PAPERFEED_SMTP_PASSWORD": PASSWORD,
        "PAPERFEED_SMTP_FROM": "d@example.org",
    }
    to = subscribers_file(feed.root, SUBSCRIBERS)
    result = run(feed, "--period", "week", "--date", "2024-11-27", "--send", "--to-file", str(to),
                 env=env)  # fmt: skip
    assert result.exit_code == 1
    assert "PAPERFEED_SMTP_TLS is none: the password would cross the network" in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("env", "wanted"),
    [
        ({}, "PAPERFEED_SMTP_HOST is not set"),
        ({"PAPERFEED_SMTP_HOST": "h", "PAPERFEED_SMTP_TLS": "tls"}, "use one of starttls, ssl"),
        ({"PAPERFEED_SMTP_HOST": "h", "PAPERFEED_SMTP_PORT": "x"}, "PAPERFEED_SMTP_PORT is 'x'"),
        ({"PAPERFEED_SMTP_HOST": "h"}, "PAPERFEED_SMTP_FROM is not set"),
        ({"PAPERFEED_SMTP_HOST": "h", "PAPERFEED_SMTP_USER": "a@b.org"}, "PASSWORD is not"),
    ],
)
def test_smtp_settings_name_the_variable_to_fix(env: dict[str, str], wanted: str) -> None:
    with pytest.raises(PaperfeedError, match=re.escape(wanted)):
        SmtpSettings.from_env(env)


def test_smtp_settings_default_the_port_to_the_tls_mode() -> None:
    base = {"PAPERFEED_SMTP_HOST": "h", "PAPERFEED_SMTP_FROM": "d@example.org"}
    ports = {
        tls: SmtpSettings.from_env({**base, "PAPERFEED_SMTP_TLS": tls}).port
        for tls in ("starttls", "ssl", "none")
    }
    assert ports == {"starttls": 587, "ssl": 465, "none": 25}


def test_the_rate_limit_spaces_the_messages(feed: Site, smtp: SmtpServer) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    made = week_digest(feed)
    report = send_digest(
        lambda to: digest_message(made, to, "d@example.org"),
        made.period.id,
        SUBSCRIBERS,
        SmtpSettings.from_env(smtp.env()),
        SendState(feed.root / "state.json"),
        Pace(max_per_minute=30),
        sleep=sleep,
        clock=lambda: now[0],
    )
    assert report.sent == SUBSCRIBERS
    assert slept == [2.0, 2.0]  # 30 a minute: one every two seconds


def test_a_broken_state_file_stops_before_sending(feed: Site, smtp: SmtpServer) -> None:
    (feed.root / "digest-state.json").write_text("{not json")
    result = send(feed, smtp, subscribers_file(feed.root, SUBSCRIBERS))
    assert result.exit_code == 1
    assert "digest-state.json: state: cannot be read" in result.output
    assert smtp.received == []


# -- the feed's configuration and bad input --------------------------------------------


def test_feed_config_reads_mkdocs_tags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEED_URL", "https://env.example.org/feed/")
    path = write_text(
        tmp_path / "mkdocs.yml",
        """
        site_name: Lab Feed
        site_url: !ENV [FEED_URL, "https://default.example.org/"]
        docs_dir: !relative $config_dir/docs
        plugins:
          search: {}
          paperfeed:
            papers_dir: entries
            digest_limit: 5
            unsubscribe_url: https://forms.example.org/u
        """,
    )
    config = read_feed_config(path)
    assert config.site_url == "https://env.example.org/feed/"
    assert config.papers_dir == tmp_path / "entries"
    assert (config.digest_limit, config.unsubscribe_url) == (5, "https://forms.example.org/u")
    monkeypatch.delenv("FEED_URL")
    assert read_feed_config(path).site_url == "https://default.example.org/"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("site_name: [unclosed\n", "mkdocs.yml:2: file: is not valid YAML"),
        ("- a list\n", "file: is not a MkDocs configuration"),
        ("site_name: L\nplugins: [paperfeed]\n", "mkdocs.yml: site_url: is missing"),
        ("site_name: L\nsite_url: https://x.org/\n", "plugins: has no 'paperfeed' plugin"),
        (
            "site_name: L\nsite_url: https://x.org/\nplugins:\n- paperfeed: {digest_limit: ten}\n",
            "plugins.paperfeed.digest_limit: must be int, not 'ten'",
        ),
        (
            "site_name: L\nsite_url: /rel/\nplugins: [paperfeed]\n",
            "mkdocs.yml: digest: site_url '/rel/' is not a web address",
        ),
    ],
)
def test_a_bad_config_is_one_line_naming_the_file(tmp_path: Path, text: str, wanted: str) -> None:
    (tmp_path / "mkdocs.yml").write_text(text)
    result = CliRunner().invoke(
        digest, ["--period", "week", "--config-file", str(tmp_path / "mkdocs.yml")]
    )
    assert result.exit_code == 1
    assert wanted in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_a_missing_config_and_a_bad_entry_are_reported(feed: Site, tmp_path: Path) -> None:
    missing = CliRunner().invoke(digest, ["--period", "week", "--config-file", "nope.yml"])
    assert missing.exit_code == 1 and "nope.yml: file: cannot be read" in missing.output
    (feed.papers / "bad.yaml").write_text("id: Bad Id\n")
    result = run(feed, "--period", "week")
    assert result.exit_code == 1 and "papers/bad.yaml" in result.output


def test_usage_errors(feed: Site) -> None:
    assert run(feed, "--period", "week", "--send").exit_code == 2
    assert run(feed, "--period", "month").exit_code == 2
    assert run(feed, "--period", "week", "--date", "2024-13-01").exit_code == 2
    assert run(feed, "--period", "week", "--state", "s.json").exit_code == 2


@pytest.mark.parametrize(
    "text, where, says",
    [
        ("<p>{% if %}</p>\n", "digest.html:1: ", "Expected an expression"),
        ("<p>{{ nothing.here }}</p>\n", "digest.html: ", "'nothing' is undefined"),
        ('{% include "missing.html" %}\n', "digest.html: ", "missing.html"),
    ],
    ids=["syntax", "unknown-name", "missing-include"],
)
def test_a_feeds_broken_digest_template_is_named_with_the_fix(
    feed: Site, tmp_path: Path, text: str, where: str, says: str
) -> None:
    own = tmp_path / "overrides"
    own.mkdir()
    (own / "digest.html").write_text(text, encoding="utf-8")
    with pytest.raises(PaperfeedError) as raised:
        render_html(week_digest(feed), "ada@example.org", [own])
    report = str(raised.value)
    assert f"{own}/{where}digest template: " in report and says in report
    assert report.endswith("fix it, or remove it to use paperfeed's own")
