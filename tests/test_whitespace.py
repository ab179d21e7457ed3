"""Generated pages lose the templates' indentation and nothing a reader sees.

Cases first, then a real site built twice, with and without the squeeze, read back as
a reader's browser reads it: the same elements, the same text, the same <pre>.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Site
from paperfeed.plugin import build as build_module
from paperfeed.whitespace import squeezed


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>\n    <a>x</a>\n\n    \n  </p>", "<p>\n<a>x</a>\n</p>"),
        ("a \n\t b", "a \nb"),  # a space before the newline stays: still one fold
        ("<pre>  a\n    b\n</pre>\n   <p>", "<pre>  a\n    b\n</pre>\n<p>"),
        ("<pre class=x>\n  k\n</pre>", "<pre class=x>\n  k\n</pre>"),
        ("<textarea>\n  a</textarea>", "<textarea>\n  a</textarea>"),
        ("<script>`a\n   b`</script>\n  x", "<script>`a\n   b`</script>\nx"),
        ('<script>"<pre>"\n  </script>\n  y', '<script>"<pre>"\n  </script>\ny'),
        ("<pre>\n  not closed", "<pre>\n  not closed"),
        ("<preview>\n  x", "<preview>\nx"),  # only the elements themselves
        ("one line", "one line"),
    ],
)
def test_squeezed(html: str, expected: str) -> None:
    assert squeezed(html) == expected


class _Reading(HTMLParser):
    """What a browser makes of a page: its elements and attributes in order, its text
    with whitespace folded, and the text of its <pre> elements as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.pre: list[str] = []
        self._in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_pre += tag == "pre"
        self.text.append(" ")  # tags may stand between words; compare with spaces folded

    def handle_endtag(self, tag: str) -> None:
        self._in_pre -= tag == "pre"
        self.text.append(" ")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_pre:
            self.pre.append(data)

    def folded(self) -> str:
        return " ".join("".join(self.text).split())


def read(html: str) -> _Reading:
    reading = _Reading()
    reading.feed(html)
    return reading


def build(root: Path) -> Site:
    site = Site(root)
    site.add(
        id="p1",
        title="Scaling $\\mathcal{O}(n)$ Attention",
        authors=["Ada Lovelace", "Alan Turing"],
        abstract="We bound $x^2$.\n\nA second paragraph, https://example.org/a.",
        tags=["graphs", "attention"],
        links={"code": "https://github.com/a/b"},
    )
    site.add(id="p2", title="Another Paper", authors=["Ada Lovelace"], tags=["graphs"])
    site.build()
    return site


PAGES = ["papers/p1/", "", "tags/graphs/", "authors/ada-lovelace/", "days/2024-11-27/"]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Site]:
    """The site as the templates print it, and as it is published."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(build_module, "squeezed", lambda html: html)
        plain = build(tmp_path_factory.mktemp("indented"))
    return plain, build(tmp_path_factory.mktemp("squeezed"))


@pytest.mark.parametrize("page", PAGES)
def test_a_reader_sees_the_same_page(both: tuple[Site, Site], page: str) -> None:
    plain, lean = (read(site.html(page)) for site in both)
    assert lean.tags == plain.tags
    assert lean.folded() == plain.folded()
    assert lean.pre == plain.pre


@pytest.mark.parametrize("page", PAGES)
def test_the_page_is_smaller_and_has_no_indented_lines(both: tuple[Site, Site], page: str) -> None:
    plain, lean = (site.html(page) for site in both)
    assert len(lean) < 0.92 * len(plain), (len(lean), len(plain))
    outside_pre = re.sub(r"<(pre|script)\b.*?</\1>", "", lean, flags=re.S)
    assert not re.search(r"\n[ \t]", outside_pre)


def test_the_bibtex_keeps_its_indentation(both: tuple[Site, Site]) -> None:
    _, lean = both
    assert "\n  author = {Ada Lovelace and Alan Turing},\n" in lean.html("papers/p1/")
