"""`paperfeed add`: entries from arXiv, Hugging Face and BibTeX, written so they load back."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import entry, write_entry, write_text
from localserver import LocalServer, Reply, fixture
from paperfeed.add import AddError, Writer, entry_id, render
from paperfeed.cli import main
from paperfeed.entry import Paper
from paperfeed.importers import Found
from paperfeed.importers.progress import progress
from paperfeed.load import load_entries, parse, validate

JSON = "application/json; charset=utf-8"
SCHEMA_LINE = "# yaml-language-server: $schema=../../../paper.schema.json"


@pytest.fixture
def feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository folder, made the current one, as contributors run `add`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["add", *args], env=env)


def loaded(root: Path) -> dict[str, Paper]:
    return {e.source: e.paper for e in load_entries(root / "papers", root)}


ENTRY_IDS = {
    "new arXiv id": ({"arxiv": "2401.10215"}, "ignored", "2401.10215"),
    "old arXiv id": ({"arxiv": "hep-th/9901001"}, "ignored", "hep-th-9901001"),
    "old arXiv id with class": ({"arxiv": "math.GT/0309136"}, "ignored", "math.gt-0309136"),
    "citation key": ({}, "Full:Key_2020", "full-key_2020"),
    "accented key": ({}, "Müller2021", "muller2021"),
    "DOI as key": ({}, "doi:10.1126/science.abq1158", "doi-10.1126-science.abq1158"),
    "key starting with punctuation": ({}, "_x.y", "x.y"),
}


@pytest.mark.parametrize("fields, ref, wanted", ENTRY_IDS.values(), ids=ENTRY_IDS.keys())
def test_entry_ids(fields: dict[str, Any], ref: str, wanted: str) -> None:
    assert entry_id(fields, ref) == wanted


# Papers whose text YAML could misread if written carelessly.
ROUND_TRIPS = {
    "falsy title": {"title": "0"},
    "dollar amount": {"abstract": "Bounties paid $35,000; $x^2$ is math."},
    "YAML words": {"title": "yes", "authors": ["No", "null", "~", "true"], "venue": "off"},
    "YAML syntax": {
        "title": "- a: b # c",
        "summary": "[not, a, list]",
        "authors": ["Smith, J.", "O'Neil", '"Quoted"', "&anchor", "*alias", "!tag"],
    },
    "numbers as text": {"id": "2401.10210", "arxiv": "2401.10210", "venue": "2015"},
    "unicode": {"title": "Über Ωmega 😀 ﬁ", "authors": ["Łukasz Kaiser", "張偉"]},
    "paragraphs": {"abstract": "First paragraph.\n\nSecond one,\nwith a break."},
    "backslashes": {"abstract": "The \\method wins 85.1\\% of \\url{https://x.org}."},
    "date-time added": {"added": "2024-11-27T09:30:00+01:00"},
    "everything": {
        "arxiv": "hep-th/9901001",
        "doi": "10.1000/x:y",
        "tags": ["a", "b-c"],
        "links": {"code": "https://github.com/a/b", "hf": "https://huggingface.co/papers/x"},
        "upvotes": 0,
        "submitted_by": "ak",
        "thumbnail": "https://example.org/t.png?a=1&b=2",
    },
    "many authors": {"authors": [f"Author Number{n}, Jr." for n in range(300)]},
}


@pytest.mark.parametrize("fields", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_written_text_loads_back_as_the_same_paper(fields: dict[str, Any]) -> None:
    paper = Paper.model_validate(entry(**fields))
    text = render(paper, "../../../paper.schema.json")
    assert validate(parse(text, "x.yaml")) == paper
    lines = text.splitlines()
    assert lines[0] == SCHEMA_LINE
    assert f'id: "{paper.id}"' in lines
    assert "abstract: |" in lines
    if paper.arxiv:
        assert f'arxiv: "{paper.arxiv}"' in lines


# Every printable character, and the whitespace an abstract may hold.
_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\t "),
    min_size=1,
    max_size=300,
)


@settings(max_examples=300, deadline=None, database=None)
@given(title=_text, abstract=_text, author=_text)
def test_any_valid_text_loads_back(title: str, abstract: str, author: str) -> None:
    try:
        paper = Paper.model_validate(entry(title=title, abstract=abstract, authors=[author]))
    except ValidationError:
        assume(False)  # not a paper the format accepts (say, a blank title): nothing to write
    assert validate(parse(render(paper, "s.json"), "x.yaml")) == paper


def arxiv_paper(**fields: Any) -> Found:
    base = {
        "arxiv": "2401.10215",
        "title": "Sparse Lattice Sieves",
        "authors": ["Zoë Ångström"],
        "abstract": "We count.",
        "published": "2024-01-18",
    }
    return Found(fields.pop("ref", "2401.10215"), {**base, **fields})


def writer(root: Path, **options: Any) -> Writer:
    return Writer(root / "papers", options.pop("added", date(2024, 11, 27)), root=root, **options)


def test_the_writer_writes_by_month_and_the_file_loads_back(tmp_path: Path) -> None:
    written = writer(tmp_path, submitted_by="ak").add(arxiv_paper())
    assert written.source == "papers/2024/11/2401.10215.yaml"
    path = tmp_path / written.source
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    assert loaded(tmp_path) == {written.source: written.paper}
    assert written.paper.submitted_by == "ak" and written.paper.added == date(2024, 11, 27)
    assert list(tmp_path.rglob(".*")) == []  # no temporary file left behind


def test_a_date_time_added_files_by_its_own_day(tmp_path: Path) -> None:
    added = datetime.fromisoformat("2024-12-01T00:30:00+09:00")  # 30 Nov in UTC
    written = writer(tmp_path, added=added).add(arxiv_paper())
    assert written.source == "papers/2024/12/2401.10215.yaml"


REFUSED = {
    "same arXiv id, other id": (
        entry(id="sieves", arxiv="2401.10215v1"),
        "already in the feed: papers/sieves.yaml has the same arxiv",
    ),
    "same id": (entry(id="2401.10215", title="Other"), "papers/2401.10215.yaml has the same id"),
    "same title": (
        entry(id="x", title="SPARSE lattice sieves!"),
        "already in the feed: papers/x.yaml has the same title",
    ),
}


@pytest.mark.parametrize("existing, reason", REFUSED.values(), ids=REFUSED.keys())
def test_a_paper_already_in_the_feed_is_refused(
    tmp_path: Path, existing: dict[str, Any], reason: str
) -> None:
    write_entry(tmp_path / "papers", existing)
    with pytest.raises(AddError, match=reason):
        writer(tmp_path).add(arxiv_paper())
    assert not (tmp_path / "papers/2024").exists()


def test_the_same_paper_twice_in_one_run_is_written_once(tmp_path: Path) -> None:
    adder = writer(tmp_path)
    adder.add(arxiv_paper())
    with pytest.raises(AddError, match="papers/2024/11/2401.10215.yaml has the same id$"):
        adder.add(arxiv_paper(ref="2401.10215v2"))


def test_broken_entries_do_not_stop_adding(tmp_path: Path) -> None:
    write_text(tmp_path / "papers/broken.yaml", "id: [unclosed\n")
    assert writer(tmp_path).add(arxiv_paper()).source == "papers/2024/11/2401.10215.yaml"


@pytest.mark.parametrize(
    "fields, reason",
    [
        (
            {"title": "  ", "authors": []},
            "its data is not a valid entry: authors: must not be empty: list at least one; "
            "title: is empty: write a value or remove the line",
        ),
        (
            {"published": "2024"},
            "its data is not a valid entry: published: '2024' is not a date: write it as "
            "YYYY-MM-DD, e.g. 2024-11-27",
        ),
    ],
)
def test_invalid_data_is_never_written(tmp_path: Path, fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(AddError) as info:
        writer(tmp_path).add(arxiv_paper(**fields))
    assert str(info.value) == reason
    assert not (tmp_path / "papers").exists()


def test_an_added_date_in_the_future_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AddError, match="is in the future"):
        writer(
            tmp_path, added=date(2999, 1, 1), now=datetime(2024, 11, 27, tzinfo=timezone.utc)
        ).add(arxiv_paper())


# The command, against the local server.


def test_add_by_id_and_url_in_one_request_then_check_passes(
    feed: Path, server: LocalServer
) -> None:
    server.route("/api/query", Reply(fixture("arxiv_batch.xml")))
    result = add(
        "2401.10215v2",
        "https://arxiv.org/pdf/2402.00042.pdf",
        "hep-th/9901001",
        "2401.10215",  # the same paper again: asked for once
        "--added=2024-11-27",
        "--by=ak",
        f"--arxiv-api={server.url('/api/query')}",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "papers/2024/11/2401.10215.yaml",
        "papers/2024/11/2402.00042.yaml",
        "papers/2024/11/hep-th-9901001.yaml",
        "Added 3 paper(s) to papers.",
    ]
    assert len(server.requests) == 1
    papers = loaded(feed)
    assert papers["papers/2024/11/2402.00042.yaml"].title == "0"
    assert papers["papers/2024/11/hep-th-9901001.yaml"].arxiv == "hep-th/9901001"
    check = CliRunner().invoke(main, ["check"])
    assert (check.exit_code, check.stdout) == (0, "3 papers OK (1 days, 3 tags)\n")


def test_each_failure_is_one_line_and_the_rest_is_written(feed: Path, server: LocalServer) -> None:
    server.route("/api/query", Reply(fixture("arxiv_batch.xml")))
    write_entry(feed / "papers", entry(id="zero", arxiv="2402.00042"))
    result = add(
        "abc", "2401.10215", "2402.00042", "2403.00001", f"--arxiv-api={server.url('/api/query')}"
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert result.stderr.splitlines() == [
        "abc: 'abc' is not an arXiv id or arxiv.org address: write e.g. 2401.10215, "
        "hep-th/9901001 or https://arxiv.org/abs/2401.10215",
        "2402.00042: already in the feed: papers/zero.yaml has the same arxiv",
        "2403.00001: not found on arXiv: check the id",
        "3 paper(s) not added: see above.",
    ]
    assert result.stdout.splitlines()[0].endswith("/2401.10215.yaml")


def test_a_network_failure_is_a_line_not_a_traceback(feed: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/api/query"
    result = add("2401.10215", f"--arxiv-api={closed}")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(
        f"2401.10215: the arXiv API cannot be reached: {closed}?id_list=2401.10215&max_results=1: "
        "cannot connect: [Errno 111] Connection refused"
    )


def test_from_hf_brings_upvotes_code_and_project(feed: Path, server: LocalServer) -> None:
    body = fixture("hf_paper_2401.10215.json")
    server.route("/api/papers/2401.10215", Reply(body, content_type=JSON))
    result = add("--from-hf", "2401.10215", "--added=2024-11-27", f"--hf-api={server.url('/api')}")
    assert result.exit_code == 0, result.output
    (paper,) = loaded(feed).values()
    assert paper.upvotes == 42
    assert paper.links["code"] == "https://github.com/lattice-lab/sieves"
    assert paper.links["hf"] == "https://huggingface.co/papers/2401.10215"


def test_from_hf_daily_adds_the_whole_day(feed: Path, server: LocalServer) -> None:
    server.route("/api/daily_papers", Reply(fixture("hf_daily_2024-10-25.json"), content_type=JSON))
    result = add(
        "--from-hf-daily=2024-10-25", "--added=2024-10-25", f"--hf-api={server.url('/api')}"
    )
    assert result.exit_code == 0, result.output
    assert sorted(loaded(feed)) == [
        "papers/2024/10/2410.17001.yaml",
        "papers/2024/10/2410.17002.yaml",
    ]


def test_from_bibtex_writes_the_complete_entries_and_names_the_skipped(
    feed: Path, server: LocalServer
) -> None:
    server.route("/api/query", Reply(fixture("arxiv_bib_completion.xml")))
    (feed / "refs.bib").write_bytes(fixture("edge_cases.bib"))
    result = add(
        "--from-bibtex=refs.bib", "--added=2024-11-27", f"--arxiv-api={server.url('/api/query')}"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "noabstract2016: skipped: it has no abstract, no full date (only the year 2016), "
        "and no arXiv id to complete it from",
        "1 paper(s) not added: see above.",
    ]
    assert sorted(p.id for p in loaded(feed).values()) == [
        "1901.00002",
        "2303.01234",
        "2401.10215",
        "full-key_2020",
        "hep-th-9901001",
        "muller2021shrinking",
    ]
    assert CliRunner().invoke(main, ["check"]).exit_code == 0


def test_long_work_reports_progress_in_plain_lines_without_a_terminal(feed: Path) -> None:
    bib = "".join(
        f"@article{{k{n}, title={{Paper {n}}}, author={{A B}}, abstract={{C.}}, "
        f"date={{2024-01-{n:02d}}}}}\n"
        for n in range(1, 21)
    )
    (feed / "many.bib").write_text(bib, encoding="utf-8")
    result = add("--from-bibtex=many.bib", "--added=2024-11-27")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"writing entries: {n}/20" for n in range(2, 21, 2)]


USAGE = {
    "nothing to add": ([], "give arXiv ids or URLs, or --from-hf-daily, or --from-bibtex"),
    "two sources": (
        ["2401.10215", "--from-hf-daily=2024-10-25"],
        "give arXiv ids or URLs, or --from-hf-daily, or --from-bibtex",
    ),
    "--from-hf alone": (["--from-hf", "--from-hf-daily=2024-10-25"], "--from-hf needs arXiv ids"),
    "bad --added": (
        ["2401.10215", "--added=yesterday"],
        "'yesterday' is not a date or a date-time: write 2024-11-27 or 2024-11-27T09:30:00Z",
    ),
    "zoneless --added": (["2401.10215", "--added=2024-11-27T10:00"], "has no time zone"),
    "API that is no web address": (
        ["2401.10215", "--arxiv-api=file:///etc/passwd"],
        "'file:///etc/passwd' is not a web address",
    ),
}


@pytest.mark.parametrize("args, message", USAGE.values(), ids=USAGE.keys())
def test_usage_mistakes_are_explained(feed: Path, args: list[str], message: str) -> None:
    result = add(*args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_the_installed_command_uses_the_api_from_the_environment(
    tmp_path: Path, server: LocalServer
) -> None:
    server.route("/api/query", Reply(fixture("arxiv_batch.xml")))
    env = {**os.environ, "PAPERFEED_ARXIV_API": server.url("/api/query")}
    command = [sys.executable, "-m", "paperfeed.cli"]
    run = subprocess.run(
        [*command, "add", "2402.00042"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"papers/{date.today():%Y/%m}/2402.00042.yaml\n")
    check = subprocess.run([*command, "check"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


# Progress, on a terminal and off one.


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    assert list(progress(range(25), "work", stream)) == list(range(25))
    assert stream.getvalue().splitlines() == [
        f"work: {n}/25" for n in (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25)
    ]


def test_progress_is_a_bar_on_a_terminal() -> None:
    stream = Terminal()
    assert list(progress(range(25), "work", stream)) == list(range(25))
    shown = stream.getvalue()
    assert "work" in shown and "\x1b[" in shown  # drawn with terminal control codes
    assert "work: 2/25" not in shown


def test_short_work_reports_nothing() -> None:
    stream = io.StringIO()
    assert list(progress(range(3), "work", stream)) == [0, 1, 2]
    assert stream.getvalue() == ""
