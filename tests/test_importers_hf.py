"""The Hugging Face importer against a real local server answering in HF's JSON formats."""

from __future__ import annotations

import json
from datetime import date

import pytest

from localserver import LocalServer, Reply, client, fixture
from paperfeed.importers import Failed, Found, hf

JSON = "application/json; charset=utf-8"


def test_a_paper_brings_upvotes_code_project_and_keywords(server: LocalServer) -> None:
    server.route(
        "/api/papers/2401.10215", Reply(fixture("hf_paper_2401.10215.json"), content_type=JSON)
    )
    result = hf.fetch_paper("2401.10215", client(), server.url("/api"))
    assert isinstance(result, Found)
    assert result.fields == {
        "arxiv": "2401.10215",
        "title": "Sparse Lattice Sieves for Counting Tiny Things",
        "authors": ["Zoë Ångström", "Bram de Vries", "Chidi Okafor"],  # hidden ones too
        "abstract": "We count tiny things with sparse lattice sieves. The \\sieve runs in "
        "$O(n \\log n)$ time and errs on 85.1\\% fewer things.",
        "published": "2024-01-18",
        "upvotes": 42,
        "tags": ["sparse-lattice-sieves", "counting", "o-n-log-n", "cs-cv"],
        "links": {
            "arxiv": "https://arxiv.org/abs/2401.10215",
            "pdf": "https://arxiv.org/pdf/2401.10215",
            "code": "https://github.com/lattice-lab/sieves",
            "project": "https://lattice-lab.example.org/sieves",
            "hf": "https://huggingface.co/papers/2401.10215",
        },
    }


def test_a_paper_hf_does_not_list_says_so(server: LocalServer) -> None:
    server.route("/api/papers/2401.99999", Reply(b'{"error":"Paper not found"}', status=404))
    result = hf.fetch_paper("2401.99999", client(), server.url("/api"))
    assert str(result) == "2401.99999: not on Hugging Face papers: add it without --from-hf"


def test_a_day_listing_gives_every_paper_of_the_day(server: LocalServer) -> None:
    server.route("/api/daily_papers", Reply(fixture("hf_daily_2024-10-25.json"), content_type=JSON))
    loop, orbit = hf.fetch_daily(date(2024, 10, 25), client(), server.url("/api"))
    assert server.requests[0].query == {"date": "2024-10-25"}
    assert isinstance(loop, Found) and isinstance(orbit, Found)
    assert loop.fields["title"] == "Looping Over Maps Without Losing the Plot"
    assert loop.fields["authors"] == ["Lena Loop", "Marek Map", "Nils Node"]
    assert loop.fields["abstract"] == (
        "We loop over maps. The \\method keeps its place in 85.1\\% of runs and never "
        "loses the plot."
    )
    assert (loop.fields["published"], loop.fields["upvotes"]) == ("2024-10-22", 64)
    assert loop.fields["thumbnail"] == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2410.17001.png"
    )
    assert "code" not in loop.fields["links"] and "tags" not in loop.fields
    # An empty projectPage is no link; keywords become tags.
    assert orbit.fields["links"]["code"] == "https://github.com/orbit-lab/brief"
    assert "project" not in orbit.fields["links"]
    assert orbit.fields["tags"] == ["orbits", "short-orbits"]


def test_a_listing_that_cannot_be_fetched_is_one_failure_naming_the_day(
    server: LocalServer,
) -> None:
    server.route("/api/daily_papers", Reply(b"", status=503))
    (result,) = hf.fetch_daily(date(2024, 10, 25), client(), server.url("/api"))
    assert isinstance(result, Failed)
    assert result.ref == "daily papers of 2024-10-25"
    assert "HTTP 503 Service Unavailable (2 attempts)" in result.reason


def paper(**changes: object) -> bytes:
    data = json.loads(fixture("hf_paper_2401.10215.json"))
    data.update(changes)
    return json.dumps(data).encode()


UNUSABLE = {
    "not JSON": (b"<html>oops</html>", "the Hugging Face API answered something that is not JSON"),
    "not a paper": (b"[1, 2]", "the Hugging Face API answered something that is not a paper"),
    "author without a name": (
        paper(authors=[{"name": "Ann"}, {"_id": "x", "hidden": False}]),
        "author 2 has no name on Hugging Face",
    ),
    "id that is not arXiv's": (
        paper(id="not-an-id"),
        "Hugging Face lists it under an id that is not arXiv's: 'not-an-id' is not an arXiv "
        "id or arxiv.org address: write e.g. 2401.10215, hep-th/9901001 or "
        "https://arxiv.org/abs/2401.10215",
    ),
}


@pytest.mark.parametrize("body, reason", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_unusable_answers_fail_with_the_reason(
    server: LocalServer, body: bytes, reason: str
) -> None:
    server.route("/api/papers/2401.10215", Reply(body, content_type=JSON))
    result = hf.fetch_paper("2401.10215", client(), server.url("/api"))
    assert isinstance(result, Failed)
    assert result.reason == reason


def test_an_author_known_only_by_account_keeps_the_account_name(server: LocalServer) -> None:
    author = {"_id": "x", "user": {"fullname": "Ann Account", "user": "ann"}, "hidden": True}
    server.route("/api/papers/2401.10215", Reply(paper(authors=[author]), content_type=JSON))
    result = hf.fetch_paper("2401.10215", client(), server.url("/api"))
    assert result.fields["authors"] == ["Ann Account"]
