"""The input paths that strangers control (issue 19): entry files, symlinks, API answers,
BibTeX files. Each case is the real thing: the real CLI in a temporary feed, a real build,
a real local HTTP(S) server.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import trustme
from mkdocs.exceptions import Abort

from conftest import Site, entry, write_entry
from localserver import LocalServer, Reply, client, fixture
from paperfeed.cite import bibtex
from paperfeed.entry import Paper
from paperfeed.importers import Failed, Found, arxiv
from paperfeed.importers import bibtex as bibtex_importer
from paperfeed.importers.http import Client, FetchError

QUERY = "/api/query"
GOOD = b"id: good\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"


def paperfeed(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


# --- complex keys -------------------------------------------------------------------


def test_a_list_or_mapping_as_a_key_is_a_problem_with_its_line(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "list.yaml").write_bytes(GOOD.replace(b"id: good\n", b"id: a\n? [a, b]\n: c\n"))
    (papers / "map.yaml").write_bytes(
        GOOD.replace(b"id: good\n", b"id: b\n") + b"links:\n  ? {code: x}\n  : https://a.org\n"
    )
    (papers / "flow.yaml").write_bytes(b"{[x]: 1, id: c}\n")
    result = paperfeed(tmp_path, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "papers/flow.yaml:1: file: has a list as a key: a key is a name, as in `title: ...`",
        "papers/list.yaml:2: file: has a list as a key: a key is a name, as in `title: ...`",
        "papers/map.yaml:8: links: has a mapping as a key: a key is a name, as in `title: ...`",
        "3 problem(s) found: fix them and run again.",
    ]


# --- line ends (the leftover of issue 15) ----------------------------------------------


def test_crlf_line_ends_are_read_as_lf(tmp_path: Path) -> None:
    write = tmp_path / "papers" / "good.yaml"
    write.parent.mkdir()
    write.write_bytes(GOOD.replace(b"\n", b"\r\n"))
    result = paperfeed(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1 papers OK (1 days, 0 tags)\n"


def test_crlf_keeps_the_line_numbers_of_errors_right(tmp_path: Path) -> None:
    raw = GOOD.replace(b"published: 2024-01-01", b"published: 2024-02-30") + b"abstact: x\n"
    write = tmp_path / "papers" / "x.yaml"
    write.parent.mkdir()
    write.write_bytes(raw.replace(b"\n", b"\r\n"))
    result = paperfeed(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "papers/x.yaml:5: published: '2024-02-30' is not a real date: check the month and day",
        "papers/x.yaml:7: abstact: is not a field of a paper entry: did you mean `abstract`?",
    ]


def test_a_lone_carriage_return_is_still_an_error_with_its_line(tmp_path: Path) -> None:
    write = tmp_path / "papers" / "x.yaml"
    write.parent.mkdir()
    # CRLF on the first lines is fine; the CR alone on line 3 is not.
    write.write_bytes(GOOD.replace(b"\n", b"\r\n", 2).replace(b"abstract: B\n", b"abstract: B\r"))
    result = paperfeed(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "papers/x.yaml:4: file: has a carriage return (CR) without a line feed: "
        "save it with LF line ends"
    )


# --- symbolic links ----------------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the feed that a link must never let the build read."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_bytes(GOOD.replace(b"title: T", b"title: TOP-SECRET-VALUE"))
    return path


def test_check_refuses_an_entry_file_that_is_a_link(tmp_path: Path, secret: Path) -> None:
    feed = tmp_path / "feed"
    write_entry(feed / "papers", entry(id="real"))
    (feed / "papers" / "linked.yaml").symlink_to(secret)
    result = paperfeed(feed, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "papers/linked.yaml: file: is a symbolic link: entries must be real files, so that a "
        "pull request cannot make the build read a file outside papers/; put the entry itself "
        "there",
        "1 problem(s) found: fix them and run again.",
    ]
    assert "TOP-SECRET" not in result.stderr + result.stdout


def test_check_refuses_a_folder_that_is_a_link(tmp_path: Path, secret: Path) -> None:
    feed = tmp_path / "feed"
    write_entry(feed / "papers", entry(id="real"))
    (feed / "papers" / "2024").symlink_to(secret.parent, target_is_directory=True)
    result = paperfeed(feed, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "papers/2024: folder: is a symbolic link to a folder: entries must be in real folders "
        "under papers/; replace the link with a folder"
    )


def test_a_dangling_entry_link_is_refused_too(tmp_path: Path) -> None:
    write_entry(tmp_path / "papers", entry(id="real"))
    (tmp_path / "papers" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = paperfeed(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.startswith("papers/gone.yaml: file: is a symbolic link: ")


def test_the_build_refuses_a_link_and_keeps_the_previous_site(
    site: Site, secret: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site.add(id="real")
    site.build()
    before = site.files()
    (site.papers / "linked.yaml").symlink_to(secret)
    with pytest.raises(Abort):
        site.build()
    assert "papers/linked.yaml: file: is a symbolic link: entries must be real files" in caplog.text
    assert "TOP-SECRET" not in caplog.text
    assert site.files() == before


@pytest.fixture
def arxiv_server(server: LocalServer) -> LocalServer:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    return server


@pytest.mark.parametrize("linked", ["papers/2024", "papers/2024/11"])
def test_add_never_writes_through_a_linked_folder(
    tmp_path: Path, arxiv_server: LocalServer, linked: str
) -> None:
    feed, outside = tmp_path / "feed", tmp_path / "outside"
    outside.mkdir()
    (feed / linked).parent.mkdir(parents=True)
    (feed / linked).symlink_to(outside, target_is_directory=True)
    result = paperfeed(
        feed, "add", "2401.10215", "--added=2024-11-27", f"--arxiv-api={arxiv_server.url(QUERY)}"
    )
    assert result.returncode == 1
    assert f"2401.10215: {linked} is a symbolic link: paperfeed writes entries only into " in (
        result.stderr
    )
    assert "replace the link with a real folder" in result.stderr
    assert list(outside.rglob("*")) == []


def test_add_never_writes_through_a_linked_entry_file(
    tmp_path: Path, arxiv_server: LocalServer
) -> None:
    feed, target = tmp_path / "feed", tmp_path / "target.yaml"
    link = feed / "papers/2024/11/2401.10215.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)  # dangling: writing through it would create the target
    result = paperfeed(
        feed, "add", "2401.10215", "--added=2024-11-27", f"--arxiv-api={arxiv_server.url(QUERY)}"
    )
    assert result.returncode == 1
    assert "papers/2024/11/2401.10215.yaml is a symbolic link" in result.stderr
    assert "replace the link with a real file" in result.stderr
    assert not target.exists() and link.is_symlink()


# --- the arXiv answer: no document type, whatever the encoding ---------------------------

ENTITY_FEED = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE feed [<!ENTITY boom "EXPANDED-ENTITY">]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    "<id>http://arxiv.org/api/errors#x</id><summary>&boom;&boom;</summary>"
    "</entry></feed>\n"
)


DECLARATIONS = {
    "UTF-16 declared": ("utf-16", 'encoding="UTF-16"'),
    "UTF-16 by its byte-order mark alone": ("utf-16", ""),
    "UTF-8": ("utf-8", 'encoding="UTF-8"'),
}


@pytest.mark.parametrize("codec, declared", DECLARATIONS.values(), ids=DECLARATIONS.keys())
def test_a_document_type_is_refused_in_any_encoding(
    server: LocalServer, codec: str, declared: str
) -> None:
    body = ENTITY_FEED.replace('encoding="UTF-16"', declared).encode(codec)
    assert b"<!DOCTYPE" not in body or codec == "utf-8"  # what the old byte check missed
    server.route(QUERY, Reply(body))
    (result,) = arxiv.fetch(["2402.00042"], client(), server.url(QUERY)).values()
    assert isinstance(result, Failed)
    assert result.reason == (
        "the arXiv API answered HTTP 200 without a usable feed: "
        "it declares a document type, which is refused"
    )
    assert "EXPANDED-ENTITY" not in result.reason


def test_a_utf16_feed_without_a_document_type_still_reads(server: LocalServer) -> None:
    text = (
        fixture("arxiv_batch.xml").decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
    )
    server.route(QUERY, Reply(text.encode("utf-16")))
    results = arxiv.fetch(["2402.00042"], client(), server.url(QUERY))
    assert isinstance(results["2402.00042"], Found)


# --- HTTP: size, redirects, the whole-request deadline -----------------------------------


@pytest.mark.parametrize("send_length", [True, False], ids=["with length", "without length"])
def test_an_answer_larger_than_the_limit_is_refused(server: LocalServer, send_length: bool) -> None:
    server.route("/big", Reply(b"x" * 50_000, send_length=send_length))
    small = Client(timeout=5.0, attempts=1, max_bytes=10_000)
    with pytest.raises(FetchError) as info:
        small.get(server.url("/big"))
    assert str(info.value) == (
        f"{server.url('/big')}: the answer is larger than 10,000 bytes, the most paperfeed "
        "reads: refused"
    )
    assert len(server.requests) == 1  # refused, not retried


def test_an_answer_at_the_limit_is_read_whole(server: LocalServer) -> None:
    server.route("/fits", Reply(b"y" * 10_000, send_length=False))
    reply = Client(timeout=5.0, attempts=1, max_bytes=10_000).get(server.url("/fits"))
    assert reply.body == b"y" * 10_000


def test_a_chunked_answer_is_read_as_its_content(server: LocalServer) -> None:
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    server.route(
        "/chunked",
        Reply(chunked, send_length=False, headers={"Transfer-Encoding": "chunked"}),
    )
    assert Client(timeout=5.0, attempts=1).get(server.url("/chunked")).body == b"hello world"


def test_the_limit_defaults_to_a_few_megabytes() -> None:
    assert 1 << 20 <= Client().max_bytes <= 16 << 20


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[LocalServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with LocalServer(tls=context) as running:
        yield running


def trusting(ca: trustme.CA) -> Client:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return Client(timeout=5.0, attempts=1, ssl_context=context)


def test_a_redirect_from_https_to_http_is_refused(
    https_server: LocalServer, server: LocalServer, ca: trustme.CA
) -> None:
    server.route("/plain", Reply(b"unencrypted"))
    https_server.route("/start", Reply(status=302, headers={"Location": server.url("/plain")}))
    start = https_server.url("/start")
    with pytest.raises(FetchError) as info:
        trusting(ca).get(start)
    assert str(info.value) == (
        f"{start}: redirected to {server.url('/plain')}, which is not https: refused, as it "
        "would send the request and take the answer unencrypted"
    )
    assert server.requests == []  # nothing was sent in the clear


def test_a_redirect_within_https_is_followed(https_server: LocalServer, ca: trustme.CA) -> None:
    https_server.route("/start", Reply(status=301, headers={"Location": "/moved"}))
    https_server.route("/moved", Reply(b"here"))
    reply = trusting(ca).get(https_server.url("/start"))
    assert (reply.status, reply.body) == (200, b"here")


def test_the_arxiv_importer_reports_the_downgrade(
    https_server: LocalServer, server: LocalServer, ca: trustme.CA
) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    https_server.route(QUERY, Reply(status=302, headers={"Location": server.url(QUERY)}))
    (result,) = arxiv.fetch(["2402.00042"], trusting(ca), https_server.url(QUERY)).values()
    assert isinstance(result, Failed)
    assert "which is not https: refused" in result.reason


def test_the_timeout_bounds_the_whole_request_not_each_read(server: LocalServer) -> None:
    # 60 bytes 0.1 s apart: every read is quick, the answer takes 6 s.
    server.route("/slow", Reply(b"z" * 60, drip=0.1))
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        Client(timeout=0.5, attempts=1).get(server.url("/slow"))
    assert time.monotonic() - started < 2.0
    assert str(info.value).endswith("no answer within 0.5 s (1 attempts): try again later")


def test_a_slow_answer_without_a_length_is_not_taken_as_complete(server: LocalServer) -> None:
    server.route("/slow", Reply(b"z" * 60, drip=0.1, send_length=False))
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s"):
        Client(timeout=0.5, attempts=1).get(server.url("/slow"))


def test_a_slow_but_timely_answer_is_read(server: LocalServer) -> None:
    server.route("/drip", Reply(b"abc", drip=0.05))
    assert Client(timeout=5.0, attempts=1).get(server.url("/drip")).body == b"abc"


@contextmanager
def stalled_handshake(drip: float | None) -> Iterator[str]:
    """An https address whose server takes the connection and reads the ClientHello,
    then never finishes the handshake: silent (`drip` None), or sending the start of a
    large TLS record a byte every `drip` seconds, each read quick, the whole endless."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)  # the ClientHello
            record = b"\x16\x03\x03\x40\x00" + b"\x00" * 16384  # a handshake record
            for at in range(len(record)):
                if stop.wait(drip if drip is not None else 10.0) or drip is None:
                    return
                try:
                    conn.sendall(record[at : at + 1])
                except OSError:
                    return  # the client gave up: that was the test

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(5.0)
        listener.close()


@pytest.mark.parametrize("drip", [0.05, None], ids=["trickling", "silent"])
def test_the_timeout_covers_the_tls_handshake(drip: float | None) -> None:
    with stalled_handshake(drip) as url:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            Client(timeout=0.5, attempts=1).get(url)
        took = time.monotonic() - started
    assert took < 0.5 + 0.5
    # The handshake is part of connecting: either way, the module's own words.
    assert re.fullmatch(
        rf"{re.escape(url)}: no (answer|connection) within 0\.5 s \(1 attempts\): try again "
        "later",
        str(info.value),
    )


def test_the_timeout_counts_the_time_connecting_before_the_handshake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A connection that takes 0.8 s of a 1 s deadline (a slow network: a loopback
    # connection is instant) leaves the handshake 0.2 s, not a whole second more.
    connect = socket.create_connection

    def slow(*args: Any, **kwargs: Any) -> socket.socket:
        time.sleep(0.8)
        return connect(*args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", slow)
    with stalled_handshake(None) as url:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"no (answer|connection) within 1 s"):
            Client(timeout=1.0, attempts=1).get(url)
        took = time.monotonic() - started
    assert 0.8 <= took < 1.0 + 0.4


# --- BibTeX: macros that double ----------------------------------------------------------


def doubling(levels: int) -> str:
    lines = ['@string{m0 = "xx"}']
    lines += [f"@string{{m{n} = m{n - 1} # m{n - 1}}}" for n in range(1, levels + 1)]
    lines.append(f"@misc{{key, title = m{levels}, author = {{A B}}, year = 2024}}")
    return "\n".join(lines) + "\n"


def test_a_macro_bomb_file_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.bib"
    path.write_text(doubling(18), encoding="utf-8")
    assert path.stat().st_size < 500
    started = time.perf_counter()
    (result,) = bibtex_importer.import_file(path, client())
    assert time.perf_counter() - started < 1.0
    assert str(result) == (
        "@string m14: line 15: the macro expands to more than 20,000 characters, longer than "
        "any field of an entry (macros that double each other?): the file is refused"
    )


def test_add_from_a_macro_bomb_exits_1_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "bomb.bib").write_text(doubling(18), encoding="utf-8")
    result = paperfeed(tmp_path, "add", "--from-bibtex=bomb.bib", "--added=2024-11-27")
    assert result.returncode == 1
    assert "@string m14: line 15: the macro expands to more than 20,000 characters" in (
        result.stderr
    )
    assert not (tmp_path / "papers").exists()


def test_a_field_grown_past_the_limit_names_its_entry() -> None:
    text = doubling(12).replace("title = m12", "title = m12 # m12 # m12 # m12 # m12")
    (result,) = [failed for _, failed in bibtex_importer.read(text)[1]]
    assert str(result) == (
        "key: line 14: its title expands to more than 20,000 characters, longer than any "
        "field of an entry (macros that double each other?): the file is refused"
    )


def test_macros_adding_up_past_the_file_budget_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bibtex_importer, "MAX_MACRO_TEXT", 1000)
    body = "".join(f"@misc{{k{n}, title = long, author = {{A}}}}\n" for n in range(20))
    (result,) = [
        f for _, f in bibtex_importer.read('@string{long = "' + "w" * 100 + '"}\n' + body)[1]
    ]
    # k0 to k9 add 100 characters each, the whole budget: k10 is one too many.
    assert str(result) == (
        "k10: line 12: its title makes the file's macros expand to more than 1,000 characters "
        "in all: the file is refused"
    )


def test_a_long_value_written_out_is_not_a_bomb() -> None:
    abstract = "word " * 5000  # 25,000 characters, no macro: the model says it is too long
    cited, failed = bibtex_importer.read(
        "@misc{k, title = {T}, author = {A}, abstract = {" + abstract + "}}\n"
    )
    assert failed == [] and len(cited[0].fields["abstract"]) == len(abstract.strip())


# --- BibTeX out: DOIs and URLs -----------------------------------------------------------


def bib_fields(paper: Paper) -> dict[str, str]:
    """The fields of the paper's BibTeX entry, as a BibTeX parser reads them back."""
    (parsed,) = bibtexparser.parse_string(bibtex(paper)).entries
    return {name: field.value for name, field in parsed.fields_dict.items()}


def test_doi_and_url_fields_escape_tex_specials() -> None:
    fields = bib_fields(Paper.model_validate(entry(doi="10.1000/a%b#c~d\\e{f}")))
    # ~, \ and braces percent-encoded (the same address); % and # as TeX escapes.
    assert fields["doi"] == "10.1000/a\\%b\\#c%7Ed%5Ce%7Bf%7D"
    assert fields["url"] == "https://doi.org/10.1000/a\\%b\\#c%7Ed%5Ce%7Bf%7D"
    for value in (fields["doi"], fields["url"]):
        bare = value.replace("\\%", "").replace("\\#", "")
        assert not set(bare) & set("\\#~{}"), value
        assert "%" not in bare.replace("%7E", "").replace("%5C", "").replace("%7B", "").replace(
            "%7D", ""
        ), value


def test_a_project_url_keeps_its_address_in_bibtex() -> None:
    paper = Paper.model_validate(
        entry(links={"project": "https://lab.example.org/~ada/p%C3%A9#top"})
    )
    assert bib_fields(paper)["url"] == "https://lab.example.org/%7Eada/p\\%C3\\%A9\\#top"
