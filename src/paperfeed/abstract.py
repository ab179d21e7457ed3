"""Abstracts as readers see them: paragraphs, links and math, and nothing else.

An abstract is plain text written by anyone, so it is never handed to Markdown or
HTML as is. It is cut into typed pieces (text, link, math) that a template renders
with escaping on; math becomes MathML at build time, so pages and feeds show it
with no script and no request to another host.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from latex2mathml.converter import convert_to_element
from markupsafe import Markup

Kind = Literal["text", "link", "math"]


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str  # the text, the URL, or the LaTeX source
    mathml: Markup | None = None


Paragraph = tuple[Piece, ...]

_TOKEN = re.compile(
    # The lookahead lets the engine skip ordinary text fast: every token starts so.
    r"(?=[\\$h])(?:"
    r"\\url\{(?P<url_cmd>[^}\s]+)\}"
    r"|(?P<url>https?://[^\s<>\"'`{}|\\^\[\]]+)"
    r"|\$\$(?P<display>[^$]+?)\$\$"
    r"|\\\((?P<paren>.+?)\\\)"
    # Pandoc's rule, so "$35,000 and $40,000" stays money: no space inside the
    # dollars, and no digit right after the closing one.
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$]*?[^\s\\$])?)\$(?!\d)"
    r")"
)
_TEXT_ESCAPES = re.compile(r"\\([%&_#$])")
_TRAILING = ".,;:!?'\""


@lru_cache(maxsize=256)  # a page asks for its abstract several times in a row
def paragraphs(abstract: str) -> tuple[Paragraph, ...]:
    """Split an abstract into paragraphs of pieces, folding line breaks into spaces."""
    blocks = re.split(r"\n\s*\n", abstract.strip())
    return tuple(_pieces(" ".join(block.split())) for block in blocks if block.strip())


def _pieces(text: str) -> Paragraph:
    out: list[Piece] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() < pos:
            continue
        start, end = m.start(), m.end()
        url = m.group("url_cmd") or m.group("url")
        if url:
            url, rest = _split_trailing(url)
            end -= len(rest) if m.group("url") else 0
            _add_text(out, text[pos:start])
            out.append(Piece("link", url) if _is_web(url) else Piece("text", m.group(0)))
        else:
            latex = m.group("display") or m.group("paren") or m.group("inline")
            display = m.group("display") is not None
            _add_text(out, text[pos:start])
            out.append(_math(latex.strip(), display))
        pos = end
    _add_text(out, text[pos:])
    return tuple(out)


def _add_text(out: list[Piece], text: str) -> None:
    if text:
        out.append(Piece("text", _TEXT_ESCAPES.sub(r"\1", text)))


def _split_trailing(url: str) -> tuple[str, str]:
    """Keep sentence punctuation out of a URL, but keep its own balanced brackets."""
    rest = ""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        rest = url[-1] + rest
        url = url[:-1]
    return url, rest


def _is_web(url: str) -> bool:
    return url.startswith(("https://", "http://")) and len(url) > len("https://")


def _math(latex: str, display: bool) -> Piece:
    mathml = to_mathml(latex, display)
    return Piece("math", latex, mathml)


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool = False) -> Markup | None:
    """MathML for `latex`, with the source kept as its annotation; None if it does not parse."""
    try:
        root = convert_to_element(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - the converter raises many types on bad LaTeX; text is fine
        return None
    _unescape_tree(root)
    # The converter wraps its output in <mrow>; semantics adds the LaTeX as fallback text.
    semantics = Element("semantics")
    semantics.extend(list(root))
    for child in list(root):
        root.remove(child)
    root.append(semantics)
    annotation = SubElement(semantics, "annotation", {"encoding": "application/x-tex"})
    annotation.text = latex
    # ElementTree escapes every text node and attribute, so nothing in the LaTeX can
    # become markup (the converter's own string output does not escape \text{...}).
    return Markup(tostring(root, encoding="unicode"))


# Presentation attributes only: \href and friends could otherwise carry a link.
_SAFE_ATTRIBUTES = frozenset(
    {
        "xmlns",
        "display",
        "stretchy",
        "mathvariant",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "columnalign",
        "columnlines",
        "columnspacing",
        "rowalign",
        "rowlines",
        "rowspacing",
        "linethickness",
        "accent",
        "accentunder",
        "movablelimits",
        "minsize",
        "maxsize",
        "symmetric",
        "width",
        "height",
        "depth",
        "displaystyle",
        "scriptlevel",
        "largeop",
        "form",
        "notation",
        "frame",
        "framespacing",
        "mathsize",
        "encoding",
    }
)


def _unescape_tree(element: Element) -> None:
    """The converter stores characters as entity text (&#x00028;): turn them back."""
    for node in element.iter():
        for name in [a for a in node.attrib if a not in _SAFE_ATTRIBUTES]:
            del node.attrib[name]
        if node.text:
            node.text = html.unescape(node.text)
        if node.tail:
            node.tail = html.unescape(node.tail)


def excerpt(abstract: str, limit: int = 280) -> Paragraph:
    """The start of the first paragraph, cut at a word, for cards."""
    first = paragraphs(abstract)[0] if abstract.strip() else ()
    out: list[Piece] = []
    used = 0
    for piece in first:
        size = len(piece.text)
        if used + size <= limit:
            out.append(piece)
            used += size
            continue
        if piece.kind == "text":
            cut = piece.text[: max(limit - used, 0)].rsplit(" ", 1)[0].rstrip(" ,;:.")
            out.append(Piece("text", cut + " …"))
        else:
            out.append(Piece("text", " …"))
        break
    return tuple(out)


def plain_text(abstract: str) -> str:
    """The abstract as one line of text with its LaTeX kept, for meta descriptions."""
    return " ".join(
        "".join(f"${p.text}$" if p.kind == "math" else p.text for p in para)
        for para in paragraphs(abstract)
    )
