"""The arXiv importer against a real local HTTP server answering in arXiv's formats."""

from __future__ import annotations

import socket

import pytest

from localserver import LocalServer, Reply, fixture
from paperfeed.importers import Failed, Found, arxiv
from paperfeed.importers.http import Client

QUERY = "/api/query"


def quick_client(sleeps: list[float], **options: float) -> Client:
    """A client that records its pauses instead of taking them."""
    return Client(**{"timeout": 2.0, "attempts": 3, "backoff": 0.5, **options}, sleep=sleeps.append)


def fetch(server: LocalServer, ids: list[str], client: Client | None = None) -> dict:
    return arxiv.fetch(ids, client or quick_client([]), server.url(QUERY))


REFS = {
    "new style": ("2401.10215", "2401.10215"),
    "with version": ("2401.10215v2", "2401.10215"),
    "five digits": ("2410.17243", "2410.17243"),
    "old style": ("hep-th/9901001", "hep-th/9901001"),
    "old style with class and version": ("math.GT/0309136v1", "math.GT/0309136"),
    "arXiv: prefix": ("arXiv:2401.10215", "2401.10215"),
    "abs page": ("https://arxiv.org/abs/2401.10215v3", "2401.10215"),
    "abs page without scheme": ("arxiv.org/abs/2401.10215", "2401.10215"),
    "pdf link": ("https://arxiv.org/pdf/2401.10215.pdf", "2401.10215"),
    "pdf link with version": ("https://arxiv.org/pdf/2401.10215v2", "2401.10215"),
    "old style page": ("http://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
    "spaces around": ("  2401.10215\n", "2401.10215"),
}


@pytest.mark.parametrize("ref, wanted", REFS.values(), ids=REFS.keys())
def test_ids_and_addresses_name_the_paper_without_version(ref: str, wanted: str) -> None:
    assert arxiv.parse_ref(ref) == wanted


@pytest.mark.parametrize(
    "ref", ["abc", "2401.102", "HEP-TH/9901001", "https://example.org/abs/2401.10215", ""]
)
def test_anything_else_is_refused_before_any_request(ref: str) -> None:
    with pytest.raises(ValueError, match="is not an arXiv id or arxiv.org address"):
        arxiv.parse_ref(ref)


def test_several_ids_take_one_request_with_max_results(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    results = fetch(server, ["2401.10215", "2402.00042", "hep-th/9901001"])
    (request,) = server.requests
    assert request.query == {
        "id_list": "2401.10215,2402.00042,hep-th/9901001",
        "max_results": "3",
    }
    assert request.headers["User-Agent"].startswith("paperfeed/")
    assert all(isinstance(r, Found) for r in results.values())
    assert results["2401.10215"].fields == {
        "arxiv": "2401.10215",
        "title": "Sparse Lattice Sieves for Counting Tiny Things",
        "authors": ["Zoë Ångström", "Bram de Vries", "Chidi Okafor"],
        "abstract": "We count tiny things with sparse lattice sieves. The sieve runs in "
        "$O(n \\log n)$ time when the lattice has fewer than $k < n$ holes, and its error "
        "stays below 1% on every benchmark we tried. A second paragraph says that the code "
        "is at https://example.org/sieves.",
        "published": "2024-01-18",  # the first version's, though v2 was returned
        "doi": "10.5555/lattice.2024.17",
        "venue": "Journal of Small Counts 12, 34-56 (2024)",
        "tags": ["cs-cv"],
        "links": {
            "arxiv": "https://arxiv.org/abs/2401.10215",
            "pdf": "https://arxiv.org/pdf/2401.10215",
        },
    }


def test_a_falsy_title_and_a_dollar_amount_survive(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    fields = fetch(server, ["2402.00042"])["2402.00042"].fields
    assert fields["title"] == "0"
    assert "earned $35,000 in bounties" in fields["abstract"]
    assert "doi" not in fields and "venue" not in fields


def test_an_old_style_id_keeps_its_slash(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    fields = fetch(server, ["hep-th/9901001"])["hep-th/9901001"].fields
    assert (fields["arxiv"], fields["published"], fields["tags"]) == (
        "hep-th/9901001",
        "1999-01-04",
        ["hep-th"],
    )
    assert fields["links"]["arxiv"] == "https://arxiv.org/abs/hep-th/9901001"


def test_the_old_api_format_reads_the_same(server: LocalServer) -> None:
    # Namespaces declared on each element, http links, wrapped and indented text.
    server.route(QUERY, Reply(fixture("arxiv_old_format.xml")))
    results = fetch(server, ["1201.4242", "cond-mat/0501234"])
    sheep, maps = results["1201.4242"].fields, results["cond-mat/0501234"].fields
    assert sheep["title"] == (
        "Sheep Counted in a Very Narrow Corridor Stay in a One Dimensional Queue"
    )
    assert sheep["abstract"].startswith("We count sheep walking down a corridor so narrow")
    assert (sheep["doi"], sheep["venue"], sheep["tags"]) == (
        "10.5555/PIPE.2012.01",
        "Pipe Lett. 3, 101 (2012)",
        ["cond-mat-mes-hall"],
    )
    assert (maps["published"], maps["tags"]) == ("2005-01-11", ["cond-mat-str-el"])
    assert maps["abstract"] == (
        "A paper map on a square grid folds flat in two moves when the crease count is large "
        "(p >= 3)."
    )


def test_an_error_entry_is_an_error_naming_each_id_never_a_paper(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_error.xml"), status=400))
    results = fetch(server, ["2401.10215", "2402.00042"])
    assert [str(r) for r in results.values()] == [
        "2401.10215: the arXiv API refused the request: incorrect id format for 2401.10215",
        "2402.00042: the arXiv API refused the request: incorrect id format for 2401.10215",
    ]


def test_an_empty_result_says_the_id_is_not_found(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_empty.xml")))
    assert str(fetch(server, ["2401.99999"])["2401.99999"]) == (
        "2401.99999: not found on arXiv: check the id"
    )


def test_ids_missing_from_a_batch_fail_alone(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    results = fetch(server, ["2402.00042", "2403.00001"])
    assert isinstance(results["2402.00042"], Found)
    assert isinstance(results["2403.00001"], Failed)


def test_a_paper_titled_error_is_still_a_paper(server: LocalServer) -> None:
    body = fixture("arxiv_batch.xml").replace(b"<title>0</title>", b"<title>Error</title>")
    server.route(QUERY, Reply(body))
    assert fetch(server, ["2402.00042"])["2402.00042"].fields["title"] == "Error"


def test_a_503_is_retried_after_a_pause(server: LocalServer) -> None:
    server.route(QUERY, Reply(b"busy", status=503), Reply(fixture("arxiv_batch.xml")))
    sleeps: list[float] = []
    results = fetch(server, ["2402.00042"], quick_client(sleeps))
    assert isinstance(results["2402.00042"], Found)
    assert len(server.requests) == 2
    assert sleeps == [0.5]


def test_retry_after_is_honoured(server: LocalServer) -> None:
    server.route(
        QUERY,
        Reply(b"busy", status=503, headers={"Retry-After": "2"}),
        Reply(fixture("arxiv_batch.xml")),
    )
    sleeps: list[float] = []
    fetch(server, ["2402.00042"], quick_client(sleeps, backoff=0.1))
    assert sleeps == [2.0]


def test_5xx_until_the_last_attempt_fails_with_the_status(server: LocalServer) -> None:
    server.route(QUERY, Reply(b"down", status=502))
    sleeps: list[float] = []
    (result,) = fetch(server, ["2402.00042"], quick_client(sleeps)).values()
    assert isinstance(result, Failed)
    assert "HTTP 502 Bad Gateway (3 attempts): try again later" in result.reason
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]  # doubling


def test_a_time_out_is_retried(server: LocalServer) -> None:
    server.route(
        QUERY, Reply(fixture("arxiv_batch.xml"), delay=1.0), Reply(fixture("arxiv_batch.xml"))
    )
    results = fetch(server, ["2402.00042"], quick_client([], timeout=0.2))
    assert isinstance(results["2402.00042"], Found)
    assert len(server.requests) == 2


def test_time_outs_until_the_last_attempt_fail_clearly(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml"), delay=1.0))
    (result,) = fetch(server, ["2402.00042"], quick_client([], timeout=0.2, attempts=2)).values()
    assert result.reason.startswith("the arXiv API cannot be reached: http://127.0.0.1:")
    assert result.reason.endswith("no answer within 0.2 s (2 attempts): try again later")


def test_a_closed_port_fails_at_once() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps: list[float] = []
    results = arxiv.fetch(["2402.00042"], quick_client(sleeps), f"http://127.0.0.1:{port}/q")
    assert "cannot connect" in results["2402.00042"].reason
    assert sleeps == []


def test_requests_keep_to_the_rate_arxiv_asks_for(server: LocalServer) -> None:
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    client = Client(interval=arxiv.INTERVAL, sleep=sleep, clock=lambda: now[0])
    fetch(server, ["2401.10215"], client)
    now[0] += 1.0  # the next request comes one second later: it waits two more
    fetch(server, ["2402.00042"], client)
    assert sleeps == [2.0]


def test_long_id_lists_are_split_into_batches(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv, "BATCH", 2)
    server.route(QUERY, Reply(fixture("arxiv_batch.xml")))
    results = fetch(server, ["2401.10215", "2402.00042", "hep-th/9901001"])
    assert [r.query["id_list"] for r in server.requests] == [
        "2401.10215,2402.00042",
        "hep-th/9901001",
    ]
    assert all(isinstance(r, Found) for r in results.values())


NOT_FEEDS = {
    "html": (b"<html><body>Busy</body></html>", "its root element is 'html', not an Atom feed"),
    "not xml": (b"{}", "it is not XML (not well-formed (invalid token): line 1, column 0)"),
    "entity declarations": (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&x;</title></feed>',
        "it declares a document type, which is refused",
    ),
}


@pytest.mark.parametrize("body, why", NOT_FEEDS.values(), ids=NOT_FEEDS.keys())
def test_an_answer_that_is_no_usable_feed_fails_every_id(
    server: LocalServer, body: bytes, why: str
) -> None:
    server.route(QUERY, Reply(body))
    (result,) = fetch(server, ["2402.00042"]).values()
    assert result.reason == f"the arXiv API answered HTTP 200 without a usable feed: {why}"
