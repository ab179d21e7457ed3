"""`paperfeed check --format github`: each problem as an annotation on its line of the PR."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import entry, write_entry, write_text
from paperfeed.cli import github_annotation, main
from paperfeed.errors import Problem


@pytest.fixture
def feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


def test_problems_become_error_annotations_on_their_lines(feed: Path) -> None:
    write_entry(feed / "papers", entry(id="a", upvotes="many"))
    write_entry(feed / "papers", entry(id="b", abstract=None))
    result = check("--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=papers/a.yaml,line=9,title=upvotes::must be a whole number, not text",
        "::error file=papers/b.yaml,line=1,title=abstract::is required but missing: "
        "add a line `abstract: ...`",
    ]
    assert result.stderr == "2 problem(s) found: fix them and run again.\n"


def test_the_text_format_stays_the_default(feed: Path) -> None:
    write_entry(feed / "papers", entry(id="a", upvotes="many"))
    assert (
        check().stderr
        == check("--format", "text").stderr
        == (
            "papers/a.yaml:9: upvotes: must be a whole number, not text\n"
            "1 problem(s) found: fix them and run again.\n"
        )
    )


def test_good_entries_pass_in_either_format(feed: Path) -> None:
    write_entry(feed / "papers", entry())
    for output in ("text", "github"):
        result = check("--format", output)
        assert (result.exit_code, result.stdout) == (0, "1 papers OK (1 days, 0 tags)\n")


def test_paths_and_messages_are_escaped_as_github_reads_them(feed: Path) -> None:
    write_text(
        feed / "papers/a,b:c.yaml",
        'id: "50%"\ntitle: T\nauthors: [A]\nabstract: B\n'
        "published: 2024-01-01\nadded: 2024-01-02\n",
    )
    (line,) = check("--format", "github").stdout.splitlines()
    assert line.startswith("::error file=papers/a%2Cb%3Ac.yaml,line=1,title=id::'50%25' is not")


@pytest.mark.parametrize(
    "problem, annotation",
    [
        (
            Problem("p/x.yaml", 3, "links.code", "a: b, c"),
            "::error file=p/x.yaml,line=3,title=links.code::a: b, c",
        ),
        (
            Problem("a,b:c.yaml", 12, "x:y,z", "100% sure\r\nreally"),
            "::error file=a%2Cb%3Ac.yaml,line=12,title=x%3Ay%2Cz::100%25 sure%0D%0Areally",
        ),
        (
            Problem("/abs/papers", None, "papers_dir", "is not a folder"),
            "::error file=/abs/papers,title=papers_dir::is not a folder",
        ),
    ],
    ids=["plain", "every character GitHub escapes", "no line"],
)
def test_annotation_escaping(problem: Problem, annotation: str) -> None:
    assert github_annotation(problem) == annotation


def test_check_reports_the_same_paper_entered_twice(feed: Path) -> None:
    first = entry(id="attention", arxiv="1706.03762", title="Attention")
    second = entry(id="transformer", arxiv="1706.03762v5", title="The Transformer")
    write_entry(feed / "papers", first, "2024/01/a.yaml")
    write_entry(feed / "papers", second, "2024/02/b.yaml")
    line = (feed / "papers/2024/02/b.yaml").read_text().splitlines().index(
        "arxiv: 1706.03762v5"
    ) + 1
    text, github = check(), check("--format", "github")
    assert text.exit_code == github.exit_code == 1
    assert text.stderr.splitlines() == [
        f"papers/2024/02/b.yaml:{line}: arxiv: '1706.03762v5' is already in "
        "papers/2024/01/a.yaml: remove one of them",
        "1 problem(s) found: fix them and run again.",
    ]
    assert github.stdout.splitlines() == [
        f"::error file=papers/2024/02/b.yaml,line={line},title=arxiv::'1706.03762v5' is already "
        "in papers/2024/01/a.yaml: remove one of them"
    ]
