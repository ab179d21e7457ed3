"""Entry -> Markdown page with front matter -> entry: nothing is lost on the way."""

from __future__ import annotations

import pickle
from pathlib import Path

import frontmatter
import pytest

from conftest import Site, entry, write_entry, write_text
from paperfeed.abstract import paragraphs
from paperfeed.convert import convert, from_markdown, to_markdown
from paperfeed.entry import Paper
from paperfeed.load import load_papers
from paperfeed.plugin.generated import convert_page
from paperfeed.render import abstract_html, author_links

FULL = entry(
    id="hep-th-9901001",
    arxiv="hep-th/9901001",
    doi="10.1000/ABC.def",
    title="Strings: A Review: Part II",
    authors=["Ana Núñez", "Jürgen Müller", "李雷"],
    abstract="Line one\ncontinues here with $\\alpha_1$.\n\nSecond: \\url{https://example.org/x}",
    published="1999-01-01",
    added="2024-11-27T23:30:00-05:00",
    tags=["strings", "review"],
    links={"code": "https://github.com/a/b", "video": "http://old.example.org/v"},
    venue="Phys. Rev. D",
    upvotes=0,
    submitted_by="someone",
    summary="Short.",
    thumbnail="https://example.org/t.png",
)


@pytest.mark.parametrize("fields", [entry(), FULL], ids=["minimal", "every field"])
def test_round_trip_keeps_every_field(tmp_path: Path, fields: dict) -> None:
    write_entry(tmp_path / "papers", fields)
    (paper,) = load_papers(tmp_path / "papers").values()
    page = to_markdown(paper, "papers/x.yaml")
    assert from_markdown(page) == paper
    meta = frontmatter.loads(page).metadata
    assert meta["template"] == "paper.html"
    assert set(paper.fields()) <= set(meta)


def test_front_matter_carries_display_data_apart(tmp_path: Path) -> None:
    write_entry(tmp_path / "papers", FULL)
    (paper,) = load_papers(tmp_path / "papers").values()
    meta = frontmatter.loads(to_markdown(paper, "papers/x.yaml")).metadata
    assert meta["pf"]["day"] == "2024-11-27"  # the day where it was added, in its own zone
    assert list(meta["pf"]["links"]) == ["arxiv", "pdf", "code", "doi", "video"]
    assert meta["description"] == "Short."


def test_the_plugin_keeps_the_front_matter_parsed_and_the_core_reads_its_text(
    tmp_path: Path,
) -> None:
    write_entry(tmp_path / "papers", FULL)
    (paper,) = load_papers(tmp_path / "papers").values()
    core = convert(paper, "papers/x.yaml")
    assert vars(core) == {"text": core.text}  # text only: no pickle in the core's type
    parsed = convert_page(paper, "papers/x.yaml")
    assert parsed.text == core.text and parsed.body == core.body
    assert parsed.front_matter() == core.front_matter() == frontmatter.loads(core.text).metadata
    assert parsed.parts() == core.parts() == (core.front_matter(), core.body)
    # a new dict every read: MkDocs' page changes its meta (generated.py escapes the title)
    assert parsed.front_matter() is not parsed.front_matter()
    # the loader's workers hand it back to the build by pickle
    assert pickle.loads(pickle.dumps(convert_page)) is convert_page
    assert pickle.loads(pickle.dumps(parsed)) == parsed
    # what it holds: its front matter and body, compressed, and not the text
    assert list(vars(parsed)) == ["packed"] and len(parsed.packed) < len(core.text.encode())


def test_another_plugin_reads_a_paper_pages_file_as_its_markdown(tmp_path: Path) -> None:
    # The build keeps no page's text (generated.py's ParsedPage): a plugin that reads
    # the file gets it made, front matter and body, as `paperfeed convert` writes it.
    site = Site(tmp_path)
    write_entry(site.papers, FULL)
    seen = tmp_path / "seen.md"
    hook = write_text(
        tmp_path / "hook.py",
        f"""
        def on_files(files, config):
            page = files.get_file_from_path("papers/hep-th-9901001.md")
            open({str(seen)!r}, "w", encoding="utf-8").write(page.content_string)
        """,
    )
    site.build(hooks=[str(hook)])
    (paper,) = load_papers(site.papers, site.root).values()
    assert seen.read_text(encoding="utf-8") == to_markdown(paper, "papers/hep-th-9901001.yaml")
    assert "Núñez" in site.html("papers/hep-th-9901001/")


def test_the_page_body_is_one_raw_html_block_with_the_entry_escaped() -> None:
    paper = Paper.model_validate(
        entry(
            authors=["<script>alert(1)</script>"], abstract="A *b* [c](javascript:x) <i>d</i> # e"
        )
    )
    body = frontmatter.loads(to_markdown(paper, "papers/x.yaml")).content
    assert "<script>" not in body
    assert "A *b* [c](javascript:x) &lt;i&gt;d&lt;/i&gt; # e" in body
    assert body.splitlines()[0].startswith('<section class="pf-paper__abstract"')
    # The authors are not in the body: the page's template lists them (author_links).
    authors = author_links(paper.authors)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in authors and "<script>" not in authors


ABSTRACTS = {
    "inline math": (
        "Costs $O(n^2)$ time.",
        [("text", "Costs "), ("math", "O(n^2)"), ("text", " time.")],
    ),
    "money is not math": ("From $35,000 to $40,000.", [("text", "From $35,000 to $40,000.")]),
    "escaped dollar": (
        r"Costs \$5 and $x$.",
        [("text", "Costs $5 and "), ("math", "x"), ("text", ".")],
    ),
    "url command": (
        r"See \url{https://github.com/a/b}.",
        [("text", "See "), ("link", "https://github.com/a/b"), ("text", ".")],
    ),
    "bare url with trailing punctuation": (
        "At https://example.org/a_(b)), and on.",
        [("text", "At "), ("link", "https://example.org/a_(b)"), ("text", "), and on.")],
    ),
    "not a web url": (r"\url{ftp://x.org/y}", [("text", r"\url{ftp://x.org/y}")]),
    "latex text escapes": (r"Up 85.1\% \& more", [("text", "Up 85.1% & more")]),
    "superscript outside math stays text": ("UniF^2ace works", [("text", "UniF^2ace works")]),
}


@pytest.mark.parametrize("text, pieces", ABSTRACTS.values(), ids=ABSTRACTS.keys())
def test_abstract_pieces(text: str, pieces: list[tuple[str, str]]) -> None:
    (para,) = paragraphs(text)
    assert [(p.kind, p.text) for p in para] == pieces


def test_math_becomes_mathml_with_the_latex_as_annotation_and_nothing_runs() -> None:
    html = abstract_html(r"A $\text{<img src=x onerror=alert(1)>}$ and $\frac{$ end")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<annotation encoding="application/x-tex">' in html
    # LaTeX that does not parse is shown as its source
    assert '<code class="pf-math-source">$\\frac{$</code>' in html


def test_paragraphs_fold_line_breaks() -> None:
    assert [[p.text for p in para] for para in paragraphs("a\nb\n\n\n c  d \n")] == [
        ["a b"],
        ["c d"],
    ]
